from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    name = "sessions"
    # django.contrib.sessions already owns the label "sessions".
    label = "forum_sessions"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from forum.participation import register_organization
        from forum.selectors import person_link_register

        from .models import Honoree, SessionItem, SessionRole

        # Placing someone in a session or honoring them is the organizers' act, not the person's.
        person_link_register(model=SessionRole, person_field="person", forum_path="session__forum", public=True)
        person_link_register(model=SessionItem, person_field="presenter", forum_path="session__forum", public=True)
        person_link_register(model=Honoree, person_field="person", forum_path="forum", public=False)
        person_link_register(model=Honoree, person_field="presented_by", forum_path="forum", public=False)
        register_organization(Honoree, organization="organization", forum="forum")
        register_organization(Honoree, organization="presented_by_organization", forum="forum")
