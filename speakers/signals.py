"""Stored files follow their rows: when a version or a proceedings build is deleted
(e.g. with its paper or forum), its file leaves the private storage after commit."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from .models import PaperFile, ProceedingsJob


def _delete_after_commit(field) -> None:
    if not field or not field.name:
        return
    storage, name = field.storage, field.name
    transaction.on_commit(lambda: storage.delete(name))


@receiver(post_delete, sender=PaperFile)
def paper_file_deleted(sender, instance, **kwargs):
    _delete_after_commit(instance.file)


@receiver(post_delete, sender=ProceedingsJob)
def proceedings_job_deleted(sender, instance, **kwargs):
    _delete_after_commit(instance.file)


# Hooks for the apps above speakers: sent when the portal page is drawn, with `person` (or None) and
# `request`; each receiver returns an HTML fragment (or "") shown on the portal (e.g. certificates).
portal_sections = Signal()
