from celery import shared_task

from . import services


@shared_task(name="speakers.build_proceedings", ignore_result=True)
def build_proceedings(job_id: int) -> None:
    services.proceedings_build(job_id=job_id)
