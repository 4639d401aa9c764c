import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
application = get_wsgi_application()


def _prepare() -> None:
    """Work Django leaves to a process's first request, done while the worker starts instead.

    Building the URL reverse table takes a few hundred milliseconds for this project's URLconf, once
    per language (the pages are i18n_patterns), and each language's catalogs load on first use: a
    worker's first page with a link paid for all of it.
    """
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    engines.all()  # the template engine and its tag libraries
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (built on first access, per language)
            translation.gettext("Agenda")
    # What the worker holds from now on lives as long as the worker: frozen, the garbage collector
    # stops walking all of it at each full collection. A cold 300-session render allocates enough to
    # trigger several, and walking Django, the URL table and the catalogs was a third of its time.
    gc.collect()
    gc.freeze()


_prepare()
