"""Screening, conflicts of interest, score sheets and field visits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from awards import permissions, selectors, services
from awards.models import Conflict, Criterion, FieldVisit, JudgeAssignment, Nomination, ScoreSheet
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.mailing.models import OutgoingMessage
from tests.awards.factories import CategoryFactory, NominationFactory, award_world, jpeg_upload, member
from tests.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


# -- screening ------------------------------------------------------------------------------------


def test_screening_returns_for_completion_with_deadline_and_tells_the_applicant():
    world = award_world()
    nomination = NominationFactory(category=world.category, status=Nomination.Status.SUBMITTED)
    complete_by = timezone.now() + timedelta(days=3)
    services.nomination_screen(nomination=nomination, user=world.staff, decision="returned",
                               reason="أرفقوا شهادة الآيزو", complete_by=complete_by)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.RETURNED and nomination.return_deadline == complete_by
    mail = OutgoingMessage.objects.get(kind="awards.screening.returned")
    assert "أرفقوا شهادة الآيزو" in mail.text_body and mail.to == nomination.applicant.email
    # Returned for completion: editable until the completion deadline even after the cycle closed.
    world.cycle.nominations_open = timezone.now() - timedelta(days=30)
    world.cycle.nominations_close = timezone.now() - timedelta(days=1)
    world.cycle.save()
    assert services.deadline_for(nomination) == complete_by


def test_screening_needs_a_reason_unless_eligible_and_a_future_deadline_when_returned():
    world = award_world()
    nomination = NominationFactory(category=world.category, status=Nomination.Status.SUBMITTED)
    with pytest.raises(DomainError) as exc:
        services.nomination_screen(nomination=nomination, user=world.staff, decision="ineligible")
    assert "reason" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.nomination_screen(nomination=nomination, user=world.staff, decision="returned", reason="x",
                                   complete_by=timezone.now() - timedelta(hours=1))
    assert "complete_by" in exc.value.errors
    services.nomination_screen(nomination=nomination, user=world.staff, decision="eligible")
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.ELIGIBLE


@pytest.mark.parametrize("who", ["outsider", "judge", "assessor"])
def test_screening_refused_to_anyone_but_staff_and_owners(who):
    world = award_world()
    user = {"outsider": world.outsider, "judge": world.judges[1], "assessor": world.assessor}[who]
    nomination = NominationFactory(category=world.category, status=Nomination.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.nomination_screen(nomination=nomination, user=user, decision="eligible")


# -- conflicts and scoring ------------------------------------------------------------------------


def _scores(world, *values):
    return {c.pk: {"points": v, "comment": "ملاحظة"} for c, v in zip(world.criteria, values, strict=True)}


def test_score_above_the_criterion_maximum_is_refused_and_earlier_scores_stay():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    judge = world.judges[1]
    services.score_sheets_save(nomination=nomination, user=judge, sheets=_scores(world, 7, 8))
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=judge, sheets=_scores(world, 9, 11))
    assert list(exc.value.errors) == [f"criterion_{world.criteria[1].pk}"]
    assert "10" in exc.value.errors[f"criterion_{world.criteria[1].pk}"][0]
    assert sorted(ScoreSheet.objects.filter(judge=judge).values_list("points", flat=True)) == [7, 8]


def test_negative_and_non_numeric_scores_are_field_errors():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=world.judges[1], sheets=_scores(world, -1, "abc"))
    assert set(exc.value.errors) == {f"criterion_{c.pk}" for c in world.criteria}


def test_arabic_indic_digits_are_read_as_numbers():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    services.score_sheets_save(nomination=nomination, user=world.judges[1], sheets=_scores(world, "٧٫٥", "٩"))
    assert sorted(ScoreSheet.objects.values_list("points", flat=True)) == [Decimal("7.5"), Decimal("9")]


def test_sub_criteria_add_up_to_the_criterion_and_each_has_its_maximum():
    world = award_world()
    top = world.criteria[0]
    subs = [Criterion.objects.create(category=world.category, parent=top, name_ar=f"فرعي {i}", max_score=5)
            for i in range(2)]
    nomination = NominationFactory(category=world.category)
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=world.judges[1],
                                   sheets={top.pk: {"parts": {subs[0].pk: 6, subs[1].pk: 2}}})
    assert list(exc.value.errors) == [f"sub_{subs[0].pk}"]
    services.score_sheets_save(nomination=nomination, user=world.judges[1],
                               sheets={top.pk: {"parts": {subs[0].pk: 4, subs[1].pk: 2.5}}})
    sheet = ScoreSheet.objects.get(criterion=top)
    assert (sheet.points, sheet.max_points) == (Decimal("6.50"), Decimal("10.00"))


def test_judge_of_another_category_cannot_score_or_see():
    world = award_world()
    other = CategoryFactory(cycle=world.cycle)
    stranger = UserFactory()
    JudgeAssignment.objects.create(category=other, judge=stranger)
    nomination = NominationFactory(category=world.category)
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=stranger, sheets=_scores(world, 5, 5))
    assert exc.value.code == "unassigned" and "nomination" in exc.value.errors
    assert not permissions.can_read_nomination(stranger, nomination)
    entries = [e.nomination for g in selectors.judge_dashboard(user=stranger, cycle=world.cycle) for e in g.entries]
    assert nomination not in entries


def test_declared_conflict_hides_the_entry_and_removes_the_judges_scores():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    judge = world.judges[1]
    services.score_sheets_save(nomination=nomination, user=judge, sheets=_scores(world, 5, 5))
    services.conflict_declare(nomination=nomination, user=judge, reason="قريب")
    assert not ScoreSheet.objects.filter(judge=judge).exists()
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=judge, sheets=_scores(world, 5, 5))
    assert exc.value.code == "conflict"
    assert not any(g.entries for g in selectors.judge_dashboard(user=judge, cycle=world.cycle))


def test_judge_from_the_nominees_own_organization_is_excluded_automatically():
    world = award_world()
    judge = world.judges[1]
    body = judge.person.organization
    own = NominationFactory(category=world.category, nominee_person=PersonFactory(organization=body))
    institutional = CategoryFactory(cycle=world.cycle, kind="institutional")
    Criterion.objects.create(category=institutional, name_ar="معيار")
    JudgeAssignment.objects.create(category=institutional, judge=judge)
    own_body = NominationFactory(category=institutional, nominee_person=None, nominee_organization=body)
    other_body = NominationFactory(category=institutional, nominee_person=None,
                                   nominee_organization=OrganizationFactory())
    assert permissions.judge_may_score(judge, own) == (False, "conflict")
    assert permissions.judge_may_score(judge, own_body) == (False, "conflict")
    assert permissions.judge_may_score(judge, other_body) == (True, "")
    seen = {e.nomination.pk for g in selectors.judge_dashboard(user=judge, cycle=world.cycle) for e in g.entries}
    assert seen == {other_body.pk}


def test_an_entry_that_has_not_passed_screening_cannot_be_scored():
    world = award_world()
    nomination = NominationFactory(category=world.category, status=Nomination.Status.SUBMITTED)
    with pytest.raises(DomainError) as exc:
        services.score_sheets_save(nomination=nomination, user=world.judges[1], sheets=_scores(world, 5, 5))
    assert exc.value.code == "not_judgeable"


def test_only_a_judge_of_the_category_declares_a_conflict():
    world = award_world()
    nomination = NominationFactory(category=world.category)
    with pytest.raises(NotFound):
        services.conflict_declare(nomination=nomination, user=world.outsider)
    assert not Conflict.objects.exists()


# -- field visits ---------------------------------------------------------------------------------


def _shortlisted(world):
    return NominationFactory(category=world.category, status=Nomination.Status.SHORTLISTED)


def _at(hours):
    return (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)


def test_overlapping_visit_for_the_same_assessor_is_refused():
    world = award_world()
    services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0), ends_at=_at(2),
                            address="الدمام", assessors=[world.assessor])
    with pytest.raises(DomainError) as exc:
        services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(1), ends_at=_at(3),
                                address="الخبر", assessors=[world.assessor, world.judges[1]])
    assert exc.value.code == "clash" and world.assessor.username in exc.value.errors["assessors"][0]
    assert FieldVisit.objects.count() == 1
    # Back to back is not a clash; another assessor at the same time is not either.
    services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(2), ends_at=_at(3),
                            address="الخبر", assessors=[world.assessor])
    services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0), ends_at=_at(2),
                            address="القطيف", assessors=[world.judges[1]])


def test_visit_needs_a_shortlisted_entry_and_programme_assessors():
    world = award_world()
    eligible = NominationFactory(category=world.category)
    with pytest.raises(DomainError) as exc:
        services.visit_schedule(nomination=eligible, user=world.staff, starts_at=_at(0), ends_at=_at(-1),
                                address="", assessors=[])
    assert {"nomination", "ends_at", "address", "assessors"} <= set(exc.value.errors)
    with pytest.raises(DomainError) as exc:
        services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0), ends_at=_at(1),
                                address="x", assessors=[world.outsider])
    assert exc.value.code == "not_assessor"


def test_visit_report_with_adjustment_needs_a_reason_and_stays_in_range():
    world = award_world()
    visit = services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0),
                                    ends_at=_at(2), address="الدمام", assessors=[world.assessor])
    with pytest.raises(DomainError) as exc:
        services.visit_report(visit=visit, user=world.assessor, report="تقرير", score_adjustment="5")
    assert "adjustment_reason" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.visit_report(visit=visit, user=world.assessor, report="تقرير", score_adjustment="25",
                              adjustment_reason="ممتاز")
    assert "score_adjustment" in exc.value.errors
    services.visit_report(visit=visit, user=world.assessor, report="تقرير الزيارة", score_adjustment="-3.5",
                          adjustment_reason="معيار غير مطبق", checks={world.criteria[0].pk: (True, "مطبق")})
    visit.refresh_from_db()
    assert visit.status == FieldVisit.Status.REPORTED and visit.score_adjustment == Decimal("-3.50")
    assert visit.checks.get(criterion=world.criteria[0]).confirmed is True


def test_only_the_visits_assessors_report_and_add_photos():
    world = award_world()
    visit = services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0),
                                    ends_at=_at(2), address="الدمام", assessors=[world.assessor])
    other_assessor = member(world.programme, "assessor")
    with pytest.raises(NotFound):
        services.visit_report(visit=visit, user=other_assessor, report="x")
    with pytest.raises(NotFound):
        services.visit_photo_add(visit=visit, user=world.outsider, upload=jpeg_upload())


def test_visit_photo_is_reencoded_without_metadata():
    from PIL import Image

    world = award_world()
    visit = services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0),
                                    ends_at=_at(2), address="الدمام", assessors=[world.assessor])
    photo = services.visit_photo_add(visit=visit, user=world.assessor, upload=jpeg_upload(), caption="المدخل")
    with photo.image.open("rb") as fh, Image.open(fh) as image:
        assert image.format == "JPEG" and not image.getexif()
    with photo.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
        assert max(thumb.size) <= 200


def test_a_file_that_is_not_an_image_is_refused_as_photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    world = award_world()
    visit = services.visit_schedule(nomination=_shortlisted(world), user=world.staff, starts_at=_at(0),
                                    ends_at=_at(2), address="الدمام", assessors=[world.assessor])
    with pytest.raises(DomainError) as exc:
        services.visit_photo_add(visit=visit, user=world.assessor,
                                 upload=SimpleUploadedFile("x.jpg", b"<?php echo 1;", content_type="image/jpeg"))
    assert "photo" in exc.value.errors
