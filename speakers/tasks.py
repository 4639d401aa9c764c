"""The speakers' Celery task: a thin wrapper over speakers.services, which imports it."""

from celery import shared_task


@shared_task(name="speakers.build_proceedings", ignore_result=True)  # its Celery name from before the rename
def proceedings_build_task(job_id: int) -> None:
    from . import services

    services.proceedings_build(job_id=job_id)
