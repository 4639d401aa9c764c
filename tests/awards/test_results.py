"""From score sheets to published winners on the ceremony session."""

from decimal import Decimal

import pytest

from awards import services
from awards.models import Cycle, FieldVisit, Nomination, Programme, Result
from certificates.models import Certificate, Kind
from forum.errors import DomainError, PermissionDenied
from forum.mailing.models import OutgoingMessage
from sessions.models import Honoree
from tests.awards.factories import NominationFactory, award_world, member
from tests.factories import ForumFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def _score(world, nomination, judge, *values):
    services.score_sheets_save(
        nomination=nomination, user=judge,
        sheets={c.pk: {"points": v} for c, v in zip(world.criteria, values, strict=True)},
    )


def _by_nomination(computed):
    return {c.nomination_id: c for c in computed}


def test_weighted_mean_of_criteria_then_mean_of_judges():
    world = award_world(weights=(2, 1))
    nomination = NominationFactory(category=world.category)
    _score(world, nomination, world.judges[0], 8, 5)  # (80×2 + 50)/3 = 70
    _score(world, nomination, world.judges[1], 10, 10)  # 100
    result = _by_nomination(services.results_compute(cycle=world.cycle))[nomination.pk]
    assert result.judged_score == Decimal("85.00") and result.judges == 2
    assert result.spread == Decimal("30.00") and result.divergent is True  # threshold 20


def test_a_judge_who_has_not_scored_every_criterion_does_not_count_yet():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    _score(world, nomination, world.judges[0], 6, 6)
    services.score_sheets_save(nomination=nomination, user=world.judges[1],
                               sheets={world.criteria[0].pk: {"points": 1}})
    result = _by_nomination(services.results_compute(cycle=world.cycle))[nomination.pk]
    assert result.judges == 1 and result.judged_score == Decimal("60.00")


def test_trimmed_mean_drops_the_extreme_judges():
    world = award_world(judges=3, weights=(1,))
    world.programme.aggregation = Programme.Aggregation.TRIMMED
    world.programme.save()
    nomination = NominationFactory(category=world.category)
    for judge, points in zip(world.judges, (2, 7, 10), strict=True):
        _score(world, nomination, judge, points)
    result = _by_nomination(services.results_compute(cycle=world.cycle))[nomination.pk]
    assert result.judged_score == Decimal("70.00")


def test_ties_share_a_rank_and_are_flagged():
    world = award_world(judges=1, weights=(1,))
    a, b, c = (NominationFactory(category=world.category) for _i in range(3))
    _score(world, a, world.judges[0], 9)
    _score(world, b, world.judges[0], 9)
    _score(world, c, world.judges[0], 5)
    computed = _by_nomination(services.results_compute(cycle=world.cycle))
    assert (computed[a.pk].rank, computed[a.pk].tied) == (1, True)
    assert (computed[b.pk].rank, computed[b.pk].tied) == (1, True)
    assert (computed[c.pk].rank, computed[c.pk].tied) == (3, False)
    # One place awarded, two tied at the top: both are winners, flagged for the committee.
    assert computed[a.pk].is_winner and computed[b.pk].is_winner and not computed[c.pk].is_winner


def test_assessment_tiers_by_thresholds_at_the_edge():
    world = award_world(kind=Programme.Kind.ASSESSMENT, judges=1, weights=(1,))
    gold, silver, none = (NominationFactory(category=world.category) for _i in range(3))
    world.criteria[0].max_score = 100
    world.criteria[0].save()
    _score(world, gold, world.judges[0], 85)  # exactly the gold threshold
    _score(world, silver, world.judges[0], "84.99")
    _score(world, none, world.judges[0], "69.99")
    computed = _by_nomination(services.results_compute(cycle=world.cycle))
    tiers = {t.name_en: t.pk for t in world.cycle.tiers.all()}
    assert computed[gold.pk].tier_id == tiers["Gold"]
    assert computed[silver.pk].tier_id == tiers["Silver"]
    assert computed[none.pk].tier_id is None and not computed[none.pk].is_winner
    assert computed[gold.pk].is_winner and computed[silver.pk].is_winner


def test_visit_adjustment_moves_the_score_within_0_and_100():
    world = award_world(judges=1, weights=(1,))
    nomination = NominationFactory(category=world.category, status=Nomination.Status.SHORTLISTED)
    _score(world, nomination, world.judges[0], 10)
    FieldVisit.objects.create(
        nomination=nomination, starts_at="2030-01-01T08:00Z", ends_at="2030-01-01T09:00Z", address="x",
        status=FieldVisit.Status.REPORTED, score_adjustment=Decimal("5"), adjustment_reason="ممتاز",
    )
    result = _by_nomination(services.results_compute(cycle=world.cycle))[nomination.pk]
    assert result.judged_score == Decimal("100.00") and result.adjustment == Decimal("5")
    assert result.score == Decimal("100.00")


def test_withdrawn_and_ineligible_entries_get_no_result():
    world = award_world(judges=1, weights=(1,))
    nomination = NominationFactory(category=world.category)
    _score(world, nomination, world.judges[0], 8)
    Nomination.objects.filter(pk=nomination.pk).update(status=Nomination.Status.WITHDRAWN)
    assert services.results_compute(cycle=world.cycle) == []


def _full_cycle(world):
    first, second = NominationFactory(category=world.category), NominationFactory(category=world.category)
    for judge in world.judges:
        _score(world, first, judge, 9, 9)
        _score(world, second, judge, 6, 6)
    return first, second


def test_only_the_chair_finalizes_and_approves_and_only_owners_publish():
    world = award_world()
    _full_cycle(world)
    for user in (world.judges[1], world.staff, world.owner, world.outsider):
        with pytest.raises(PermissionDenied):
            services.results_finalize(cycle=world.cycle, user=user)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    for user in (world.judges[1], world.staff, world.outsider):
        with pytest.raises(PermissionDenied):
            services.results_approve(cycle=world.cycle, user=user)
    services.results_approve(cycle=world.cycle, user=world.chair)
    for user in (world.chair, world.staff, world.outsider):
        with pytest.raises(PermissionDenied):
            services.results_publish(cycle=world.cycle, user=user)
    services.results_publish(cycle=world.cycle, user=world.owner)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.PUBLISHED


def test_publishing_needs_approval_and_scores_freeze_after_finalizing():
    world = award_world()
    first, _second = _full_cycle(world)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    with pytest.raises(DomainError) as exc:
        services.results_publish(cycle=world.cycle, user=world.owner)
    assert exc.value.code == "not_approved"
    with pytest.raises(DomainError) as exc:
        _score(world, first, world.judges[1], 1, 1)
    assert exc.value.code == "finalized"
    services.results_reopen(cycle=world.cycle, user=world.chair)
    _score(world, first, world.judges[1], 1, 1)


def test_winners_become_honorees_of_the_ceremony_session_in_the_committees_order():
    world = award_world()
    world.category.winners = 2
    world.category.save()
    first, second = _full_cycle(world)
    rows = services.results_finalize(cycle=world.cycle, user=world.chair)
    by_nomination = {r.nomination_id: r for r in rows}
    services.winners_order_set(cycle=world.cycle, user=world.chair,
                               ids=[by_nomination[second.pk].pk, by_nomination[first.pk].pk])
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_publish(cycle=world.cycle, user=world.owner)
    honorees = list(Honoree.objects.filter(session=world.session).order_by("order"))
    assert [h.person_id for h in honorees] == [second.nominee_person_id, first.nominee_person_id]
    assert {h.reason for h in honorees} == {Honoree.Reason.AWARD_WINNER}
    assert all(world.programme.name_ar in h.note for h in honorees)
    winner_mail = OutgoingMessage.objects.filter(kind="awards.winner")
    assert winner_mail.count() == 2
    # Each winner's proof is an award certificate of the ceremony forum, verifiable by its code.
    result = Result.objects.get(nomination=first)
    certificate = Certificate.objects.get(code=result.certificate_ref)
    assert (certificate.kind, certificate.forum_id, certificate.person_id) == (
        Kind.AWARD, world.cycle.forum_id, first.nominee_person_id)
    assert world.programme.name_ar in certificate.role_ar and world.category.name_ar in certificate.role_ar
    assert f"/certificates/v/{certificate.code}/" in winner_mail.get(to=first.applicant.email).text_body
    assert OutgoingMessage.objects.filter(kind="certificate_issued", to=first.nominee_person.email).count() == 1
    assert Certificate.objects.filter(kind=Kind.AWARD, revoked_at__isnull=True).count() == 2


def test_a_cycle_without_a_ceremony_forum_proves_wins_by_the_result_page():
    world = award_world()
    services.cycle_update(cycle=world.cycle, user=world.owner, forum=None, ceremony_session=None)
    first, _second = _full_cycle(world)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_publish(cycle=world.cycle, user=world.owner)
    result = Result.objects.get(nomination=first)
    assert result.certificate_ref == "" and not Certificate.objects.exists()
    mail = OutgoingMessage.objects.get(kind="awards.winner", to=first.applicant.email)
    assert f"/awards/result/{result.public_code}/" in mail.text_body


def test_only_a_forums_organizers_may_hold_a_cycles_ceremony_there():
    world = award_world()
    other_forum = ForumFactory()
    with pytest.raises(DomainError) as exc:
        services.cycle_update(cycle=world.cycle, user=world.owner, forum=other_forum, ceremony_session=None)
    assert exc.value.code == "not_forum_organizer" and "forum" in exc.value.errors
    assert Cycle.objects.get(pk=world.cycle.pk).forum_id == world.cycle.forum_id
    TeamMemberFactory(forum=other_forum, user=world.owner, role="editor")
    del world.owner._forum_roles  # roles are cached on the user for a request; this is a new one
    services.cycle_update(cycle=world.cycle, user=world.owner, forum=other_forum, ceremony_session=None)
    assert Cycle.objects.get(pk=world.cycle.pk).forum_id == other_forum.pk


def test_winners_order_must_list_every_winner_once():
    world = award_world()
    _full_cycle(world)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    with pytest.raises(DomainError) as exc:
        services.winners_order_set(cycle=world.cycle, user=world.chair, ids=[])
    assert "ids" in exc.value.errors


def test_publishing_again_does_not_list_winners_twice():
    world = award_world()
    _full_cycle(world)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_publish(cycle=world.cycle, user=world.owner)
    with pytest.raises(DomainError):
        services.results_publish(cycle=world.cycle, user=world.owner)
    assert Honoree.objects.filter(session=world.session).count() == 1


def test_finalizing_without_complete_scores_is_refused():
    world = award_world()
    NominationFactory(category=world.category)
    with pytest.raises(DomainError) as exc:
        services.results_finalize(cycle=world.cycle, user=world.chair)
    assert exc.value.code == "no_scores"


def test_criteria_copy_from_a_previous_cycle_with_sub_criteria():
    from awards.models import Criterion
    from tests.awards.factories import CategoryFactory, CycleFactory

    world = award_world()
    Criterion.objects.create(category=world.category, parent=world.criteria[0], name_ar="فرعي", max_score=4)
    next_cycle = CycleFactory(programme=world.programme)
    target = CategoryFactory(cycle=next_cycle)
    copied = services.criteria_copy(source=world.category, target=target, user=world.staff)
    assert len(copied) == 3
    assert target.criteria.filter(parent__isnull=False).get().parent.name_ar == world.criteria[0].name_ar
    with pytest.raises(DomainError):
        services.criteria_copy(source=world.category, target=target, user=world.staff)
    with pytest.raises(PermissionDenied):
        services.criteria_copy(source=world.category, target=CategoryFactory(cycle=next_cycle), user=world.outsider)


def test_setup_refuses_bad_weights_and_thresholds_with_field_messages():
    world = award_world()
    with pytest.raises(DomainError) as exc:
        services.criterion_create(category=world.category, user=world.staff, name_ar="جديد", weight=0)
    assert "weight" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.tier_create(cycle=world.cycle, user=world.staff, name_ar="ذهبي", min_score=101)
    assert "min_score" in exc.value.errors
    staff_member = member(world.programme, "staff")
    tier = services.tier_create(cycle=world.cycle, user=staff_member, name_ar="ذهبي", min_score="85")
    assert tier.min_score == Decimal("85")
