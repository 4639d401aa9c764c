from celery import shared_task


@shared_task(name="announcements.deliver", ignore_result=True)
def announcement_deliver_task(announcement_id: int) -> None:
    from . import services

    services.announcement_deliver(announcement_id=announcement_id)


@shared_task(name="announcements.send_due", ignore_result=True)
def announcements_send_due_task() -> None:
    from . import services

    services.announcements_send_due()
