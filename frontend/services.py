"""Writes of the public side: a signed-in attendee's stars; a published agenda rendered into the cache."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum
from sessions.models import Session, StarredSession


@transaction.atomic
def session_star(*, user, forum: Forum, session_id: int) -> StarredSession:
    """Put a session of this forum on the user's agenda. Starring twice keeps one star."""
    session = Session.objects.filter(forum=forum, pk=session_id).first()
    if session is None:
        raise DomainError(_("There is no such session in this forum."), field="session_id", code="unknown_session")
    existing = StarredSession.objects.filter(user=user, session=session).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StarredSession.objects.create(user=user, session=session)
    except IntegrityError:  # the same star sent twice at once
        return StarredSession.objects.get(user=user, session=session)


@transaction.atomic
def session_unstar(*, user, forum: Forum, session_id: int) -> None:
    """Take a session off the user's agenda (nothing happens when it was not there)."""
    StarredSession.objects.filter(user=user, session__forum=forum, session_id=session_id).delete()


# Published agenda answers a visitor asks for most, rendered when a version is published
# (frontend.signals → frontend.tasks.agenda_cache_warm_task), so visitors rarely meet a cold cache.
# The exports name the site's host in their links and keys: they are warmed for SITE_URL's host.
WARM_PATHS = (
    "/forums/{slug}/agenda/",
    "/en/forums/{slug}/agenda/",
    "/api/v1/forums/{slug}/agenda/",
    "/forums/{slug}/agenda.ics",
    "/forums/{slug}/schedule.xml",
    "/forums/{slug}/schedule.json",
)


def agenda_cache_warm(*, forum: Forum) -> list[str]:
    """Render the forum's latest published agenda pages and exports into the cache, as a visitor's
    requests would (through the whole middleware, without cookies, gzip accepted). Only what a
    visitor may see is rendered: a forum that is not public renders nothing (404s are not kept).
    Returns the paths that are now in the cache."""
    site = urlsplit(settings.SITE_URL)
    secure = site.scheme == "https"
    handler = BaseHandler()
    handler.load_middleware()
    warmed = []
    for template in WARM_PATHS:
        path = template.format(slug=forum.slug)
        request = WSGIRequest({
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": site.hostname or "localhost", "SERVER_PORT": str(site.port or (443 if secure else 80)),
            "HTTP_HOST": site.netloc or "localhost", "HTTP_ACCEPT_ENCODING": "gzip",
            "wsgi.url_scheme": site.scheme or "http", "wsgi.input": BytesIO(b""),
            **({"HTTPS": "on"} if secure else {}),
        })
        # Each request activates its own language: the caller's (maybe a publishing request) comes back after.
        with translation.override(translation.get_language()):
            if handler.get_response(request).status_code == 200:
                warmed.append(path)
    return warmed
