"""Background work for certificates: issuing and printing a batch."""

from celery import shared_task


@shared_task(acks_late=True)
def batch_run_task(batch_id: int) -> int:
    from .services import batch_run

    return batch_run(batch_id=batch_id).pk
