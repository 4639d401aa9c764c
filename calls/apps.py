from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    """The open call for working papers (issue 17). Sits above speakers (whose review, papers and
    portal accounts it reuses) and below registration; nothing below imports it."""

    name = "calls"
    label = "calls"
    verbose_name = _("Call for papers")

    def ready(self) -> None:
        from speakers import intake

        from . import receivers  # noqa: F401  (the builder's panel)
        from .selectors import papers_pending_q

        intake.pending_filter_register(papers_pending_q)
