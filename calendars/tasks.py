"""The calendars' Celery tasks: thin wrappers over calendars.services (queued by calendars.receivers).

Each keeps the Celery name it had before it was named `<thing>_<action>_task`
(the beat schedule and any message already on the broker use that name).
"""

from celery import shared_task


@shared_task(name="calendars.schedule_updates_send", ignore_result=True, acks_late=True)
def schedule_updates_send_task(version_id: int) -> None:
    from sessions.models import ScheduleVersion

    from . import services

    version = ScheduleVersion.objects.select_related("forum").filter(pk=version_id).first()
    if version is not None:
        services.schedule_updates_send(version=version)


@shared_task(name="calendars.publications_announce_pending", ignore_result=True)
def publications_announce_pending_task() -> None:
    from . import services

    services.publications_announce_pending()
