from celery import shared_task

from . import services


@shared_task(name="mailing.send_message", ignore_result=True)
def send_message(message_id: int) -> None:
    services.message_send(message_id=message_id)


@shared_task(name="mailing.retry_due", ignore_result=True)
def retry_due() -> None:
    services.messages_retry_due()
