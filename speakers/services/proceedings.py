"""The proceedings book: queuing a build, and the build itself (run by the task; see speakers/proceedings.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions
from forum.errors import PermissionDenied
from forum.models import Forum

from .. import tasks
from ..models import ProceedingsJob

# -- proceedings ------------------------------------------------------------------------------


@transaction.atomic
def proceedings_request(*, forum: Forum, user, digits: str = "arab") -> ProceedingsJob:
    """Queue a build of the proceedings book; it runs in the background after commit."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may build the proceedings."))
    # One build at a time; a build whose worker died an hour ago no longer blocks a new one.
    running = ProceedingsJob.objects.filter(
        forum=forum, status__in=[ProceedingsJob.Status.QUEUED, ProceedingsJob.Status.RUNNING],
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).first()
    if running is not None:
        return running
    job = ProceedingsJob.objects.create(forum=forum, requested_by=user, digits="latn" if digits == "latn" else "arab")
    transaction.on_commit(lambda: tasks.proceedings_build_task.delay(job.pk))
    return job


def proceedings_build(*, job_id: int) -> ProceedingsJob:
    """Build the book for a queued job, recording progress as each paper is appended."""
    from ..proceedings import build_book

    job = ProceedingsJob.objects.select_related("forum").get(pk=job_id)
    if job.status not in (ProceedingsJob.Status.QUEUED, ProceedingsJob.Status.FAILED):
        return job
    ProceedingsJob.objects.filter(pk=job.pk).update(status=ProceedingsJob.Status.RUNNING, error="", done=0)

    def progress(done: int, total: int) -> None:
        ProceedingsJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        result = build_book(forum=job.forum, progress=progress, digits=job.digits)
        try:
            with open(result.path, "rb") as fh:
                job.file.save(f"{uuid.uuid4().hex}.pdf", File(fh), save=False)
        finally:
            result.path.unlink(missing_ok=True)
        ProceedingsJob.objects.filter(pk=job.pk).update(
            status=ProceedingsJob.Status.DONE, file=job.file.name, page_count=result.page_count,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        ProceedingsJob.objects.filter(pk=job.pk).update(
            status=ProceedingsJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job
