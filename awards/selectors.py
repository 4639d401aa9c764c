"""Reads shared by the pages, the API and the exports, each in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from . import permissions
from .models import (
    Category,
    Conflict,
    Criterion,
    Cycle,
    FieldVisit,
    JudgeAssignment,
    Nomination,
    NominationDocument,
    Programme,
    ProgrammeMember,
    Result,
    ScoreSheet,
    Tier,
)

NOMINEE = ("nominee_person__organization", "nominee_organization")


def programmes_public() -> QuerySet[Programme]:
    return Programme.objects.filter(cycles__is_public=True).distinct().select_related("owner")


def programmes_for_user(user) -> QuerySet[Programme]:
    if user.is_superuser:
        return Programme.objects.select_related("owner")
    return Programme.objects.filter(members__user=user).distinct().select_related("owner")


def cycle_get(*, programme_slug: str, number: int) -> Cycle | None:
    return (
        Cycle.objects.select_related("programme__owner", "forum", "ceremony_session", "chair")
        .filter(programme__slug=programme_slug, number=number).first()
    )


def cycle_categories(*, cycle: Cycle) -> list[Category]:
    """Categories with their criteria (sub-criteria under each), documents and questions: four queries."""
    criteria = Criterion.objects.filter(parent=None).prefetch_related(
        Prefetch("children", queryset=Criterion.objects.order_by("order", "id"))
    ).order_by("order", "id")
    return list(
        Category.objects.filter(cycle=cycle).order_by("order", "id")
        .prefetch_related(Prefetch("criteria", queryset=criteria, to_attr="top_criteria"), "documents", "questions")
    )


def cycle_tiers(*, cycle: Cycle) -> list[Tier]:
    return list(Tier.objects.filter(cycle=cycle).order_by("-min_score"))


@dataclass
class Workspace:
    cycle: Cycle
    manages: bool
    judges: bool
    chairs: bool
    approves: bool = False  # on the committee (the chair, or a committee member)


def workspaces_for_user(*, user) -> list[Workspace]:
    """The cycles of the programmes in which the user has a role, with what they do there: two queries."""
    roles: dict[int, set[str]] = defaultdict(set)
    for programme_id, role in ProgrammeMember.objects.filter(user=user).values_list("programme_id", "role"):
        roles[programme_id].add(role)
    cycles = Cycle.objects.filter(programme_id__in=list(roles)).select_related("programme").order_by(
        "programme__name_ar", "-number")
    return [
        Workspace(cycle=c, manages=bool(roles[c.programme_id] & {"owner", "staff"}),
                  judges="judge" in roles[c.programme_id], chairs=c.chair_id == user.pk,
                  approves=c.chair_id == user.pk or "committee" in roles[c.programme_id])
        for c in cycles
    ]


# -- applicants -----------------------------------------------------------------------------------


def nominations_of_applicant(*, person) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(applicant=person)
        .select_related("cycle__programme", "category", *NOMINEE)
        .order_by("-created_at")
    )


def nomination_documents(*, nomination: Nomination) -> dict[int, list[NominationDocument]]:
    """Required document id -> uploaded versions, newest first."""
    out: dict[int, list[NominationDocument]] = defaultdict(list)
    for doc in NominationDocument.objects.filter(nomination=nomination).order_by("document_id", "-version"):
        out[doc.document_id].append(doc)
    return out


# -- judges -----------------------------------------------------------------------------------------


@dataclass
class JudgeEntry:
    nomination: Nomination
    scored: int
    criteria: int

    @property
    def done(self) -> bool:
        return self.criteria > 0 and self.scored >= self.criteria


@dataclass
class JudgeCategory:
    category: Category
    criteria: int
    entries: list[JudgeEntry] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.done)


def judge_dashboard(*, user, cycle: Cycle) -> list[JudgeCategory]:
    """A judge's categories and the entries they may score, with their own progress.

    Conflicted entries (declared, or from the judge's own organization) are left
    out entirely. Five queries whatever the number of entries.
    """
    categories = list(
        Category.objects.filter(cycle=cycle, judges__judge=user)
        .annotate(n=Count("criteria", filter=Q(criteria__parent=None)))
        .order_by("order", "id")
    )
    nominations = list(
        Nomination.objects.filter(cycle=cycle, category__in=[c.pk for c in categories],
                                  status__in=permissions.JUDGEABLE)
        .select_related(*NOMINEE).order_by("category_id", "id")
    )
    hidden = permissions.conflicted_ids(user, nominations)
    scored = dict(
        ScoreSheet.objects.filter(judge=user, nomination__cycle=cycle)
        .values("nomination_id").annotate(n=Count("id")).values_list("nomination_id", "n").order_by()
    )
    out = {c.pk: JudgeCategory(category=c, criteria=c.n) for c in categories}
    for n in nominations:
        if n.pk not in hidden:
            group = out[n.category_id]
            group.entries.append(JudgeEntry(nomination=n, scored=scored.get(n.pk, 0), criteria=group.criteria))
    return list(out.values())


def judge_sheets(*, user, nomination: Nomination) -> dict[int, ScoreSheet]:
    return {
        s.criterion_id: s
        for s in ScoreSheet.objects.filter(judge=user, nomination=nomination).prefetch_related("parts")
    }


# -- staff ------------------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    nomination: Nomination
    cells: list[tuple[object, str]]  # (judge, "done" | "partial" | "none" | "conflict")


def judging_progress(*, cycle: Cycle) -> list[tuple[Category, list, list[ProgressRow]]]:
    """Who has scored what: per category, judges × entries. Six queries."""
    categories = list(
        Category.objects.filter(cycle=cycle).annotate(n=Count("criteria", filter=Q(criteria__parent=None)))
        .order_by("order", "id")
    )
    judges: dict[int, list] = defaultdict(list)
    for assignment in JudgeAssignment.objects.filter(category__cycle=cycle).select_related("judge__person"):
        judges[assignment.category_id].append(assignment.judge)
    nominations = list(
        Nomination.objects.filter(cycle=cycle, status__in=permissions.JUDGEABLE).select_related(*NOMINEE)
        .order_by("category_id", "id")
    )
    counts = {
        (n, j): c for n, j, c in ScoreSheet.objects.filter(nomination__cycle=cycle)
        .values("nomination_id", "judge_id").annotate(c=Count("id")).values_list("nomination_id", "judge_id", "c")
        .order_by()
    }
    conflicts = set(Conflict.objects.filter(nomination__cycle=cycle).values_list("nomination_id", "judge_id"))
    need = {c.pk: c.n for c in categories}
    rows: dict[int, list[ProgressRow]] = defaultdict(list)
    for n in nominations:
        nominee_org = n.nominee_organization_id or (n.nominee_person.organization_id if n.nominee_person_id else None)
        cells = []
        for judge in judges[n.category_id]:
            judge_org = getattr(getattr(judge, "person", None), "organization_id", None)
            if (n.pk, judge.pk) in conflicts or (judge_org is not None and judge_org == nominee_org):
                state = "conflict"
            else:
                count = counts.get((n.pk, judge.pk), 0)
                state = "done" if count >= need[n.category_id] > 0 else ("partial" if count else "none")
            cells.append((judge, state))
        rows[n.category_id].append(ProgressRow(nomination=n, cells=cells))
    return [(c, judges[c.pk], rows[c.pk]) for c in categories]


def nominations_for_staff(*, cycle: Cycle, status: str = "", category: int | None = None) -> QuerySet[Nomination]:
    qs = Nomination.objects.filter(cycle=cycle).select_related("category", "applicant", *NOMINEE)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id=category)
    return qs.order_by("category__order", "category_id", "id")


def visits_for_cycle(*, cycle: Cycle) -> QuerySet[FieldVisit]:
    return (
        FieldVisit.objects.filter(nomination__cycle=cycle)
        .select_related("nomination__category", "nomination__nominee_person", "nomination__nominee_organization")
        .prefetch_related("assessors").order_by("starts_at", "id")
    )


def visits_for_assessor(*, user) -> QuerySet[FieldVisit]:
    return (
        FieldVisit.objects.filter(assessors=user).exclude(status=FieldVisit.Status.CANCELLED)
        .select_related("nomination__cycle__programme", "nomination__category", "nomination__nominee_person",
                        "nomination__nominee_organization")
        .order_by("starts_at", "id")
    )


# -- results ----------------------------------------------------------------------------------------


def results_table(*, cycle: Cycle, winners_only: bool = False) -> list[Result]:
    """The cycle's results by category and rank: one query."""
    qs = Result.objects.filter(cycle=cycle).select_related(
        "category", "tier", "nomination__nominee_person__organization", "nomination__nominee_organization"
    )
    if winners_only:
        qs = qs.filter(is_winner=True)
    return list(qs.order_by("category__order", "category_id", "rank", "id"))


def result_by_code(code: str) -> Result | None:
    return (
        Result.objects.filter(public_code=code, cycle__results=Cycle.Results.PUBLISHED, is_winner=True)
        .select_related("cycle__programme__owner", "category", "tier", "nomination__nominee_person",
                        "nomination__nominee_organization")
        .first()
    )


# -- reports ----------------------------------------------------------------------------------------


@dataclass
class Report:
    per_category: list[tuple[str, int]]
    per_organization: list[tuple[str, int]]
    per_stage: list[tuple[str, int]]
    distributions: list[tuple[str, str, list[int]]]  # category, criterion, counts per 10-point bucket
    comparison: list[tuple[str, int, int | None, float | None, float | None]]


def _mean_scores(cycle: Cycle) -> dict[str, float]:
    out: dict[str, list[float]] = defaultdict(list)
    for name, score in Result.objects.filter(cycle=cycle).values_list("category__name_ar", "score"):
        out[name].append(float(score))
    return {k: round(sum(v) / len(v), 2) for k, v in out.items()}


def cycle_report(*, cycle: Cycle) -> Report:
    """Nominations per category, organization and stage; score distributions per criterion;
    a comparison with the previous cycle of the programme."""
    base = Nomination.objects.filter(cycle=cycle)
    per_category = list(
        base.values_list("category__name_ar").annotate(n=Count("id")).order_by("category__order", "category_id")
    )
    orgs = Counter()
    for org_name, person_org in base.values_list("nominee_organization__name_ar",
                                                 "nominee_person__organization__name_ar"):
        orgs[org_name or person_org or "—"] += 1
    labels = dict(Nomination.Status.choices)
    per_stage = [(str(labels[s]), n) for s, n in base.values_list("status").annotate(n=Count("id")).order_by("status")]
    buckets: dict[tuple[str, str], list[int]] = {}
    for category, criterion, points, maximum in ScoreSheet.objects.filter(nomination__cycle=cycle).values_list(
        "criterion__category__name_ar", "criterion__name_ar", "points", "max_points"
    ).order_by("criterion__category__order", "criterion__order", "criterion_id"):
        row = buckets.setdefault((category, criterion), [0] * 10)
        row[min(int(10 * points / maximum), 9)] += 1
    previous = Cycle.objects.filter(programme=cycle.programme_id, number__lt=cycle.number).order_by("-number").first()
    now_counts = dict(per_category)
    before_counts = dict(
        Nomination.objects.filter(cycle=previous).values_list("category__name_ar").annotate(n=Count("id"))
    ) if previous else {}
    now_means = _mean_scores(cycle)
    before_means = _mean_scores(previous) if previous else {}
    comparison = [
        (name, now_counts.get(name, 0), before_counts.get(name) if previous else None, now_means.get(name),
         before_means.get(name))
        for name in list(now_counts) + [n for n in before_counts if n not in now_counts]
    ]
    return Report(
        per_category=per_category, per_organization=sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0])),
        per_stage=per_stage, distributions=[(c, k, v) for (c, k), v in buckets.items()], comparison=comparison,
    )


# -- set-up pages -----------------------------------------------------------------------------------


def setup_programmes(*, user) -> list[Programme]:
    """The programmes the user owns or staffs (all, for a superuser), each with its cycles: two queries."""
    programmes = Programme.objects.select_related("owner").prefetch_related(
        Prefetch("cycles", queryset=Cycle.objects.order_by("-number")))
    if not user.is_superuser:
        programmes = programmes.filter(pk__in=ProgrammeMember.objects.filter(
            user=user, role__in=[ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF]).values("programme_id"))
    return list(programmes.order_by("name_ar"))


def programme_members(*, programme: Programme) -> list[ProgrammeMember]:
    """Everyone with a role in the programme, by role: one query."""
    return list(ProgrammeMember.objects.filter(programme=programme).select_related("user__person")
                .order_by("role", "user__email", "id"))


def setup_categories(*, cycle: Cycle) -> list[Category]:
    """The cycle's categories with criteria, sub-criteria, documents, questions and judges: six queries."""
    criteria = Criterion.objects.filter(parent=None).prefetch_related(
        Prefetch("children", queryset=Criterion.objects.order_by("order", "id"))
    ).order_by("order", "id")
    return list(
        Category.objects.filter(cycle=cycle).order_by("order", "id").prefetch_related(
            Prefetch("criteria", queryset=criteria, to_attr="top_criteria"), "documents", "questions",
            Prefetch("judges", queryset=JudgeAssignment.objects.select_related("judge__person").order_by("id")),
        )
    )
