"""From score sheets to winners: compute, finalize (chair), approve (committee), publish (owners).

The committee is the cycle's chair and the programme's committee members; each
records their approval, and the results are approved once the chair and a
majority of the committee have (see committee_rule_met). Any change to the
results afterwards (finalizing again, reopening, a new order on stage) voids
the approvals recorded so far.

A judge's total for an entry is the weighted mean of their criterion scores,
each criterion scored as points over its maximum (out of 100). Only judges who
scored every criterion count. The entry's judged score is the mean of the
judges' totals, or the trimmed mean when the programme says so; a reported
field visit adds its adjustment. Awards rank entries per category (equal
scores share a rank and are flagged as tied); assessments place them in tiers
by thresholds. Publishing places the winners on the ceremony session's
honoring list through the sessions services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import scoring
from forum.errors import DomainError, PermissionDenied
from sessions.models import Honoree
from sessions.services import honoree_place

from .. import permissions
from ..certificates import winner_proof_url, winners_certify
from ..models import Category, Cycle, FieldVisit, Programme, ProgrammeMember, Result, ResultApproval, ScoreSheet, Tier
from ._common import require_owner, send_bilingual


@dataclass
class Computed:
    nomination_id: int
    category_id: int
    judges: int
    judged_score: Decimal
    adjustment: Decimal
    score: Decimal
    spread: Decimal
    divergent: bool
    rank: int = 0
    tied: bool = False
    tier_id: int | None = None
    is_winner: bool = False


def judge_totals(*, cycle: Cycle) -> dict[int, tuple[int, list[float]]]:
    """nomination id -> (category id, each complete judge's weighted total out of 100). Two queries."""
    top_counts = dict(
        Category.objects.filter(cycle=cycle)
        .annotate(n=Count("criteria", filter=Q(criteria__parent=None)))
        .values_list("id", "n")
    )
    rows = (
        ScoreSheet.objects.filter(nomination__cycle=cycle, nomination__status__in=permissions.JUDGEABLE)
        .values("nomination_id", "judge_id", "nomination__category_id")
        .annotate(
            # Cast first: SQLite keeps whole decimals as integers and would divide them as integers.
            weighted=Sum(Cast("points", FloatField()) * Cast("weight", FloatField()) / Cast("max_points", FloatField())),
            weights=Sum(Cast("weight", FloatField())),
            sheets=Count("id"),
        )
        .values_list("nomination_id", "nomination__category_id", "weighted", "weights", "sheets")
        .order_by()
    )
    totals: dict[int, tuple[int, list[float]]] = {}
    for nomination_id, category_id, weighted, weights, sheets in rows:
        if sheets != top_counts.get(category_id) or not weights:
            continue  # an unfinished sheet set does not count yet
        totals.setdefault(nomination_id, (category_id, []))[1].append(100.0 * weighted / weights)
    return totals


def results_compute(*, cycle: Cycle, programme: Programme | None = None) -> list[Computed]:
    """Every scored entry's result for the cycle, ranked per category, with tiers. Five queries."""
    programme = programme or cycle.programme
    totals = judge_totals(cycle=cycle)
    adjustments = dict(
        FieldVisit.objects.filter(nomination__cycle=cycle, status=FieldVisit.Status.REPORTED)
        .values("nomination_id").annotate(total=Sum("score_adjustment")).values_list("nomination_id", "total")
        .order_by()
    )
    winners = dict(Category.objects.filter(cycle=cycle).values_list("id", "winners"))
    tiers = list(Tier.objects.filter(cycle=cycle).values_list("id", "min_score", "honored"))
    honored_tiers = {tid for tid, _m, honored in tiers if honored}
    thresholds = [(tid, float(minimum)) for tid, minimum, _h in tiers]
    trimmed = programme.aggregation == Programme.Aggregation.TRIMMED
    threshold = float(programme.divergence_threshold)
    computed: list[Computed] = []
    for nomination_id, (category_id, values) in totals.items():
        judged = scoring.trimmed_mean(values, programme.trim) if trimmed else sum(values) / len(values)
        adjustment = Decimal(adjustments.get(nomination_id) or 0)
        score = min(max(judged + float(adjustment), 0.0), 100.0)
        computed.append(Computed(
            nomination_id=nomination_id, category_id=category_id, judges=len(values),
            judged_score=scoring.to_points(judged), adjustment=adjustment, score=scoring.to_points(score),
            spread=scoring.to_points(scoring.spread(values)), divergent=scoring.is_divergent(values, threshold),
        ))
    by_category: dict[int, list[Computed]] = {}
    for row in computed:
        by_category.setdefault(row.category_id, []).append(row)
    assessment = programme.is_assessment
    for category_id, rows in by_category.items():
        by_id = {row.nomination_id: row for row in rows}
        for nomination_id, rank, tied in scoring.rank_with_ties([(r.nomination_id, r.score) for r in rows]):
            row = by_id[nomination_id]
            row.rank, row.tied = rank, tied
            row.tier_id = scoring.tier_for(row.score, thresholds)
            row.is_winner = (row.tier_id in honored_tiers) if assessment else rank <= winners[category_id]
    return computed


def _require_chair(user, cycle: Cycle) -> None:
    if not permissions.is_chair(user, cycle):
        raise PermissionDenied(_("Only the committee chair may do this."))


@transaction.atomic
def results_finalize(*, cycle: Cycle, user) -> list[Result]:
    """The chair closes judging: results are computed and frozen (again, until the committee approves)."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cycle.pk)
    _require_chair(user, cycle)
    if cycle.results not in (Cycle.Results.PENDING, Cycle.Results.FINALIZED):
        raise DomainError(_("The results are already approved."), field="results", code="approved")
    computed = results_compute(cycle=cycle, programme=cycle.programme)
    if not computed:
        raise DomainError(_("No entry has a complete set of scores yet."), field="results", code="no_scores")
    Result.objects.filter(cycle=cycle).delete()
    ResultApproval.objects.filter(cycle=cycle).delete()  # approvals were of the results replaced here
    rows = Result.objects.bulk_create([
        Result(
            cycle=cycle, nomination_id=c.nomination_id, category_id=c.category_id, judges=c.judges,
            judged_score=c.judged_score, adjustment=c.adjustment, score=c.score, rank=c.rank, tied=c.tied,
            divergent=c.divergent, spread=c.spread, tier_id=c.tier_id, is_winner=c.is_winner,
        )
        for c in computed
    ])
    cycle.results, cycle.finalized_at = Cycle.Results.FINALIZED, timezone.now()
    cycle.save(update_fields=["results", "finalized_at"])
    return rows


@transaction.atomic
def results_reopen(*, cycle: Cycle, user) -> Cycle:
    """The chair reopens judging before approval (e.g. to resolve a divergence)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_chair(user, cycle)
    if cycle.results != Cycle.Results.FINALIZED:
        raise DomainError(_("Only finalized, unapproved results can be reopened."), field="results", code="state")
    Result.objects.filter(cycle=cycle).delete()
    ResultApproval.objects.filter(cycle=cycle).delete()
    cycle.results, cycle.finalized_at = Cycle.Results.PENDING, None
    cycle.save(update_fields=["results", "finalized_at"])
    return cycle


def _winners(cycle: Cycle) -> list[Result]:
    return list(
        Result.objects.filter(cycle=cycle, is_winner=True)
        .select_related("category", "tier", "nomination__nominee_person", "nomination__nominee_organization",
                        "nomination__applicant")
        .order_by("category__order", "category_id", "rank", "id")
    )


@transaction.atomic
def winners_order_set(*, cycle: Cycle, user, ids: list[int]) -> list[Result]:
    """The committee sets the order in which winners go on stage (result ids, all winners)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not (permissions.is_chair(user, cycle) or permissions.is_owner(user, cycle.programme_id)):
        raise PermissionDenied(_("Only the committee chair or the programme's owners may do this."))
    if cycle.results not in (Cycle.Results.FINALIZED, Cycle.Results.APPROVED):
        raise DomainError(_("Set the order once the results are finalized, before publishing."), field="ids",
                          code="state")
    winners = {r.pk: r for r in _winners(cycle)}
    if len(set(ids)) != len(ids) or set(ids) != set(winners):
        raise DomainError(_("List every winner exactly once."), field="ids", code="not_all_winners")
    changed = any(winners[rid].honor_order != place for place, rid in enumerate(ids, start=1))
    for place, rid in enumerate(ids, start=1):
        winners[rid].honor_order = place
    Result.objects.bulk_update(list(winners.values()), ["honor_order"])
    if changed:
        _approvals_void(cycle)
    return [winners[i] for i in ids]


def _approvals_void(cycle: Cycle) -> None:
    """The results changed: what the committee approved is no longer what would be published."""
    ResultApproval.objects.filter(cycle=cycle).delete()
    if cycle.results == Cycle.Results.APPROVED:
        cycle.results, cycle.approved_at = Cycle.Results.FINALIZED, None
        cycle.save(update_fields=["results", "approved_at"])


def committee_ids(cycle: Cycle) -> set[int]:
    """The user ids of the cycle's committee: the programme's committee members and the chair. One query."""
    ids = set(ProgrammeMember.objects.filter(programme=cycle.programme_id, role=ProgrammeMember.Role.COMMITTEE)
              .values_list("user_id", flat=True))
    if cycle.chair_id is not None:
        ids.add(cycle.chair_id)
    return ids


def committee_rule_met(*, committee: set[int], approved: set[int], chair_id: int | None) -> bool:
    """The chair has approved, and so has a strict majority of the committee (the chair counted)."""
    if chair_id is None or chair_id not in approved:
        return False
    return 2 * len(approved & committee) > len(committee)


@transaction.atomic
def results_approve(*, cycle: Cycle, user) -> Cycle:
    """A committee member (the chair or a member with the committee role) records their approval of
    the finalized results. The results become approved when the chair and a strict majority of the
    committee (chair counted) have approved, as a committee votes; only then may they be published.
    Winners then keep the order set, or go by category and rank."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not permissions.is_committee_member(user, cycle):
        raise PermissionDenied(_("Only the committee chair and members may approve the results."))
    if cycle.results != Cycle.Results.FINALIZED:
        raise DomainError(_("Only finalized results can be approved."), field="results", code="state")
    if ResultApproval.objects.filter(cycle=cycle, user=user).exists():
        raise DomainError(_("You have already approved these results."), field="results", code="duplicate")
    ResultApproval.objects.create(cycle=cycle, user=user)
    approved = set(ResultApproval.objects.filter(cycle=cycle).values_list("user_id", flat=True))
    if not committee_rule_met(committee=committee_ids(cycle), approved=approved, chair_id=cycle.chair_id):
        return cycle
    winners = _winners(cycle)
    if any(w.honor_order is None for w in winners):
        for place, w in enumerate(winners, start=1):
            w.honor_order = place
        Result.objects.bulk_update(winners, ["honor_order"])
    cycle.results, cycle.approved_at = Cycle.Results.APPROVED, timezone.now()
    cycle.save(update_fields=["results", "approved_at"])
    return cycle


@transaction.atomic
def results_approval_withdraw(*, cycle: Cycle, user) -> Cycle:
    """A committee member takes back their own approval while the results are not yet published, as a
    member may change their vote before the decision is announced. If the chair and a majority no
    longer stand behind the results, they are no longer approved and cannot be published."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not permissions.is_committee_member(user, cycle):
        raise PermissionDenied(_("Only the committee chair and members may approve the results."))
    if cycle.results not in (Cycle.Results.FINALIZED, Cycle.Results.APPROVED):
        raise DomainError(_("An approval can be withdrawn only before the results are published."),
                          field="results", code="state")
    deleted, _rows = ResultApproval.objects.filter(cycle=cycle, user=user).delete()
    if not deleted:
        raise DomainError(_("You have not approved these results."), field="results", code="not_approved")
    approved = set(ResultApproval.objects.filter(cycle=cycle).values_list("user_id", flat=True))
    if cycle.results == Cycle.Results.APPROVED and not committee_rule_met(
            committee=committee_ids(cycle), approved=approved, chair_id=cycle.chair_id):
        cycle.results, cycle.approved_at = Cycle.Results.FINALIZED, None
        cycle.save(update_fields=["results", "approved_at"])
    return cycle


@transaction.atomic
def results_publish(*, cycle: Cycle, user) -> Cycle:
    """Publish approved results on the programme page; winners become honorees of the ceremony
    session (reason: award winner) in the committee's order, get award certificates of the ceremony
    forum, and their applicants are told, with the certificate (or result page) as proof."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("programme", "forum", "ceremony_session").get(pk=cycle.pk)
    require_owner(user, cycle.programme)
    if cycle.results != Cycle.Results.APPROVED:
        # APPROVED is reached only when the committee rule is met (results_approve).
        raise DomainError(_("The committee must approve the results before they are published."),
                          field="results", code="not_approved")
    winners = sorted(_winners(cycle), key=lambda r: (r.honor_order or 0, r.pk))
    if cycle.forum_id:
        gift = Honoree.Gift.SHIELD
        for place, result in enumerate(winners, start=1):
            nomination = result.nomination
            label = result.tier.name_ar if result.tier_id else result.category.name_ar
            honoree_place(
                forum=cycle.forum, session=cycle.ceremony_session, reason=Honoree.Reason.AWARD_WINNER,
                person=nomination.nominee_person, organization=nomination.nominee_organization, gift=gift,
                order=place, note=f"{cycle.programme.name_ar} — {label}",
            )
    cycle.results, cycle.published_at, cycle.is_public = Cycle.Results.PUBLISHED, timezone.now(), True
    cycle.save(update_fields=["results", "published_at", "is_public"])
    winners_certify(cycle=cycle, winners=winners, by=user)
    programme = cycle.programme
    for result in winners:
        nomination = result.nomination
        url = winner_proof_url(result)
        label_ar = result.tier.name_ar if result.tier_id else result.category.name_ar
        label_en = (result.tier.name_en or result.tier.name_ar) if result.tier_id else (
            result.category.name_en or result.category.name_ar)
        send_bilingual(
            to=nomination.applicant.email,
            subject_ar=f"تهانينا: {programme.name_ar}", subject_en=f"Congratulations: {programme.name_en or programme.name_ar}",
            ar=f"يسرّنا إبلاغكم بفوز «{nomination.nominee_name_ar}» في {programme.name_ar} "
               f"(الدورة {cycle.number}) — {label_ar}.\nصفحة النتيجة الموثّقة: {url}\n",
            en=f"We are pleased to tell you that “{nomination.nominee_name_ar}” won in "
               f"{programme.name_en or programme.name_ar} (cycle {cycle.number}) — {label_en}.\n"
               f"Verifiable result page: {url}\n",
            kind="awards.winner", related=result,
        )
    return cycle
