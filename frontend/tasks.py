"""The public side's Celery tasks: thin wrappers over frontend.services (queued by frontend.signals)."""

from celery import shared_task


@shared_task(name="frontend.agenda_cache_warm", ignore_result=True, acks_late=True)
def agenda_cache_warm_task(forum_id: int) -> None:
    from forum.models import Forum

    from . import services

    forum = Forum.objects.filter(pk=forum_id).first()
    if forum is not None:
        services.agenda_cache_warm(forum=forum)
