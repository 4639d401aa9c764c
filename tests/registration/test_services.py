from datetime import timedelta

import pytest
from django.utils import timezone

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from registration import services
from registration.models import Registration, RegistrationSettings, RegistrationType, WaitlistEntry
from tests.registration.factories import (
    InviteCodeFactory,
    QuestionFactory,
    RegistrationSettingsFactory,
    RegistrationTypeFactory,
    person,
)

pytestmark = pytest.mark.django_db


def register(rtype, **kwargs):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def test_registration_free_type_confirmed_and_counted(forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=10)
    registration = register(rtype)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.confirmed_at is not None
    rtype.refresh_from_db()
    assert rtype.seats_taken == 1
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 1


def test_registration_type_capacity_refuses_extra_seat(forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=2)
    register(rtype)
    register(rtype)
    with pytest.raises(services.SeatsFull):
        register(rtype)
    assert Registration.objects.filter(registration_type=rtype).count() == 2


def test_registration_forum_capacity_spans_types(forum):
    RegistrationSettingsFactory(forum=forum, capacity=2)
    first, second = RegistrationTypeFactory(forum=forum), RegistrationTypeFactory(forum=forum)
    register(first)
    register(second)
    with pytest.raises(services.SeatsFull):
        register(first)
    first.refresh_from_db()
    assert first.seats_taken == 1  # the type counter is not left raised by the refused attempt


def test_registration_query_count_is_small(forum, django_assert_max_num_queries):
    rtype = RegistrationTypeFactory(forum=forum)
    register(rtype)  # settings row exists from here on
    with django_assert_max_num_queries(7):
        register(rtype)


def test_registration_same_email_twice_refused(forum):
    rtype = RegistrationTypeFactory(forum=forum)
    register(rtype, email="same@example.org")
    with pytest.raises(DomainError) as err:
        register(rtype, email="SAME@example.org")
    assert "email" in err.value.errors


def test_registration_closed_forum_refused(forum):
    RegistrationSettingsFactory(forum=forum, is_open=False)
    rtype = RegistrationTypeFactory(forum=forum)
    with pytest.raises(DomainError) as err:
        register(rtype)
    assert not isinstance(err.value, services.SeatsFull)


def test_registration_draft_forum_refused(draft_forum):
    rtype = RegistrationTypeFactory(forum=draft_forum)
    with pytest.raises(DomainError):
        register(rtype)


def test_registration_type_of_other_forum_refused(forum):
    other = RegistrationTypeFactory()
    with pytest.raises(DomainError) as err:
        services.registration_create(forum=forum, registration_type=other, **person())
    assert "registration_type" in err.value.errors


def test_registration_approval_type_waits_then_approved(forum, on_commit):
    rtype = RegistrationTypeFactory(forum=forum, requires_approval=True)
    registration = register(rtype)
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    with on_commit():
        services.registration_approve(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    message = OutgoingMessage.objects.get(kind="registration_confirmation", to=registration.email)
    assert message.text_body.index("تأكيد") < message.text_body.index("confirmed")  # Arabic first, English below
    assert {a["mimetype"].split(";")[0] for a in message.attachments} == {"application/pdf", "text/calendar"}


def test_registration_reject_frees_seat(forum):
    rtype = RegistrationTypeFactory(forum=forum, requires_approval=True, capacity=1)
    registration = register(rtype)
    services.registration_reject(registration=registration)
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0
    register(rtype)


def test_registration_paid_type_pending_with_hold(forum):
    RegistrationSettingsFactory(forum=forum, hold_minutes=20)
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    assert registration.status == Registration.Status.PENDING
    assert registration.amount_minor == 57500  # 500.00 SAR + 15% VAT, in halalas
    assert registration.currency == "SAR"
    assert timedelta(minutes=19) < registration.hold_expires_at - timezone.now() <= timedelta(minutes=20)


def test_registrations_expire_releases_seat_after_hold(forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True, capacity=1)
    registration = register(rtype)
    assert services.registrations_expire() == 0  # still within the hold
    with pytest.raises(services.SeatsFull):
        register(rtype)
    Registration.objects.filter(pk=registration.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.registrations_expire() == 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0
    assert register(rtype).status == Registration.Status.PENDING


def test_registration_expired_on_access(forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    Registration.objects.filter(pk=registration.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    seen = services.registration_for_token(access_token=registration.access_token)
    assert seen.status == Registration.Status.EXPIRED


def test_registration_cancel_frees_seat(forum, on_commit):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    registration = register(rtype)
    with on_commit():
        services.registration_cancel(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.cancelled_at is not None
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0
    with pytest.raises(DomainError):
        services.registration_cancel(registration=registration)


def test_invite_code_required_and_counted(forum):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    code = InviteCodeFactory(registration_type=rtype, max_uses=2)
    with pytest.raises(DomainError) as err:
        register(rtype)
    assert "invite_code" in err.value.errors
    register(rtype, invite_code=code.code.lower())
    register(rtype, invite_code=code.code)
    with pytest.raises(DomainError) as err:
        register(rtype, invite_code=code.code)
    assert "invite_code" in err.value.errors
    code.refresh_from_db()
    assert code.uses == 2


def test_invite_code_expired_refused(forum):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    code = InviteCodeFactory(registration_type=rtype, expires_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as err:
        register(rtype, invite_code=code.code)
    assert "invite_code" in err.value.errors


def test_invite_code_of_other_type_refused(forum):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    other = InviteCodeFactory()
    with pytest.raises(DomainError):
        register(rtype, invite_code=other.code)


def test_invite_codes_create_in_bulk(forum):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    codes = services.invite_codes_create(registration_type=rtype, count=25, max_uses=3,
                                         expires_at=timezone.now() + timedelta(days=7))
    assert len({c.code for c in codes}) == 25
    assert {c.batch for c in codes} == {codes[0].batch}
    with pytest.raises(DomainError):
        services.invite_codes_create(registration_type=RegistrationTypeFactory(forum=forum), count=2)


def test_waitlist_offer_on_freed_seat_and_claim(forum, on_commit):
    RegistrationSettingsFactory(forum=forum, claim_hours=12)
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    holder = register(rtype)
    entry = services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar="سارة", email="sara@example.org")
    with on_commit():
        services.registration_cancel(registration=holder)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert timedelta(hours=11) < entry.offer_expires_at - timezone.now() <= timedelta(hours=12)
    assert OutgoingMessage.objects.filter(kind="waitlist_offer", to="sara@example.org").exists()
    # The offered seat is kept for her: someone else cannot take it.
    with pytest.raises(services.SeatsFull):
        register(rtype)
    registration = services.waitlist_claim(claim_token=entry.claim_token)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.email == "sara@example.org"
    rtype.refresh_from_db()
    assert rtype.seats_taken == 1
    with pytest.raises(DomainError):
        services.waitlist_claim(claim_token=entry.claim_token)


def test_waitlist_offer_lapses_and_moves_on(forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    holder = register(rtype)
    first = services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar="أ", email="a@example.org")
    second = services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar="ب", email="b@example.org")
    services.registration_cancel(registration=holder)
    WaitlistEntry.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError):
        services.waitlist_claim(claim_token=first.claim_token)
    services.registrations_expire()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistEntry.Status.LAPSED
    assert second.status == WaitlistEntry.Status.OFFERED
    WaitlistEntry.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    services.registrations_expire()
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0  # nobody left waiting: the seat is free again


def test_seats_recount_matches_services(forum):
    rtype = RegistrationTypeFactory(forum=forum)
    for _ in range(3):
        register(rtype)
    RegistrationType.objects.filter(pk=rtype.pk).update(seats_taken=0)
    services.seats_recount(forum=forum)
    rtype.refresh_from_db()
    assert rtype.seats_taken == 3


def test_answers_validated_by_kind(forum):
    text = QuestionFactory(forum=forum, required=True)
    choice = QuestionFactory(forum=forum, kind="choice", choices=[
        {"value": "gov", "label_ar": "جهة حكومية", "label_en": "Government"},
        {"value": "private", "label_ar": "قطاع خاص", "label_en": "Private sector"}])
    yes_no = QuestionFactory(forum=forum, kind="yes_no")
    phone = QuestionFactory(forum=forum, kind="phone")
    questions = [text, choice, yes_no, phone]
    with pytest.raises(DomainError) as err:
        services.answers_clean(questions=questions, data={f"q{choice.pk}": "other", f"q{yes_no.pk}": "maybe",
                                                          f"q{phone.pk}": "abc"})
    assert set(err.value.errors) == {f"q{text.pk}", f"q{choice.pk}", f"q{yes_no.pk}", f"q{phone.pk}"}
    answers = services.answers_clean(questions=questions, data={
        f"q{text.pk}": "مدير", f"q{choice.pk}": "gov", f"q{yes_no.pk}": "نعم", f"q{phone.pk}": "+966 55 123 4567"})
    assert [a.value for a in answers] == ["مدير", "gov", "yes", "+966 55 123 4567"]
    rtype = RegistrationTypeFactory(forum=forum)
    registration = services.registration_create(forum=forum, registration_type=rtype, answers=answers, **person())
    assert registration.answers.count() == 4


def test_badge_issued_on_confirmation_and_revoked_on_cancellation(forum, on_commit):
    from registration.badges.models import Badge

    rtype = RegistrationTypeFactory(forum=forum)
    with on_commit():
        registration = register(rtype)
    badge = Badge.objects.get(registration=registration)
    assert badge.revoked_at is None
    with on_commit():
        services.registration_cancel(registration=registration, by=object(), reason="organizer")
    badge.refresh_from_db()
    assert badge.revoked_at is not None


def test_pending_registration_gets_link_by_email(forum, on_commit):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    with on_commit():
        registration = register(rtype)
    message = OutgoingMessage.objects.get(kind="registration_received", to=registration.email)
    assert registration.access_token in message.text_body
    assert "575.00" in message.text_body
    assert message.text_body.index("استلمنا") < message.text_body.index("We received")


def test_organizer_cancellation_tells_attendee(forum, on_commit):
    registration = register(RegistrationTypeFactory(forum=forum))
    with on_commit():
        services.registration_cancel(registration=registration, by=object(), reason="organizer")
    message = OutgoingMessage.objects.get(kind="registration_cancelled", to=registration.email)
    assert "أُلغي تسجيلك" in message.subject and "is cancelled" in message.subject


def test_cancellation_email_links_each_part_to_the_form_in_its_own_language(forum, on_commit):
    from django.utils import translation

    registration = register(RegistrationTypeFactory(forum=forum))
    # Cancelled from an English page: the Arabic part must still link to the Arabic form.
    with translation.override("en"), on_commit():
        services.registration_cancel(registration=registration, by=object(), reason="organizer")
    text = OutgoingMessage.objects.get(kind="registration_cancelled", to=registration.email).text_body
    arabic_part, english_part = text.split("Your registration", 1) if "Your registration" in text else (text, "")
    assert f"/registration/{forum.slug}/" in arabic_part and "/en/registration/" not in arabic_part
    assert f"/en/registration/{forum.slug}/" in text
