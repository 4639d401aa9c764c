from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    """Messages from the organizers to a segment of the forum's people. Sits above registration
    (reads registrations, attendance, session roles, the waiting list); sends through the outbox."""

    name = "announcements"
    label = "announcements"
    verbose_name = _("Messages to attendees")
