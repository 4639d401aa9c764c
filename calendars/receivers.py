"""Hooks into other apps' signals; connected in CalendarsConfig.ready()."""

import logging

from forum.mailing.services import Attachment

from . import tasks

log = logging.getLogger(__name__)


def on_schedule_published(sender, version, previous=None, **kwargs) -> None:
    """A new version is public: queue the calendar e-mails (the signal is sent after commit)."""
    try:
        tasks.schedule_updates_send_task.delay(version.pk)
    except Exception:  # broker down: publishing must not fail because of e-mail
        log.exception("could not queue calendar updates for schedule version %s", version.pk)


def confirmation_calendar_attachment(registration) -> Attachment:
    """The calendar invite attached to a registration's confirmation e-mail (registration.hooks)."""
    from .invites import attendee_confirmation_ics

    return Attachment("forum.ics", attendee_confirmation_ics(registration=registration),
                      "text/calendar; method=PUBLISH; charset=utf-8")
