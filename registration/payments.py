"""The only module that talks to Stripe (through the official SDK).

Every create call carries an idempotency key derived from our own row, so a
retried request cannot charge or refund twice on real Stripe; our side is
idempotent too (one Payment row per registration, refunds keyed by id),
because test doubles such as localstripe ignore the keys.
`settings.STRIPE_API_BASE` points the SDK elsewhere (localstripe in tests).
"""

from __future__ import annotations

import json
import time
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


def payments_configured() -> bool:
    """Online payment needs the secret key (the server's calls) and the publishable key (the pay page)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


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
    """Not a Stripe event we can act on: unsigned, stale, from the future or malformed; the message says which."""


# Stripe's own default: a signature older than this is refused, and so is one dated further ahead.
WEBHOOK_TOLERANCE_SECONDS = 300
_MAX_AMOUNT = 2**31 - 1  # the amount columns (PositiveIntegerField)


def webhook_event_verify(*, payload: bytes, signature: str | None) -> dict:
    """Check the Stripe-Signature header with the SDK; return the event as plain, checked JSON data.

    The SDK refuses signatures older than the tolerance; one dated beyond it in the future
    is refused here. The objects of the event types we act on are checked field by field
    (ids, amounts, currency) so that a correctly signed but malformed event is a 400,
    never a server error; other event types pass with their object untouched.
    """
    try:
        stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                                              WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    stamp = int(next(part[2:] for part in signature.split(",") if part.startswith("t=")))
    if stamp > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise InvalidWebhook("the signature's timestamp lies in the future beyond the tolerance")
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidWebhook("not JSON") from exc
    if not isinstance(event, dict):
        raise InvalidWebhook("not an event")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidWebhook("data.object: an object is required")
    checked = {"id": _text(event, "id"), "type": _text(event, "type", max_length=100)}
    check = _WEBHOOK_OBJECT_CHECKS.get(checked["type"]) or (
        _refund_object if checked["type"].startswith("refund.") else None
    )
    obj = check(data["object"]) if check else data["object"]
    return {**event, **checked, "data": {**data, "object": obj}}


def _field(name: str, message: str) -> InvalidWebhook:
    return InvalidWebhook(f"{name}: {message}")


def _text(obj: dict, name: str, *, required: bool = True, max_length: int = 255) -> str | None:
    value = obj.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise _field(name, f"a text of 1 to {max_length} characters is required")
    return value


def _amount(obj: dict, name: str, *, required: bool = False) -> int | None:
    value = obj.get(name)
    if value is None and not required:
        return None
    if type(value) is not int or not 0 <= value <= _MAX_AMOUNT:
        raise _field(name, "a whole, non-negative amount in the smallest currency unit is required")
    return value


def _payment_intent_object(obj: dict) -> dict:
    amount = _amount(obj, "amount_received")
    amount = _amount(obj, "amount", required=amount is None) if amount is None else amount
    currency = _text(obj, "currency", max_length=3)
    return {**obj, "id": _text(obj, "id"), "amount_received": amount, "amount": amount, "currency": currency}


def _refund_object(obj: dict) -> dict:
    return {**obj, "id": _text(obj, "id"), "payment_intent": _text(obj, "payment_intent", required=False),
            "amount": _amount(obj, "amount") or 0, "status": _text(obj, "status", required=False, max_length=20)}


def _charge_object(obj: dict) -> dict:
    refunds = obj.get("refunds")
    items = (refunds.get("data") or []) if isinstance(refunds, dict) else ([] if refunds is None else None)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _field("refunds", "a list of refunds is required")
    return {**obj, "payment_intent": _text(obj, "payment_intent", required=False),
            "amount_refunded": _amount(obj, "amount_refunded") or 0,
            "refunds": {"data": [_refund_object(item) for item in items]}}


_WEBHOOK_OBJECT_CHECKS = {
    "payment_intent.succeeded": _payment_intent_object,
    "charge.refunded": _charge_object,
    "charge.refund.updated": _refund_object,
}
