from celery import shared_task


@shared_task(name="surveys.send_due", ignore_result=True)
def surveys_send_due_task() -> None:
    """Invitations after a session or the forum ends, and reminders after N days."""
    from . import services

    services.surveys_send_due()
