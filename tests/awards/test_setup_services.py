"""Set-up services and the committee's approval of results: rules, field-level refusals, outsiders refused."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from awards import services
from awards.models import Cycle, ProgrammeMember, ResultApproval, Tier
from forum.errors import DomainError, PermissionDenied
from forum.models import OrganizationMember
from tests.awards.factories import (
    CategoryFactory,
    CriterionFactory,
    NominationFactory,
    applicant_user,
    award_world,
    member,
    pdf_upload,
)
from tests.factories import OrganizationFactory, PersonFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _outsiders(world):
    return [world.outsider, world.judges[1], applicant_user(), world.assessor]


# -- programmes ---------------------------------------------------------------------------------------


def test_programme_create_only_for_an_organization_the_user_speaks_for():
    user, mine, other = UserFactory(), OrganizationFactory(), OrganizationFactory()
    OrganizationMember.objects.create(organization=mine, user=user)
    with pytest.raises(DomainError) as refused:
        services.programme_create(user=user, owner=other, slug="a-award", name_ar="جائزة")
    assert "owner" in refused.value.errors
    programme = services.programme_create(user=user, owner=mine, slug="a-award", name_ar="جائزة")
    assert ProgrammeMember.objects.filter(programme=programme, user=user, role="owner").exists()


def test_programme_create_reserved_address_refused_on_slug():
    user, mine = UserFactory(), OrganizationFactory()
    OrganizationMember.objects.create(organization=mine, user=user)
    with pytest.raises(DomainError) as refused:
        services.programme_create(user=user, owner=mine, slug="new", name_ar="جائزة")
    assert "slug" in refused.value.errors


def test_programme_update_owners_only_and_field_errors():
    world = award_world()
    for user in [world.staff, *_outsiders(world)]:
        with pytest.raises(PermissionDenied):
            services.programme_update(programme=world.programme, user=user, blind_judging=True)
    with pytest.raises(DomainError) as refused:
        services.programme_update(programme=world.programme, user=world.owner, name_ar=" ", trim=11,
                                  divergence_threshold=0)
    assert set(refused.value.errors) == {"name_ar", "trim", "divergence_threshold"}
    services.programme_update(programme=world.programme, user=world.owner, blind_judging=True)
    world.programme.refresh_from_db()
    assert world.programme.blind_judging


def test_programme_kind_fixed_once_a_cycle_has_results():
    world = award_world()
    Cycle.objects.filter(pk=world.cycle.pk).update(results=Cycle.Results.FINALIZED)
    with pytest.raises(DomainError) as refused:
        services.programme_update(programme=world.programme, user=world.owner, kind="assessment")
    assert "kind" in refused.value.errors


# -- cycles -------------------------------------------------------------------------------------------


def _open_close():
    now = timezone.now()
    return now + timedelta(days=1), now + timedelta(days=30)


def test_cycle_create_timeline_out_of_order_refused_on_each_field():
    world = award_world()
    opens, closes = _open_close()
    with pytest.raises(DomainError) as refused:
        services.cycle_create(programme=world.programme, user=world.staff, number=world.cycle.number + 1, nominations_open=opens,
                              nominations_close=closes, screening_ends=(closes - timedelta(days=3)).date(),
                              judging_ends=(closes + timedelta(days=20)).date(),
                              results_date=(closes + timedelta(days=10)).date())
    assert set(refused.value.errors) == {"screening_ends", "results_date"}
    with pytest.raises(DomainError) as refused:
        services.cycle_create(programme=world.programme, user=world.staff, number=world.cycle.number + 1, nominations_open=closes,
                              nominations_close=opens)
    assert set(refused.value.errors) == {"nominations_close"}
    assert not Cycle.objects.filter(programme=world.programme, number=world.cycle.number + 1).exists()
    cycle = services.cycle_create(programme=world.programme, user=world.staff, number=world.cycle.number + 1, nominations_open=opens,
                                  nominations_close=closes, ceremony_date=(closes + timedelta(days=60)).date())
    assert cycle.ceremony_date > closes.date()


def test_cycle_create_refused_to_outsiders_and_ceremony_forum_only_for_its_organizers():
    world = award_world()
    opens, closes = _open_close()
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.cycle_create(programme=world.programme, user=user, number=world.cycle.number + 1, nominations_open=opens,
                                  nominations_close=closes)
    with pytest.raises(DomainError) as refused:
        services.cycle_create(programme=world.programme, user=world.staff, number=world.cycle.number + 1, nominations_open=opens,
                              nominations_close=closes, forum=world.forum)
    assert "forum" in refused.value.errors
    TeamMemberFactory(forum=world.forum, user=world.staff)
    staff = type(world.staff).objects.get(pk=world.staff.pk)  # roles are cached on the user object
    cycle = services.cycle_create(programme=world.programme, user=staff, number=world.cycle.number + 1, nominations_open=opens,
                                  nominations_close=closes, forum=world.forum)
    assert cycle.forum == world.forum


def test_cycle_update_chair_must_be_a_judge_and_stays_while_approving():
    world = award_world()
    with pytest.raises(DomainError) as refused:
        services.cycle_update(cycle=world.cycle, user=world.staff, chair=world.staff)
    assert "chair" in refused.value.errors
    Cycle.objects.filter(pk=world.cycle.pk).update(results=Cycle.Results.FINALIZED)
    with pytest.raises(DomainError) as refused:
        services.cycle_update(cycle=world.cycle, user=world.staff, chair=world.judges[1])
    assert "chair" in refused.value.errors


def test_cycle_update_dates_out_of_order_refused():
    world = award_world()
    with pytest.raises(DomainError) as refused:
        services.cycle_update(cycle=world.cycle, user=world.staff, ceremony_date=date(2000, 1, 1))
    assert "ceremony_date" in refused.value.errors
    world.cycle.refresh_from_db()
    assert world.cycle.ceremony_date is None


# -- categories and criteria -----------------------------------------------------------------------


def test_category_update_kind_fixed_once_nominated_and_places_at_least_one():
    world = award_world()
    NominationFactory(category=world.category)
    with pytest.raises(DomainError) as refused:
        services.category_update(category=world.category, user=world.staff, kind="institutional")
    assert "kind" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        services.category_update(category=world.category, user=world.staff, winners=0)
    assert "winners" in refused.value.errors
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.category_update(category=world.category, user=user, name_ar="س")


def test_criterion_create_bad_weight_and_maximum_each_on_its_field():
    world = award_world()
    category = CategoryFactory(cycle=world.cycle)
    with pytest.raises(DomainError) as refused:
        services.criterion_create(category=category, user=world.staff, name_ar="معيار", weight="-2", max_score=0)
    assert set(refused.value.errors) == {"weight", "max_score"}
    with pytest.raises(DomainError) as refused:
        services.criterion_create(category=category, user=world.staff, name_ar="معيار", weight="NaN")
    assert set(refused.value.errors) == {"weight"}
    other = CriterionFactory()
    with pytest.raises(DomainError) as refused:
        services.criterion_create(category=category, user=world.staff, name_ar="فرعي", parent=other)
    assert "parent" in refused.value.errors


def test_criterion_update_and_delete_refused_once_judging_started():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    services.score_sheets_save(nomination=nomination, user=world.judges[0],
                               sheets={c.pk: {"points": 5} for c in world.criteria})
    with pytest.raises(DomainError) as refused:
        services.criterion_update(criterion=world.criteria[0], user=world.staff, weight=5)
    assert refused.value.code == "judging_started"
    with pytest.raises(DomainError):
        services.criterion_delete(criterion=world.criteria[0], user=world.staff)
    with pytest.raises(DomainError) as refused:
        services.judge_unassign(category=world.category, user=world.staff, judge=world.judges[0])
    assert "judge" in refused.value.errors


# -- tiers --------------------------------------------------------------------------------------------


def test_tiers_set_thresholds_ordered_without_overlap():
    world = award_world()
    rows = [{"name_ar": "ذهبي", "min_score": "85", "honored": True},
            {"name_ar": "فضي", "min_score": "85"},
            {"name_ar": "برونزي", "min_score": "-1"},
            {"name_ar": "ذهبي", "min_score": "abc"}]
    with pytest.raises(DomainError) as refused:
        services.tiers_set(cycle=world.cycle, user=world.staff, rows=rows)
    assert set(refused.value.errors) == {"tiers-1-min_score", "tiers-2-min_score", "tiers-3-name_ar",
                                         "tiers-3-min_score"}
    tiers = services.tiers_set(cycle=world.cycle, user=world.staff, rows=[
        {"name_ar": "ذهبي", "min_score": "100", "honored": True}, {"name_ar": "فضي", "min_score": "0"}])
    assert [(t.name_ar, t.min_score, t.honored) for t in tiers] == [("ذهبي", 100, True), ("فضي", 0, False)]
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.tiers_set(cycle=world.cycle, user=user, rows=[])
    Cycle.objects.filter(pk=world.cycle.pk).update(results=Cycle.Results.FINALIZED)
    with pytest.raises(DomainError):
        services.tiers_set(cycle=world.cycle, user=world.staff, rows=[])
    assert Tier.objects.filter(cycle=world.cycle).count() == 2


# -- members ------------------------------------------------------------------------------------------


def test_member_invite_rights_by_role():
    world = award_world()
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.member_invite(programme=world.programme, user=user, email="a@example.org", role="judge")
    with pytest.raises(PermissionDenied):
        services.member_invite(programme=world.programme, user=world.staff, email="a@example.org", role="staff")
    row = services.member_invite(programme=world.programme, user=world.staff, email="A@Example.org",
                                 role="committee")
    assert row.user.email == "a@example.org" and not row.user.has_usable_password()
    with pytest.raises(DomainError) as refused:
        services.member_invite(programme=world.programme, user=world.staff, email="a@example.org",
                               role="committee")
    assert "email" in refused.value.errors
    # An existing account of that address gets the role; no second account is made.
    again = services.member_invite(programme=world.programme, user=world.owner, email=world.outsider.email,
                                   role="staff")
    assert again.user == world.outsider


def test_member_remove_keeps_the_last_owner_and_the_chair():
    world = award_world()
    owner_row = ProgrammeMember.objects.get(programme=world.programme, role="owner")
    with pytest.raises(DomainError):
        services.member_remove(member=owner_row, user=world.owner)
    chair_row = ProgrammeMember.objects.get(programme=world.programme, role="judge", user=world.chair)
    with pytest.raises(DomainError):
        services.member_remove(member=chair_row, user=world.staff)
    judge_row = ProgrammeMember.objects.get(programme=world.programme, role="judge", user=world.judges[1])
    with pytest.raises(PermissionDenied):
        services.member_remove(member=judge_row, user=world.judges[1])
    services.member_remove(member=judge_row, user=world.staff)
    assert not world.category.judges.filter(judge=world.judges[1]).exists()


# -- the committee's approval -------------------------------------------------------------------------


def _finalized(world, points=(8,)):
    nominations = []
    for value in points:
        nomination = NominationFactory(category=world.category)
        for judge in world.judges:
            services.score_sheets_save(nomination=nomination, user=judge,
                                       sheets={c.pk: {"points": value} for c in world.criteria})
        nominations.append(nomination)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    return nominations[0]


def test_committee_rule_chair_and_strict_majority():
    committee = {1, 2, 3, 4}
    assert not services.committee_rule_met(committee=committee, approved={2, 3, 4}, chair_id=1)
    assert not services.committee_rule_met(committee=committee, approved={1, 2}, chair_id=1)
    assert services.committee_rule_met(committee=committee, approved={1, 2, 3}, chair_id=1)
    assert services.committee_rule_met(committee={1}, approved={1}, chair_id=1)
    assert not services.committee_rule_met(committee=set(), approved=set(), chair_id=None)


def test_publish_refused_until_the_chair_and_a_majority_approved():
    world = award_world()
    members = [member(world.programme, ProgrammeMember.Role.COMMITTEE) for _i in range(4)]  # committee of 5
    _finalized(world)
    for user in [*_outsiders(world), world.staff]:
        with pytest.raises(PermissionDenied):
            services.results_approve(cycle=world.cycle, user=user)
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=members[0])
    with pytest.raises(DomainError) as refused:
        services.results_approve(cycle=world.cycle, user=members[0])
    assert refused.value.code == "duplicate"
    with pytest.raises(DomainError) as refused:
        services.results_publish(cycle=world.cycle, user=world.owner)
    assert refused.value.code == "not_approved"
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.FINALIZED
    services.results_approve(cycle=world.cycle, user=members[1])  # 3 of 5, the chair among them
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.APPROVED
    services.results_publish(cycle=world.cycle, user=world.owner)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.PUBLISHED


def test_members_without_the_chair_do_not_approve():
    world = award_world()
    members = [member(world.programme, ProgrammeMember.Role.COMMITTEE) for _i in range(3)]
    _finalized(world)
    for user in members:
        services.results_approve(cycle=world.cycle, user=user)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.FINALIZED


def test_a_change_to_the_results_voids_the_approvals():
    world = award_world()
    second = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    world.category.winners = 2
    world.category.save()
    first_entry = _finalized(world, points=(9, 7))
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=second)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.APPROVED
    winners = list(world.cycle.result_rows.filter(is_winner=True).order_by("honor_order").values_list("pk", flat=True))
    assert len(winners) == 2
    # Same order again: nothing changed, the approval stands.
    services.winners_order_set(cycle=world.cycle, user=world.owner, ids=winners)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.APPROVED
    services.winners_order_set(cycle=world.cycle, user=world.owner, ids=list(reversed(winners)))
    cycle = Cycle.objects.get(pk=world.cycle.pk)
    assert cycle.results == Cycle.Results.FINALIZED and cycle.approved_at is None
    assert not ResultApproval.objects.filter(cycle=world.cycle).exists()
    with pytest.raises(DomainError):
        services.results_publish(cycle=world.cycle, user=world.owner)
    # Finalizing again (the results recomputed) voids a partial approval too.
    services.results_approve(cycle=world.cycle, user=second)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    assert not ResultApproval.objects.filter(cycle=world.cycle).exists()
    assert first_entry.pk in set(world.cycle.result_rows.values_list("nomination_id", flat=True))


def test_a_withdrawn_approval_takes_the_results_back_to_finalized():
    world = award_world()
    second = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    _finalized(world)
    with pytest.raises(DomainError) as refused:
        services.results_approval_withdraw(cycle=world.cycle, user=second)  # nothing to withdraw yet
    assert refused.value.code == "not_approved" and "results" in refused.value.errors
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=second)
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.APPROVED
    for user in [*_outsiders(world), world.staff]:
        with pytest.raises(PermissionDenied):
            services.results_approval_withdraw(cycle=world.cycle, user=user)
    assert ResultApproval.objects.filter(cycle=world.cycle).count() == 2
    services.results_approval_withdraw(cycle=world.cycle, user=second)
    cycle = Cycle.objects.get(pk=world.cycle.pk)
    assert cycle.results == Cycle.Results.FINALIZED and cycle.approved_at is None
    assert list(ResultApproval.objects.filter(cycle=world.cycle).values_list("user_id", flat=True)) == [world.chair.pk]
    with pytest.raises(DomainError) as refused:
        services.results_publish(cycle=world.cycle, user=world.owner)
    assert refused.value.code == "not_approved"
    # Approving again restores the majority; once published, nobody can withdraw.
    services.results_approve(cycle=world.cycle, user=second)
    services.results_publish(cycle=world.cycle, user=world.owner)
    with pytest.raises(DomainError) as refused:
        services.results_approval_withdraw(cycle=world.cycle, user=second)
    assert refused.value.code == "state"
    assert ResultApproval.objects.filter(cycle=world.cycle).count() == 2


def test_committee_member_withdraws_on_the_results_page(client):
    world = award_world()
    second = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    _finalized(world)
    services.results_approve(cycle=world.cycle, user=second)
    url = f"/awards/manage/{world.programme.slug}/{world.cycle.number}/results/"
    client.force_login(world.chair)
    assert b'data-testid="withdraw"' not in client.get(url).content  # the chair has not approved
    client.force_login(second)
    page = client.get(url)
    assert b'data-testid="withdraw"' in page.content and b'data-testid="approve"' not in page.content
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    assert not ResultApproval.objects.filter(cycle=world.cycle).exists()
    again = client.post(url, {"action": "withdraw"})
    assert again.status_code == 400 and "لم تُقرّ هذه النتائج." in again.content.decode()
    client.force_login(world.judges[1])
    assert client.post(url, {"action": "withdraw"}).status_code == 404


def test_committee_member_approves_on_the_results_page(client):
    world = award_world()
    second = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    _finalized(world)
    url = f"/awards/manage/{world.programme.slug}/{world.cycle.number}/results/"
    client.force_login(second)
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="approve"' in page.content
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert ResultApproval.objects.filter(cycle=world.cycle, user=second).exists()
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.FINALIZED  # the chair has not
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.judges[1])
    assert client.post(url, {"action": "approve"}).status_code == 404


def test_member_invite_reaches_the_account_of_a_known_person():
    world = award_world()
    account = UserFactory(email="login@example.org")
    account.set_password("a-long-password-1")
    account.save()
    PersonFactory(user=account, email="work@example.org")
    row = services.member_invite(programme=world.programme, user=world.staff, email="work@example.org",
                                 role="assessor")
    assert row.user == account


def test_documents_and_questions_stay_once_applicants_used_them():
    world = award_world()
    applicant = applicant_user()
    draft = services.nomination_create(category=world.category, user=applicant)
    services.nomination_save(nomination=draft, user=applicant, answers={str(world.question.pk): "إنجازاتنا"})
    services.document_upload(nomination=draft, user=applicant, document=world.document, upload=pdf_upload())
    with pytest.raises(DomainError) as refused:
        services.document_delete(document=world.document, user=world.staff)
    assert "document" in refused.value.errors
    # A draft's answer does not hold a question back; a submitted one does.
    services.question_delete(question=world.question, user=world.staff)
    question = services.question_create(category=world.category, user=world.staff, label_ar="سؤال آخر")
    services.nomination_save(nomination=draft, user=applicant, answers={str(question.pk): "جواب"})
    services.nomination_submit(nomination=draft, user=applicant)
    with pytest.raises(DomainError) as refused:
        services.question_delete(question=question, user=world.staff)
    assert "question" in refused.value.errors
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.question_delete(question=question, user=user)


# -- changing and removing set-up rows ------------------------------------------------------------------


def test_document_update_renames_and_keeps_uploads_refuses_a_taken_name_and_outsiders():
    world = award_world()
    other = services.document_create(category=world.category, user=world.staff, name_ar="خطاب الترشيح")
    applicant = applicant_user()
    draft = services.nomination_create(category=world.category, user=applicant)
    services.document_upload(nomination=draft, user=applicant, document=world.document, upload=pdf_upload())
    for user in [*_outsiders(world)]:
        with pytest.raises(PermissionDenied):
            services.document_update(document=world.document, user=user, name_ar="اسم")
    with pytest.raises(DomainError) as refused:
        services.document_update(document=world.document, user=world.staff, name_ar="خطاب الترشيح")
    assert refused.value.code == "duplicate" and "name_ar" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        services.document_update(document=world.document, user=world.staff, name_ar="  ")
    assert "name_ar" in refused.value.errors
    changed = services.document_update(document=world.document, user=world.staff, name_ar="الهيكل التنظيمي",
                                       required=False, order=5)
    assert (changed.name_ar, changed.required, changed.order) == ("الهيكل التنظيمي", False, 5)
    assert changed.uploads.count() == 1 and other.name_ar == "خطاب الترشيح"


def test_question_update_never_shrinks_below_a_submitted_answer():
    world = award_world()
    applicant = applicant_user()
    nomination = services.nomination_create(category=world.category, user=applicant)
    services.nomination_save(nomination=nomination, user=applicant, answers={str(world.question.pk): "أ" * 30})
    # A draft's answer does not hold the limit back.
    services.question_update(question=world.question, user=world.staff, max_length=20)
    services.question_update(question=world.question, user=world.staff, max_length=4000)
    services.nomination_save(nomination=nomination, user=applicant, answers={str(world.question.pk): "أ" * 30})
    for document in world.category.documents.all():
        services.document_upload(nomination=nomination, user=applicant, document=document, upload=pdf_upload())
    services.nomination_submit(nomination=nomination, user=applicant)
    with pytest.raises(DomainError) as refused:
        services.question_update(question=world.question, user=world.staff, max_length=20)
    assert "30" in refused.value.errors["max_length"][0]
    with pytest.raises(DomainError) as refused:
        services.question_update(question=world.question, user=world.staff, label_ar="")
    assert "label_ar" in refused.value.errors
    with pytest.raises(PermissionDenied):
        services.question_update(question=world.question, user=world.outsider, label_ar="سؤال")
    changed = services.question_update(question=world.question, user=world.staff, max_length=30, required=False,
                                       label_ar="أبرز الإنجازات")
    assert (changed.max_length, changed.required, changed.label_ar) == (30, False, "أبرز الإنجازات")


def test_category_delete_only_while_nobody_nominated():
    world = award_world()
    empty = CategoryFactory(cycle=world.cycle)
    CriterionFactory(category=empty)
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.category_delete(category=empty, user=user)
    services.nomination_create(category=world.category, user=applicant_user())  # a draft is enough
    with pytest.raises(DomainError) as refused:
        services.category_delete(category=world.category, user=world.owner)
    assert refused.value.code == "has_nominations" and "category" in refused.value.errors
    services.category_delete(category=empty, user=world.staff)
    assert set(world.cycle.categories.values_list("pk", flat=True)) == {world.category.pk}


def test_cycle_delete_only_while_nobody_nominated():
    world = award_world()
    spare = services.cycle_create(programme=world.programme, user=world.staff, number=world.cycle.number + 1,
                                  nominations_open=timezone.now() + timedelta(days=30),
                                  nominations_close=timezone.now() + timedelta(days=60))
    CategoryFactory(cycle=spare)
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.cycle_delete(cycle=spare, user=user)
    NominationFactory(category=world.category)
    with pytest.raises(DomainError) as refused:
        services.cycle_delete(cycle=world.cycle, user=world.owner)
    assert "cycle" in refused.value.errors
    services.cycle_delete(cycle=spare, user=world.staff)
    assert list(world.programme.cycles.values_list("pk", flat=True)) == [world.cycle.pk]
