from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakersConfig(AppConfig):
    name = "speakers"
    verbose_name = _("Speakers")

    def ready(self):
        from django.db.models import Q

        from forum.selectors import person_link_register
        from sessions.conflicts import paper_speakers_reader_register

        from . import signals  # noqa: F401
        from .models import Invitation, PaperFile, WorkingPaper
        from .selectors import paper_speakers_by_session

        # An accepted invitation and an uploaded file are the person's own acts; being invited
        # or named on a paper is the organizers'.
        person_link_register(model=WorkingPaper, person_field="speakers", forum_path="forum", public=True)
        person_link_register(model=Invitation, person_field="person", forum_path="forum", public=False,
                             own_act=Q(status=Invitation.Status.ACCEPTED))
        person_link_register(model=PaperFile, person_field="uploaded_by__person", forum_path="paper__forum",
                             public=False, own_act=Q())
        paper_speakers_reader_register("working papers", paper_speakers_by_session)
