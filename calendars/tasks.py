from celery import shared_task

from . import services


@shared_task(name="calendars.schedule_updates_send", ignore_result=True, acks_late=True)
def schedule_updates_send(version_id: int) -> None:
    from sessions.models import ScheduleVersion

    version = ScheduleVersion.objects.select_related("forum").filter(pk=version_id).first()
    if version is not None:
        services.schedule_updates_send(version=version)


@shared_task(name="calendars.publications_announce_pending", ignore_result=True)
def publications_announce_pending() -> None:
    services.publications_announce_pending()
