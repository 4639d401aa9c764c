"""Paid registrations against localstripe: the SDK talks real HTTP, webhooks arrive signed."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
import stripe
from django.urls import reverse
from django.utils import timezone

from forum.mailing.models import OutgoingMessage
from registration import payments, services
from registration.models import Payment, Refund, Registration, StripeEvent
from tests.registration.conftest import WEBHOOK_SECRET
from tests.registration.factories import RegistrationTypeFactory, person

WEBHOOK = "registration-stripe-webhook"


def register(rtype, **kwargs):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def card_pay(intent_id: str, number: str = "4242424242424242") -> None:
    """What Stripe.js does in the browser: attach a card and confirm the PaymentIntent."""
    payments._configure()
    method = stripe.PaymentMethod.create(
        type="card", card={"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    )
    stripe.PaymentIntent.modify(intent_id, payment_method=method["id"])
    stripe.PaymentIntent.confirm(intent_id)


def signed(event, secret: str = WEBHOOK_SECRET, *, stamp: int | None = None) -> tuple[bytes, str]:
    """Sign as Stripe does; `event` is a dict (sent as JSON) or the raw body as bytes."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    stamp = int(time.time()) if stamp is None else stamp
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={signature}"


def post_event(client, event, secret: str = WEBHOOK_SECRET, *, stamp: int | None = None):
    body, header = signed(event, secret, stamp=stamp)
    return client.post(reverse(WEBHOOK), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def succeeded_event(payment: Payment, event_id: str = "evt_test_1") -> dict:
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {"id": payment.stripe_payment_intent_id, "object": "payment_intent",
                                "amount": payment.amount_minor, "amount_received": payment.amount_minor,
                                "currency": payment.currency.lower(), "status": "succeeded"}}}


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.django_db
def test_payment_intent_created_once_and_stored(forum, stripe_local):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    first = services.payment_intent_ensure(registration=registration)
    second = services.payment_intent_ensure(registration=registration)
    assert first.pk == second.pk
    assert Payment.objects.filter(registration=registration).count() == 1
    payments._configure()
    intent = stripe.PaymentIntent.retrieve(first.stripe_payment_intent_id)
    assert intent["amount"] == 57500 and intent["currency"] == "sar"
    assert intent["metadata"]["reference"] == registration.reference
    assert first.client_secret.startswith(first.stripe_payment_intent_id)


@pytest.mark.django_db
def test_payment_intent_refused_for_free_registration(forum, stripe_local):
    registration = register(RegistrationTypeFactory(forum=forum))
    with pytest.raises(services.DomainError):
        services.payment_intent_ensure(registration=registration)


@pytest.mark.django_db
def test_payment_return_confirms_by_retrieving_intent(forum, stripe_local, on_commit):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    assert services.payment_sync(registration=registration).status == Registration.Status.PENDING  # not paid yet
    card_pay(payment.stripe_payment_intent_id)
    with on_commit():
        assert services.payment_sync(registration=registration).status == Registration.Status.CONFIRMED
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    # The webhook for the same payment arrives afterwards: acted on once only.
    with on_commit():
        services.stripe_event_handle(event=succeeded_event(payment))
    assert OutgoingMessage.objects.filter(kind="registration_confirmation", to=registration.email).count() == 1


@pytest.mark.django_db
def test_webhook_replay_is_harmless(client, forum, stripe_local):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    first = post_event(client, succeeded_event(payment))
    assert first.status_code == 200 and first.json()["outcome"] == "payment"
    again = post_event(client, succeeded_event(payment))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    # An out-of-order duplicate with another event id changes nothing either.
    other = post_event(client, succeeded_event(payment, event_id="evt_test_2"))
    assert other.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert StripeEvent.objects.count() == 2


@pytest.mark.django_db
def test_webhook_bad_signature_refused(client, forum, stripe_local):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    response = post_event(client, succeeded_event(payment), secret="whsec_wrong")
    assert response.status_code == 400
    unsigned = client.post(reverse(WEBHOOK), data=json.dumps(succeeded_event(payment)),
                           content_type="application/json")
    assert unsigned.status_code == 400
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_cancel_paid_registration_refunds(forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True, capacity=1)
    registration = register(rtype)
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    services.payment_sync(registration=registration)
    services.registration_cancel(registration=registration)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded_minor == 57500
    refund = Refund.objects.get(payment=payment)
    assert refund.reason == Refund.Reason.CANCELLATION
    payments._configure()
    assert stripe.Refund.retrieve(refund.stripe_refund_id)["amount"] == 57500
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0


@pytest.mark.django_db
def test_payment_after_release_refunded_when_full(forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True, capacity=1)
    late = register(rtype)
    payment = services.payment_intent_ensure(registration=late)
    Registration.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.registrations_expire()
    register(rtype)  # someone else takes the released seat
    card_pay(payment.stripe_payment_intent_id)
    services.payment_succeeded(intent_id=payment.stripe_payment_intent_id, amount=57500, currency="SAR")
    late.refresh_from_db()
    payment.refresh_from_db()
    assert late.status == Registration.Status.EXPIRED
    assert payment.status == Payment.Status.REFUNDED
    assert Refund.objects.get(payment=payment).reason == Refund.Reason.LATE_PAYMENT
    rtype.refresh_from_db()
    assert rtype.seats_taken == 1


@pytest.mark.django_db
def test_payment_after_release_retakes_free_seat(forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True, capacity=1)
    late = register(rtype)
    payment = services.payment_intent_ensure(registration=late)
    Registration.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.registrations_expire()
    card_pay(payment.stripe_payment_intent_id)
    services.payment_sync(registration=late)
    late.refresh_from_db()
    assert late.status == Registration.Status.CONFIRMED
    assert not Refund.objects.exists()
    rtype.refresh_from_db()
    assert rtype.seats_taken == 1


@pytest.mark.django_db
def test_dashboard_refund_reflected(client, forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    services.payment_sync(registration=registration)
    # An organizer refunds in the Stripe dashboard; Stripe then sends charge.refunded.
    payments._configure()
    refund = stripe.Refund.create(payment_intent=payment.stripe_payment_intent_id)
    intent = stripe.PaymentIntent.retrieve(payment.stripe_payment_intent_id)
    charge_id = intent["latest_charge"] if isinstance(intent["latest_charge"], str) else intent["latest_charge"]["id"]
    event = {"id": "evt_refund_1", "object": "event", "type": "charge.refunded", "data": {"object": {
        "id": charge_id, "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
        "amount": 57500, "amount_refunded": 57500, "refunded": True,
        "refunds": {"data": [{"id": refund["id"], "amount": 57500, "status": "succeeded"}]}}}}
    assert post_event(client, event).status_code == 200
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert Refund.objects.get(stripe_refund_id=refund["id"]).reason == Refund.Reason.DASHBOARD
    assert registration.status == Registration.Status.CANCELLED
    rtype.refresh_from_db()
    assert rtype.seats_taken == 0
    # The matching refund.created event later is a no-op.
    post_event(client, {"id": "evt_refund_2", "object": "event", "type": "refund.created", "data": {"object": {
        "id": refund["id"], "object": "refund", "payment_intent": payment.stripe_payment_intent_id,
        "amount": 57500, "status": "succeeded"}}})
    assert Refund.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_webhook_from_localstripe_confirms_payment(forum, stripe_webhooks):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    assert wait_for(lambda: Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
    assert wait_for(lambda: OutgoingMessage.objects.filter(
        kind="registration_confirmation", to=registration.email).count() == 1)


@pytest.mark.django_db
def test_api_paid_flow_intent_once_then_sync(api_client, forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    created = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/", {
        "registration_type": rtype.pk, "full_name_ar": "ماجد", "email": "majed@example.org"}, format="json").json()
    assert created["status"] == "pending" and created["amount_minor"] == 57500
    token = created["access_token"]
    first = api_client.post(f"/api/v1/registration/me/{token}/payment/").json()
    second = api_client.post(f"/api/v1/registration/me/{token}/payment/").json()
    assert first["payment_intent"] == second["payment_intent"]
    assert first["client_secret"] and first["publishable_key"] == "pk_test_local"
    assert Payment.objects.filter(registration__reference=created["reference"]).count() == 1
    card_pay(first["payment_intent"])
    synced = api_client.post(f"/api/v1/registration/me/{token}/payment/sync/").json()
    assert synced["status"] == "confirmed" and synced["payment"]["status"] == "succeeded"
    assert api_client.post(f"/api/v1/registration/me/{token}/payment/").status_code == 200  # same intent, no new one


@pytest.mark.django_db
def test_payment_error_when_stripe_unreachable(forum, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    with pytest.raises(services.DomainError) as err:
        services.payment_intent_ensure(registration=registration)
    assert err.value.code == "payment"
    assert not Payment.objects.exists()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING  # still holds its seat; the attendee can retry


@pytest.mark.django_db
def test_expired_registration_intent_cancelled_at_stripe(forum, stripe_local, on_commit):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    Registration.objects.filter(pk=registration.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    with on_commit():
        services.registrations_expire()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    payments._configure()
    assert stripe.PaymentIntent.retrieve(payment.stripe_payment_intent_id)["status"] == "canceled"
