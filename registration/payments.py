"""The only module that talks to Stripe (through the official SDK).

Every create call carries an idempotency key derived from our own row, so a
retried request cannot charge or refund twice on real Stripe; our side is
idempotent too (one Payment row per registration, refunds keyed by id),
because test doubles such as localstripe ignore the keys.
`settings.STRIPE_API_BASE` points the SDK elsewhere (localstripe in tests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import stripe
from django.conf import settings


class PaymentError(Exception):
    """Stripe refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class IntentInfo:
    id: str
    client_secret: str
    status: str
    amount: int
    currency: str


@dataclass(frozen=True)
class RefundInfo:
    id: str
    amount: int
    status: str


def _configure() -> None:
    # Module-level configuration is what the SDK reads for every call; set it
    # from settings each time so tests that override settings are honoured.
    stripe.api_key = settings.STRIPE_SECRET_KEY
    stripe.api_base = settings.STRIPE_API_BASE or "https://api.stripe.com"
    stripe.max_network_retries = 2


def _intent_info(intent) -> IntentInfo:
    return IntentInfo(
        id=intent["id"], client_secret=intent["client_secret"] or "", status=intent["status"],
        amount=int(intent["amount"]), currency=str(intent["currency"]).upper(),
    )


def payment_intent_create(*, amount_minor: int, currency: str, metadata: dict, idempotency_key: str) -> IntentInfo:
    _configure()
    try:
        intent = stripe.PaymentIntent.create(
            amount=amount_minor,
            currency=currency.lower(),
            payment_method_types=["card"],
            metadata=metadata,
            idempotency_key=idempotency_key,
        )
    except stripe.StripeError as exc:
        raise PaymentError(exc.user_message or str(exc)) from exc
    return _intent_info(intent)


def payment_intent_retrieve(*, intent_id: str) -> IntentInfo:
    _configure()
    try:
        return _intent_info(stripe.PaymentIntent.retrieve(intent_id))
    except stripe.StripeError as exc:
        raise PaymentError(exc.user_message or str(exc)) from exc


def payment_intent_cancel(*, intent_id: str) -> IntentInfo:
    _configure()
    try:
        return _intent_info(stripe.PaymentIntent.cancel(intent_id))
    except stripe.StripeError as exc:
        raise PaymentError(exc.user_message or str(exc)) from exc


def refund_create(*, intent_id: str, amount_minor: int, idempotency_key: str, metadata: dict) -> RefundInfo:
    _configure()
    try:
        refund = stripe.Refund.create(
            payment_intent=intent_id, amount=amount_minor, metadata=metadata, idempotency_key=idempotency_key
        )
    except stripe.StripeError as exc:
        raise PaymentError(exc.user_message or str(exc)) from exc
    return RefundInfo(id=refund["id"], amount=int(refund["amount"]), status=refund["status"] or "succeeded")


class InvalidWebhook(Exception):
    pass


def webhook_event_verify(*, payload: bytes, signature: str | None) -> dict:
    """Check the Stripe-Signature header with the SDK; return the event as plain JSON data."""
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise InvalidWebhook("not an event")
    return event
