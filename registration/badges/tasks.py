"""Background work for badges: bulk printing."""

from celery import shared_task


@shared_task(acks_late=True)
def print_job_run_task(job_id: int) -> int:
    from .services import print_job_run

    return print_job_run(job_id=job_id).pk
