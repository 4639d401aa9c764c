"""Review of submissions, on speakers' review: theme pools, conflict exclusion, assignment in bulk
balancing load, and the ranking per theme (in calls.selectors)."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.formatting import search_normalize
from forum.models import Track
from speakers.models import ReviewAssignment
from speakers.services import review_assign

from ..models import Call, Submission, ThemeReviewer
from ._common import require_organizer

REVIEWABLE = (Submission.Status.SUBMITTED, Submission.Status.UNDER_REVIEW)


def _norm(text: str) -> str:
    return " ".join(search_normalize(text).split())


def author_marks(submission: Submission) -> tuple[set[str], set[int]]:
    """(normalized e-mails and organization names, organization ids) of the submission's authors."""
    marks: set[str] = set()
    org_ids: set[int] = set()
    person = submission.submitter
    if person.email:
        marks.add("@" + person.email.lower())
    if person.organization_id:
        org_ids.add(person.organization_id)
        org = person.organization
        marks.update(_norm(n) for n in (org.name_ar, org.name_en) if n)
    for c in submission.coauthors.all():
        marks.add("@" + c.email.lower())
        if c.organization:
            marks.add(_norm(c.organization))
    return marks, org_ids


def reviewer_marks(user) -> tuple[set[str], int | None]:
    marks = {"@" + user.email.lower()} if user.email else set()
    person = getattr(user, "person", None)
    org_id = None
    if person is not None:
        if person.email:
            marks.add("@" + person.email.lower())
        if person.organization_id:
            org_id = person.organization_id
            org = person.organization
            marks.update(_norm(n) for n in (org.name_ar, org.name_en) if n)
    return marks, org_id


def has_conflict(submission: Submission, user, *, marks=None) -> bool:
    """The reviewer is an author, or works at an author's organization."""
    a_marks, a_orgs = marks or author_marks(submission)
    r_marks, r_org = reviewer_marks(user)
    return bool(a_marks & r_marks) or (r_org is not None and r_org in a_orgs)


@transaction.atomic
def theme_reviewers_set(*, call: Call, theme: Track, reviewers, user) -> list[ThemeReviewer]:
    """The pool of reviewers of one theme (replaces the previous pool)."""
    require_organizer(user, call.forum)
    if theme.forum_id != call.forum_id:
        raise DomainError(_("Choose one of this forum's themes."), field="theme", code="other_forum")
    ids = {u.pk for u in reviewers}
    ThemeReviewer.objects.filter(call=call, theme=theme).exclude(reviewer_id__in=ids).delete()
    have = set(ThemeReviewer.objects.filter(call=call, theme=theme).values_list("reviewer_id", flat=True))
    ThemeReviewer.objects.bulk_create([ThemeReviewer(call=call, theme=theme, reviewer_id=i) for i in ids - have])
    return list(ThemeReviewer.objects.filter(call=call, theme=theme).select_related("reviewer"))


def _to_review(submission: Submission) -> None:
    if submission.status == Submission.Status.SUBMITTED:
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.UNDER_REVIEW)
        submission.status = Submission.Status.UNDER_REVIEW


@transaction.atomic
def reviewer_assign(*, submission: Submission, reviewer, user) -> ReviewAssignment:
    """Assign one reviewer by hand; an author or a colleague of an author is refused."""
    require_organizer(user, submission.call.forum, _("Only the organizers may assign reviewers."))
    if submission.status not in REVIEWABLE or submission.paper_id is None:
        raise DomainError(_("Only submitted papers are reviewed."), field="submission", code="not_submitted")
    if has_conflict(submission, reviewer):
        raise DomainError(_("This reviewer is an author or from an author's organization."), field="reviewer",
                          code="conflict")
    assignment = review_assign(paper=submission.paper, reviewer=reviewer, assigned_by=user)
    _to_review(submission)
    return assignment


@transaction.atomic
def reviewers_assign_bulk(*, call: Call, user, theme: Track | None = None) -> dict:
    """Give every submitted submission (of a theme, or all) up to the call's number of reviewers.

    Reviewers come from the theme's pool, least loaded first (their assignments in this call), never
    an author or a colleague of an author. Returns {"assigned": n, "short": [submission ids]}.
    """
    require_organizer(user, call.forum, _("Only the organizers may assign reviewers."))
    subs = (Submission.objects.filter(call=call, status__in=REVIEWABLE, paper__isnull=False)
            .select_related("submitter__organization", "paper__forum", "call__forum")
            .prefetch_related("coauthors", "paper__reviews").order_by("id"))
    if theme is not None:
        subs = subs.filter(theme=theme)
    pools: dict[int, list[int]] = {}
    for row in ThemeReviewer.objects.filter(call=call).values("theme_id", "reviewer_id"):
        pools.setdefault(row["theme_id"], []).append(row["reviewer_id"])
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in={i for ids in pools.values() for i in ids}).select_related("person__organization")}
    load = Counter(ReviewAssignment.objects.filter(paper__submission__call=call).values_list("reviewer_id",
                                                                                             flat=True))
    assigned, short = 0, []
    for sub in subs:
        have = {a.reviewer_id for a in sub.paper.reviews.all()}
        need = call.reviewers_per_submission - len(have)
        if need <= 0:
            continue
        marks = author_marks(sub)
        candidates = [users[i] for i in pools.get(sub.theme_id, []) if i in users and i not in have]
        candidates = [u for u in candidates if not has_conflict(sub, u, marks=marks)]
        candidates.sort(key=lambda u: (load[u.pk], u.pk))
        for reviewer in candidates[:need]:
            review_assign(paper=sub.paper, reviewer=reviewer, assigned_by=user)
            load[reviewer.pk] += 1
            assigned += 1
        if len(candidates) < need:
            short.append(sub.pk)
        if candidates:
            _to_review(sub)
    return {"assigned": assigned, "short": short}
