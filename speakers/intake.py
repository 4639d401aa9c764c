"""Papers that arrive through an open call (calls app), for the apps above speakers.

The call reuses the review of invited papers: each submitted submission gets a WorkingPaper without
speakers (so the review stays blind whatever the paper pages show) and with its file as a version.
When the author confirms an accepted paper it becomes an ordinary accepted working paper with its
speakers, not yet in a session; placing it creates its item in a session's run.

Kept apart from speakers.services (being split into a package) so the two do not collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.files.base import File
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from forum.models import Forum, Person
from sessions.models import Session, SessionItem, SessionRole
from sessions.services import session_item_add, session_role_add

from .models import PaperFile, WorkingPaper

TEXT_FIELDS = ("title_ar", "title_en", "abstract_ar", "abstract_en")

# Papers still in the open call's hands (under review, decided, not yet confirmed by their author) are not
# the team's papers yet: the team's paper lists leave them out. The app above that makes them says which,
# by registering a function returning a Q on WorkingPaper (speakers imports nothing of it).
_pending_filters: list[Callable[[], Q]] = []


def pending_filter_register(build: Callable[[], Q]) -> None:
    """Register (once, from an AppConfig.ready above speakers) which papers are still pending elsewhere."""
    if build not in _pending_filters:
        _pending_filters.append(build)


def pending_q() -> Q | None:
    """The papers still pending in an intake (None when nothing registered)."""
    q = None
    for build in _pending_filters:
        q = build() if q is None else q | build()
    return q


def without_pending(qs: QuerySet[WorkingPaper]) -> QuerySet[WorkingPaper]:
    q = pending_q()
    return qs.exclude(q) if q is not None else qs


@transaction.atomic
def paper_for_review_open(*, forum: Forum, title_ar: str, title_en: str = "", abstract_ar: str = "",
                          abstract_en: str = "") -> WorkingPaper:
    """A paper to review, without speakers and outside any session."""
    return WorkingPaper.objects.create(
        forum=forum, title_ar=title_ar or title_en, title_en=title_en, abstract_ar=abstract_ar,
        abstract_en=abstract_en, status=WorkingPaper.Status.SUBMITTED,
    )


@transaction.atomic
def paper_for_review_update(*, paper: WorkingPaper, **texts) -> WorkingPaper:
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown paper fields: {sorted(unknown)}")
    if "title_ar" in texts and not texts["title_ar"]:
        texts["title_ar"] = texts.get("title_en") or paper.title_ar
    for key, value in texts.items():
        setattr(paper, key, value)
    paper.save(update_fields=list(texts))
    return paper


def paper_file_add_checked(*, paper: WorkingPaper, source, kind: str, original_name: str, size: int, sha256: str,
                           uploaded_by=None) -> PaperFile:
    """A new version of the paper's file from a file already checked by speakers.uploads.inspect_upload."""
    stored = PaperFile(paper=paper, role=PaperFile.Role.PAPER, kind=kind, original_name=original_name[-255:],
                       size=size, sha256=sha256, uploaded_by=uploaded_by)
    source.open("rb")
    try:
        stored.file.save(f"{uuid.uuid4().hex}.{kind}", File(source), save=False)
    finally:
        source.close()
    try:
        with transaction.atomic():
            WorkingPaper.objects.select_for_update().get(pk=paper.pk)
            last = PaperFile.objects.filter(paper=paper, role=PaperFile.Role.PAPER).aggregate(m=Max("version"))["m"]
            stored.version = (last or 0) + 1
            stored.save()
    except BaseException:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


@transaction.atomic
def paper_call_outcome(*, paper: WorkingPaper, status: str, decided_by=None,
                       speakers: list[Person] | tuple = ()) -> WorkingPaper:
    """Record the call's outcome on the paper: accepted (with its speakers) or rejected."""
    if status not in (WorkingPaper.Status.ACCEPTED, WorkingPaper.Status.REJECTED, WorkingPaper.Status.SUBMITTED):
        raise ValueError(status)
    paper = WorkingPaper.objects.select_for_update().get(pk=paper.pk)
    paper.status = status
    paper.decided_at = timezone.now() if status != WorkingPaper.Status.SUBMITTED else paper.decided_at
    paper.decided_by = decided_by
    paper.save(update_fields=["status", "decided_at", "decided_by"])
    if speakers:
        paper.speakers.add(*speakers)
    return paper


def accepted_unscheduled(*, forum: Forum):
    """Accepted papers with no place in a session yet: the builder's "accepted, not yet scheduled" list."""
    return (
        WorkingPaper.objects.filter(forum=forum, status=WorkingPaper.Status.ACCEPTED, session_item__isnull=True,
                                    session__isnull=True)
        .prefetch_related("speakers").order_by("id")
    )


@transaction.atomic
def paper_place(*, paper: WorkingPaper, session: Session) -> SessionItem:
    """Place an accepted paper into a session, through the agenda's own services: an item at the end of
    its run, presented by its first speaker, who (with any others) also becomes a speaker of the session."""
    paper = WorkingPaper.objects.select_for_update().get(pk=paper.pk)
    speakers = list(paper.speakers.order_by("id"))
    item = session_item_add(
        session=session, kind=SessionItem.Kind.PAPER, presenter=speakers[0] if speakers else None,
        title_ar=paper.title_ar[:255], title_en=paper.title_en[:255],
    )
    for person in speakers:
        if not SessionRole.objects.filter(session=session, person=person, role=SessionRole.Role.SPEAKER).exists():
            session_role_add(session=session, person=person, role=SessionRole.Role.SPEAKER)
    paper.session = session
    paper.session_item = item
    paper.save(update_fields=["session", "session_item"])
    return item
