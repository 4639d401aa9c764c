"""The nominations portal: e-mail sign-in, drafts, documents, deadlines, submission, withdrawal."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from awards import services
from awards.models import Nomination, NominationDocument, SignInLink
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.mailing.models import OutgoingMessage
from forum.models import Person
from tests.awards.factories import applicant_user, award_world, pdf_upload
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _token_from_outbox(email):
    message = OutgoingMessage.objects.filter(to=email, kind="awards.signin").latest("id")
    return re.search(r"/portal/sign-in/([^/\s]+)/", message.text_body).group(1)


def test_signin_link_creates_the_applicant_and_signs_in_once():
    assert services.signin_link_send(email="New.Applicant@Example.org") is True
    token = _token_from_outbox("new.applicant@example.org")
    user = services.signin_link_use(token=token)
    person = Person.objects.get(user=user)
    assert person.email == "new.applicant@example.org"
    assert not user.has_usable_password()
    with pytest.raises(PermissionDenied) as used:
        services.signin_link_use(token=token)
    assert used.value.code == "link_used"


def test_signin_link_expired_is_refused():
    services.signin_link_send(email="late@example.org")
    token = _token_from_outbox("late@example.org")
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PermissionDenied) as exc:
        services.signin_link_use(token=token)
    assert exc.value.code == "link_expired"


def test_signin_link_forged_token_is_refused():
    with pytest.raises(PermissionDenied) as exc:
        services.signin_link_use(token="forged-token")
    assert exc.value.code == "link_invalid"


def test_signin_link_does_not_sign_in_an_organizer_account():
    organizer = TeamMemberFactory(role="owner").user
    Person.objects.create(full_name_ar="منظم", email=organizer.email, user=organizer)
    services.signin_link_send(email=organizer.email)
    with pytest.raises(PermissionDenied) as exc:
        services.signin_link_use(token=_token_from_outbox(organizer.email))
    assert exc.value.code == "link_not_for_staff"


def test_signin_link_rate_limited_per_address():
    for _i in range(5):
        assert services.signin_link_send(email="busy@example.org") is True
    assert services.signin_link_send(email="busy@example.org") is False
    assert SignInLink.objects.filter(email="busy@example.org").count() == 5


def test_signin_link_bad_address_is_a_field_error():
    with pytest.raises(DomainError) as exc:
        services.signin_link_send(email="not-an-address")
    assert "email" in exc.value.errors


def _draft(world, user=None):
    user = user or applicant_user()
    nomination = services.nomination_create(category=world.category, user=user)
    return user, nomination


def test_self_nomination_draft_then_complete_submission_sends_receipt():
    world = award_world()
    user, nomination = _draft(world)
    assert nomination.self_nominated and nomination.status == Nomination.Status.DRAFT
    services.nomination_save(nomination=nomination, user=user, answers={world.question.pk: "إنجازات"})
    services.document_upload(nomination=nomination, user=user, document=world.document, upload=pdf_upload())
    services.nomination_submit(nomination=nomination, user=user)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED and nomination.submitted_at
    receipt = OutgoingMessage.objects.get(kind="awards.receipt")
    assert receipt.to == user.person.email and nomination.reference in receipt.text_body


def test_manager_nominates_an_employee():
    world = award_world()
    manager = applicant_user()
    employee = services.nominee_person_resolve(name_ar="موظف متميز", email="emp@example.org")
    nomination = services.nomination_create(category=world.category, user=manager, nominee_person=employee)
    assert nomination.applicant == manager.person and nomination.nominee_person == employee
    assert not nomination.self_nominated


def test_institutional_category_needs_an_organization():
    world = award_world()
    world.category.kind = "institutional"
    world.category.save()
    with pytest.raises(DomainError) as exc:
        services.nomination_create(category=world.category, user=applicant_user())
    assert "organization_name_ar" in exc.value.errors
    body = services.nominee_organization_resolve(name_ar="بلدية الخبر")
    nomination = services.nomination_create(category=world.category, user=applicant_user(),
                                            nominee_organization=body)
    assert nomination.nominee_organization == body and nomination.nominee_person is None


def test_missing_required_document_and_answer_refuse_submission_keeping_the_draft():
    world = award_world()
    user, nomination = _draft(world)
    services.nomination_save(nomination=nomination, user=user, answers={world.question.pk: ""}, title="ملخص")
    with pytest.raises(DomainError) as exc:
        services.nomination_submit(nomination=nomination, user=user)
    assert f"document_{world.document.pk}" in exc.value.errors
    assert f"question_{world.question.pk}" in exc.value.errors
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DRAFT and nomination.title == "ملخص"


def test_late_submission_is_refused_and_the_saved_answers_stay():
    world = award_world()
    user, nomination = _draft(world)
    services.nomination_save(nomination=nomination, user=user, answers={world.question.pk: "نص محفوظ"})
    services.document_upload(nomination=nomination, user=user, document=world.document, upload=pdf_upload())
    world.cycle.nominations_close = timezone.now() - timedelta(minutes=1)
    world.cycle.nominations_open = timezone.now() - timedelta(days=30)
    world.cycle.save()
    with pytest.raises(DomainError) as exc:
        services.nomination_submit(nomination=nomination, user=user)
    assert exc.value.code == "late" and "deadline" in exc.value.errors
    nomination.refresh_from_db()
    assert nomination.answers == {str(world.question.pk): "نص محفوظ"}
    assert NominationDocument.objects.filter(nomination=nomination).count() == 1


def test_extension_applies_to_one_applicant_only():
    world = award_world()
    user_a, nomination_a = _draft(world)
    user_b, nomination_b = _draft(world)
    for user, nomination in ((user_a, nomination_a), (user_b, nomination_b)):
        services.nomination_save(nomination=nomination, user=user, answers={world.question.pk: "x"})
        services.document_upload(nomination=nomination, user=user, document=world.document, upload=pdf_upload())
    services.extension_grant(nomination=nomination_a, user=world.staff, until=timezone.now() + timedelta(days=2))
    world.cycle.nominations_close = timezone.now() - timedelta(minutes=1)
    world.cycle.nominations_open = timezone.now() - timedelta(days=30)
    world.cycle.save()
    services.nomination_submit(nomination=nomination_a, user=user_a)
    with pytest.raises(DomainError):
        services.nomination_submit(nomination=nomination_b, user=user_b)


def test_extension_by_an_outsider_is_refused():
    world = award_world()
    _user, nomination = _draft(world)
    with pytest.raises(PermissionDenied):
        services.extension_grant(nomination=nomination, user=world.outsider, until=timezone.now() + timedelta(days=1))


def test_another_applicant_cannot_touch_my_nomination():
    world = award_world()
    _user, nomination = _draft(world)
    intruder = applicant_user()
    with pytest.raises(NotFound):
        services.nomination_save(nomination=nomination, user=intruder, answers={})
    with pytest.raises(NotFound):
        services.nomination_withdraw(nomination=nomination, user=intruder)


def test_upload_checked_by_content_as_working_papers():
    world = award_world()
    user, nomination = _draft(world)
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        services.document_upload(nomination=nomination, user=user, document=world.document, upload=fake)
    assert f"document_{world.document.pk}" in exc.value.errors
    assert not NominationDocument.objects.exists()


def test_upload_versions_are_kept():
    world = award_world()
    user, nomination = _draft(world)
    first = services.document_upload(nomination=nomination, user=user, document=world.document, upload=pdf_upload())
    second = services.document_upload(nomination=nomination, user=user, document=world.document, upload=pdf_upload())
    assert (first.version, second.version) == (1, 2)


def test_withdraw_sends_mail_and_frees_the_nominee():
    world = award_world()
    user, nomination = _draft(world)
    services.nomination_withdraw(nomination=nomination, user=user, reason="ظرف طارئ")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN
    assert OutgoingMessage.objects.filter(kind="awards.withdrawn").exists()
    again = services.nomination_create(category=world.category, user=user)
    assert again.pk != nomination.pk


def test_duplicate_nominee_in_a_category_is_refused():
    world = award_world()
    user, _nomination = _draft(world)
    with pytest.raises(DomainError) as exc:
        services.nomination_create(category=world.category, user=user)
    assert exc.value.code == "duplicate"


def test_nominating_before_the_cycle_opens_is_refused():
    world = award_world()
    world.cycle.nominations_open = timezone.now() + timedelta(days=1)
    world.cycle.nominations_close = timezone.now() + timedelta(days=5)
    world.cycle.save()
    with pytest.raises(DomainError) as exc:
        services.nomination_create(category=world.category, user=applicant_user())
    assert exc.value.code == "not_open"


def test_answer_too_long_and_unknown_question_are_field_errors():
    world = award_world()
    user, nomination = _draft(world)
    world.question.max_length = 5
    world.question.save()
    with pytest.raises(DomainError) as exc:
        services.nomination_save(nomination=nomination, user=user, answers={world.question.pk: "طويل جداً", "x": "y"})
    assert f"question_{world.question.pk}" in exc.value.errors and "question_x" in exc.value.errors


def test_a_user_without_person_cannot_nominate():
    world = award_world()
    with pytest.raises(PermissionDenied):
        services.nomination_create(category=world.category, user=UserFactory())
