"""Stripe webhooks that are correctly signed but malformed, or dated outside the tolerance: a 4xx, never a 500.

Nothing is recorded or changed by a refused event: the payment stays as it was and
no StripeEvent row is written (so a corrected redelivery is still acted on).
"""

import json
import time

import pytest

from registration import payments, services
from registration.models import Payment, Registration, StripeEvent
from tests.registration.conftest import WEBHOOK_SECRET
from tests.registration.factories import RegistrationTypeFactory, person
from tests.registration.test_payments import post_event

INTENT = "pi_webhook_input_1"


@pytest.fixture
def payment(forum, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = services.registration_create(forum=forum, registration_type=rtype, **person())
    return Payment.objects.create(registration=registration, stripe_payment_intent_id=INTENT, client_secret="cs",
                                  amount_minor=57500, currency="SAR")


def event(kind="payment_intent.succeeded", event_id="evt_input_1", **obj):
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}


def paid(**changes):
    obj = {"id": INTENT, "object": "payment_intent", "amount": 57500, "amount_received": 57500, "currency": "sar"}
    return event(**{**obj, **changes})


def without(obj: dict, *names) -> dict:
    return {k: v for k, v in obj.items() if k not in names}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


MALFORMED = {
    "array": [],
    "text": "payment_intent.succeeded",
    "number": 12,
    "no-id": without(paid(), "id"),
    "no-type": without(paid(), "type"),
    "id-not-text": {**paid(), "id": {"x": 1}},
    "id-too-long": {**paid(), "id": "evt_" + "x" * 300},
    "type-too-long": {**paid(), "type": "payment_intent." + "x" * 200},
    "no-data": without(paid(), "data"),
    "data-not-object": {**paid(), "data": [1, 2]},
    "no-data-object": {**paid(), "data": {}},
    "object-is-text": {**paid(), "data": {"object": "pi_1"}},
    "intent-without-id": {**paid(), "data": {"object": without(paid()["data"]["object"], "id")}},
    "intent-without-amounts": {**paid(), "data": {"object": without(paid()["data"]["object"], "amount",
                                                                      "amount_received")}},
    "amount-text": paid(amount_received="57500"),
    "amount-decimal": paid(amount_received=575.5),
    "amount-negative": paid(amount_received=-1),
    "amount-huge": paid(amount_received=10**20),
    "amount-boolean": paid(amount_received=True),
    "amount-null-and-text": paid(amount_received=None, amount="many"),
    "currency-missing": {**paid(), "data": {"object": without(paid()["data"]["object"], "currency")}},
    "currency-number": paid(currency=682),
    "currency-too-long": paid(currency="saudi riyal"),
    "refund-without-id": event("charge.refund.updated", payment_intent=INTENT, amount=100, status="succeeded"),
    "refund-amount-text": event("refund.created", id="re_1", payment_intent=INTENT, amount="100"),
    "refund-intent-number": event("refund.updated", id="re_1", payment_intent=42, amount=100),
    "refund-status-object": event("refund.updated", id="re_1", payment_intent=INTENT, amount=1, status={}),
    "charge-refunds-text": event("charge.refunded", id="ch_1", payment_intent=INTENT, refunds="all"),
    "charge-refunds-items-not-objects": event("charge.refunded", id="ch_1", payment_intent=INTENT,
                                              refunds={"data": [1, "re_1"]}),
    "charge-refund-amount-text": event("charge.refunded", id="ch_1", payment_intent=INTENT,
                                       refunds={"data": [{"id": "re_1", "amount": "lots"}]}),
    "charge-amount-refunded-text": event("charge.refunded", id="ch_1", payment_intent=INTENT,
                                         amount_refunded="57500"),
    "deeply-nested": nested(100_000),
    "not-utf8": b'{"id": "evt_1", "type": "x\xff"}',
    "not-json": b"{id: evt_1}",
}


@pytest.mark.django_db
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_webhook_signed_but_malformed_refused_and_nothing_changed(client, payment, body):
    response = post_event(client, body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_PAYMENT
    assert payment.registration.status == Registration.Status.PENDING
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_webhook_without_metadata_still_confirms_the_payment(client, payment):
    body = paid()
    assert "metadata" not in body["data"]["object"]
    response = post_event(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == "payment"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.registration.status == Registration.Status.CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    event("customer.created", id="cus_1"),
    event("invoice.paid", amount="whatever", metadata=None),
    event("payment_intent.created"),
    event("x" * 100),
], ids=["customer", "odd-fields", "empty-object", "long-type"])
def test_webhook_unknown_event_types_ignored(client, payment, body):
    response = post_event(client, body)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_PAYMENT


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [payments.WEBHOOK_TOLERANCE_SECONDS + 30, 86400 * 365 * 30],
                         ids=["minutes-ahead", "years-ahead"])
def test_webhook_dated_in_the_future_beyond_tolerance_refused(client, payment, offset):
    response = post_event(client, paid(), stamp=int(time.time()) + offset)
    assert response.status_code == 400
    assert "future" in response.json()["detail"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_PAYMENT
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_webhook_dated_in_the_past_beyond_tolerance_refused(client, payment):
    response = post_event(client, paid(), stamp=int(time.time()) - payments.WEBHOOK_TOLERANCE_SECONDS - 30)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_webhook_clock_skew_within_tolerance_accepted(client, payment):
    response = post_event(client, paid(), stamp=int(time.time()) + 60)
    assert response.status_code == 200 and response.json()["outcome"] == "payment"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["t=soon,v1=abc", "v1=abc", "t=1", "garbage", "t=١٢٣,v1=abc"])
def test_webhook_malformed_signature_header_refused(client, payment, header):
    body = json.dumps(paid()).encode()
    response = client.post("/api/v1/registration/stripe/webhook/", data=body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()

