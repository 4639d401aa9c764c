"""Celery entry points of the awards: thin wrappers over the services."""

from celery import shared_task


@shared_task(name="awards.results_finalize", ignore_result=True)
def results_finalize_task(cycle_id: int, user_id: int) -> None:
    """Finalize a large cycle in the background (the chair's request)."""
    from django.contrib.auth import get_user_model

    from . import services
    from .models import Cycle

    services.results_finalize(cycle=Cycle.objects.get(pk=cycle_id), user=get_user_model().objects.get(pk=user_id))
