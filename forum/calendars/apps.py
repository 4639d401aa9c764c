from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "forum.calendars"
    label = "calendars"
    verbose_name = _("Calendar invites and feeds")
