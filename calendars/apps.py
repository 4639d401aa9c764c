from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "calendars"
    label = "calendars"
    verbose_name = _("Calendar invites and feeds")

    def ready(self) -> None:
        from registration import hooks
        from sessions.signals import schedule_published

        from .receivers import confirmation_calendar_attachment, on_schedule_published

        schedule_published.connect(on_schedule_published, dispatch_uid="calendars.schedule_published")
        hooks.confirmation_attachment_register(position=20, name="calendar invite",
                                               provider=confirmation_calendar_attachment)
