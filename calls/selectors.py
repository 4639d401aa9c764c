"""Reads about the call shared by the pages, the API and exports; lists in a constant number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from forum import permissions as forum_permissions
from forum.models import Forum, Person
from speakers import intake
from speakers import selectors as speaker_selectors
from speakers.models import ReviewAssignment

from .models import Call, Decision, Submission


def call_for_forum(forum: Forum) -> Call | None:
    return Call.objects.filter(forum=forum).prefetch_related("types").first()


def _reviews_prefetch() -> Prefetch:
    return Prefetch("paper__reviews", queryset=ReviewAssignment.objects.select_related("reviewer")
                    .prefetch_related("scores").order_by("id"))


def submissions_for_organizers(*, call: Call) -> QuerySet[Submission]:
    """Every submission with what the organizers' list shows: authors, theme, type, reviews, decision."""
    return (
        Submission.objects.filter(call=call).exclude(status=Submission.Status.DRAFT)
        .select_related("type", "theme", "submitter__organization", "paper", "decision")
        .prefetch_related("coauthors", _reviews_prefetch())
        .order_by("theme__order", "theme_id", "id")
    )


def submissions_for_person(*, person: Person | None, call: Call | None = None) -> QuerySet[Submission]:
    """A submitter's own submissions (and nothing else)."""
    if person is None:
        return Submission.objects.none()
    qs = Submission.objects.filter(submitter=person).select_related("type", "theme", "call__forum", "decision") \
        .prefetch_related("coauthors").order_by("-id")
    return qs.filter(call=call) if call is not None else qs


def assignments_for_reviewer(*, user, call: Call) -> QuerySet[ReviewAssignment]:
    """The reviews asked of this user in this call (only those)."""
    if not (user and user.is_authenticated):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(reviewer=user, paper__submission__call=call)
        .select_related("paper__submission__type", "paper__submission__theme",
                        "paper__submission__submitter__organization")
        .prefetch_related("paper__submission__coauthors", "scores").order_by("id")
    )


def submission_visible_to(user, submission: Submission) -> str | None:
    """How the user may see the submission: "organizer", "author", "reviewer", or None."""
    if not (user and user.is_authenticated):
        return None
    if forum_permissions.can_edit_forum(user, submission.call.forum):
        return "organizer"
    person = speaker_selectors.person_for_user(user)
    if person is not None and submission.submitter_id == person.pk:
        return "author"
    if submission.paper_id and ReviewAssignment.objects.filter(paper_id=submission.paper_id, reviewer=user).exists():
        return "reviewer"
    return None


@dataclass
class Ranked:
    submission: Submission
    average: float | None
    reviews_done: int
    reviews_total: int


@dataclass
class ThemeRanking:
    theme: object
    rows: list[Ranked] = field(default_factory=list)


def ranking(*, call: Call) -> list[ThemeRanking]:
    """Per theme, the reviewed submissions by average weighted score (best first, unscored last)."""
    criteria = speaker_selectors.criteria_for_forum(forum=call.forum)
    themes: dict[int | None, ThemeRanking] = {}
    subs = submissions_for_organizers(call=call).filter(
        status__in=[Submission.Status.SUBMITTED, Submission.Status.UNDER_REVIEW, Submission.Status.ACCEPTED,
                    Submission.Status.REJECTED, Submission.Status.WAITLISTED, Submission.Status.CONFIRMED,
                    Submission.Status.EXPIRED])
    for sub in subs:
        reviews = list(sub.paper.reviews.all()) if sub.paper_id else []
        scores = []
        for review in reviews:
            if review.is_submitted:
                value = speaker_selectors.weighted_score({s.criterion_id: s.score for s in review.scores.all()},
                                                         criteria)
                if value is not None:
                    scores.append(value)
        average = round(sum(scores) / len(scores), 2) if scores else None
        group = themes.setdefault(sub.theme_id, ThemeRanking(theme=sub.theme))
        group.rows.append(Ranked(sub, average, sum(1 for r in reviews if r.is_submitted), len(reviews)))
    for group in themes.values():
        group.rows.sort(key=lambda r: (r.average is None, -(r.average or 0), r.submission.pk))
    return list(themes.values())


def statistics(*, call: Call) -> dict:
    """Counts by theme, type, organization and state, and the review progress."""
    base = Submission.objects.filter(call=call).exclude(status=Submission.Status.DRAFT)
    by_state = Counter(dict(base.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    by_theme = list(base.values("theme__name_ar", "theme__name_en").annotate(n=Count("id")).order_by("-n"))
    by_type = list(base.values("type__name_ar", "type__name_en").annotate(n=Count("id")).order_by("-n"))
    by_org = list(base.values("submitter__organization__name_ar").annotate(n=Count("id")).order_by("-n")[:50])
    reviews = ReviewAssignment.objects.filter(paper__submission__call=call).aggregate(
        total=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False)))
    return {
        "total": sum(by_state.values()),
        "drafts": Submission.objects.filter(call=call, status=Submission.Status.DRAFT).count(),
        "by_state": [{"status": s, "label": str(Submission.Status(s).label), "count": by_state.get(s, 0)}
                     for s in Submission.Status.values if s != Submission.Status.DRAFT],
        "by_theme": [{"name_ar": r["theme__name_ar"] or "", "name_en": r["theme__name_en"] or "", "count": r["n"]}
                     for r in by_theme],
        "by_type": [{"name_ar": r["type__name_ar"], "name_en": r["type__name_en"], "count": r["n"]} for r in by_type],
        "by_organization": [{"name": r["submitter__organization__name_ar"] or "", "count": r["n"]} for r in by_org],
        "reviews_total": reviews["total"], "reviews_done": reviews["done"],
        "decisions_unreleased": Decision.objects.filter(submission__call=call, released_at__isnull=True).count(),
    }


def accepted_unscheduled(*, forum: Forum):
    """The builder's "accepted, not yet scheduled" list: confirmed call papers (and any other accepted
    paper) that have no place in a session yet."""
    return intake.accepted_unscheduled(forum=forum).select_related("submission__theme")


EXPORT_HEADER = ["id", "status", "type", "theme", "title_ar", "title_en", "submitter", "email", "organization",
                 "coauthors", "keywords", "submitted_at", "reviews_done", "reviews_total", "average", "decision",
                 "released"]


def export_rows(*, call: Call):
    yield EXPORT_HEADER
    averages = {r.submission.pk: r for group in ranking(call=call) for r in group.rows}
    tz = call.forum.tzinfo
    for sub in submissions_for_organizers(call=call):
        ranked = averages.get(sub.pk)
        decision = getattr(sub, "decision", None)
        org = sub.submitter.organization
        yield [
            sub.pk, sub.status, sub.type.name_ar, sub.theme.name_ar if sub.theme else "", sub.title_ar, sub.title_en,
            sub.submitter.display_name_ar, sub.submitter.email, org.name_ar if org else "",
            "; ".join(f"{c.display_name_ar} <{c.email}>" for c in sub.coauthors.all()), sub.keywords,
            sub.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if sub.submitted_at else "",
            ranked.reviews_done if ranked else 0, ranked.reviews_total if ranked else 0,
            ranked.average if ranked and ranked.average is not None else "",
            decision.outcome if decision else "", "yes" if decision and decision.released_at else "",
        ]


def papers_pending_q() -> Q:
    """The working papers of submissions whose author has not confirmed (under review, decided, expired):
    the speakers' team lists leave them out until then (speakers.intake.pending_filter_register)."""
    return Q(submission__isnull=False) & ~Q(submission__status=Submission.Status.CONFIRMED)
