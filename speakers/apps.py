from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakersConfig(AppConfig):
    name = "speakers"
    verbose_name = _("Speakers")

    def ready(self):
        from forum.selectors import person_link_register
        from sessions.conflicts import paper_speakers_reader_register

        from . import signals  # noqa: F401
        from .models import Invitation, WorkingPaper
        from .selectors import paper_speakers_by_session

        person_link_register(model=WorkingPaper, person_field="speakers", forum_path="forum", public=True)
        person_link_register(model=Invitation, person_field="person", forum_path="forum", public=False)
        paper_speakers_reader_register("working papers", paper_speakers_by_session)
