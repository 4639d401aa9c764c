"""The outbox's Celery tasks: thin wrappers over forum.mailing.services, which imports them.

Each keeps the Celery name it had before it was named `<thing>_<action>_task`
(the beat schedule and any message already on the broker use that name).
"""

from celery import shared_task
from django.utils import timezone


@shared_task(bind=True, name="mailing.send_message", ignore_result=True)
def message_send_task(self, message_id: int) -> None:
    from . import services
    from .models import OutgoingMessage

    message = services.message_send(message_id=message_id)
    # With a broker, the failed message comes back by itself after its backoff
    # (the periodic sweep is the safety net). In-process (eager) a countdown
    # would be ignored and retry at once, so there the sweep alone retries.
    if (
        message.status == OutgoingMessage.Status.FAILED
        and message.next_attempt_at is not None
        and not self.app.conf.task_always_eager
    ):
        delay = max(0.0, (message.next_attempt_at - timezone.now()).total_seconds())
        try:
            self.apply_async((message_id,), countdown=delay)
        except Exception:  # broker gone: the sweep will find it
            pass


@shared_task(name="mailing.retry_due", ignore_result=True)
def messages_retry_due_task() -> None:
    from . import services

    services.messages_retry_due()


@shared_task(name="mailing.send_batch", ignore_result=True)
def messages_send_batch_task(message_ids: list[int], per_second: float = 0) -> None:
    """Many stored messages over one connection, rate-limited (announcements, survey invitations)."""
    from . import services

    services.messages_send_batch(message_ids=message_ids, per_second=per_second)
