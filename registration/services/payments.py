"""Payments through Stripe: the one PaymentIntent of a registration, its success (exactly once, also
when late), abandoning it when the seat goes, syncing on the browser's return, refunds seen at Stripe,
and the webhook's events."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError

from .. import invoices, payments
from ..models import Payment, Refund, Registration, StripeEvent
from .common import PaymentsNotConfigured, SeatsFull, Status, _lock
from .lifecycle import _confirm, _end, registration_expire_if_due
from .refunds import _payment_refunds_total, _refund
from .seats import seat_take_in_transaction

log = logging.getLogger("registration.services")


def payment_intent_ensure(*, registration: Registration) -> Payment:
    """The registration's one PaymentIntent: created at Stripe once, stored before anyone sees it.

    The registration row is locked while Stripe is asked, so two browser tabs
    cannot create two intents; the idempotency key covers retries of the call.
    """
    registration_expire_if_due(registration=registration)
    if not payments.payments_configured():
        _payment_unavailable(registration)
    with transaction.atomic():
        registration = _lock(registration)
        existing = Payment.objects.filter(registration=registration).first()
        if existing is not None:
            return existing
        if registration.status != Status.PENDING or registration.amount_minor <= 0:
            raise DomainError(_("This registration has nothing to pay."), code="nothing_to_pay")
        try:
            intent = payments.payment_intent_create(
                amount_minor=registration.amount_minor,
                currency=registration.currency,
                metadata={"registration": str(registration.pk), "reference": registration.reference,
                          "forum": registration.forum.slug},
                idempotency_key=f"registration-{registration.pk}-payment-intent",
            )
        except payments.PaymentError as exc:
            raise DomainError(_("The payment service could not be reached; please try again."), code="payment") from exc
        return Payment.objects.create(
            registration=registration, stripe_payment_intent_id=intent.id, client_secret=intent.client_secret,
            amount_minor=registration.amount_minor, currency=registration.currency,
        )


def _payment_unavailable(registration: Registration) -> None:
    """Online payment was switched off after the registration was made: its held seat is released
    (nobody can pay for it), the problem logged, and the attendee told how to go on."""
    with transaction.atomic():
        registration = _lock(registration)
        if registration.status == Status.PENDING and not Payment.objects.filter(registration=registration).exists():
            _end(registration, status=Status.CANCELLED, reason="online payment not configured")
            log.error("Stripe is not configured: registration %s cannot be paid, so its seat is released",
                      registration.reference)
    raise PaymentsNotConfigured()


@transaction.atomic
def payment_succeeded(*, intent_id: str, amount: int, currency: str) -> Payment | None:
    """A PaymentIntent succeeded (webhook or the browser's return): act on it exactly once.

    Pending → confirmed (or awaiting approval). If the seat was released in the
    meantime, take a seat again when one is free, otherwise refund in full.
    """
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
    if payment is None:
        log.warning("payment for an unknown PaymentIntent %s", intent_id)
        return None
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        return payment
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.save(update_fields=["status", "succeeded_at"])
    registration = _lock(payment.registration)
    if amount < payment.amount_minor or currency.upper() != payment.currency:
        log.error("PaymentIntent %s paid %s %s, expected %s %s", intent_id, amount, currency,
                  payment.amount_minor, payment.currency)
        _refund(payment, amount=min(amount, payment.amount_minor), reason=Refund.Reason.LATE_PAYMENT)
        return payment
    invoices.payment_documents_issue(payment=payment)  # the tax invoice, committed with the payment
    if registration.status == Status.PENDING:
        _confirm(registration)
        return payment
    if registration.status == Status.EXPIRED and not Registration.objects.filter(
        forum_id=registration.forum_id, email=registration.email, status__in=Registration.SEAT_HOLDING
    ).exists():
        try:
            with transaction.atomic():
                seat_take_in_transaction(forum_id=registration.forum_id, type_id=registration.registration_type_id)
                _confirm(registration)
            return payment
        except SeatsFull:
            pass
    if not registration.holds_seat:
        _refund(payment, amount=payment.amount_minor - payment.amount_refunded_minor,
                reason=Refund.Reason.LATE_PAYMENT)
    return payment


def payment_intent_abandon(*, registration_id: int) -> Payment | None:
    """Cancel the unpaid PaymentIntent of a registration that no longer holds a seat (best effort).

    If it was paid meanwhile, Stripe refuses the cancellation and the payment
    is handled as a late payment (webhook or next sync).
    """
    payment = Payment.objects.filter(registration_id=registration_id,
                                      status=Payment.Status.REQUIRES_PAYMENT).first()
    if payment is None:
        return None
    try:
        intent = payments.payment_intent_cancel(intent_id=payment.stripe_payment_intent_id)
    except payments.PaymentError:
        intent = payments.payment_intent_retrieve(intent_id=payment.stripe_payment_intent_id)
        if intent.status == "succeeded":
            payment_succeeded(intent_id=intent.id, amount=intent.amount, currency=intent.currency)
        return payment
    if intent.status == "canceled":
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.REQUIRES_PAYMENT).update(
            status=Payment.Status.CANCELED
        )
    return payment


def payment_sync(*, registration: Registration) -> Registration:
    """The browser came back from paying: ask Stripe directly rather than wait for the webhook."""
    payment = Payment.objects.filter(registration=registration).first()
    if payment is None or payment.status != Payment.Status.REQUIRES_PAYMENT:
        return registration_expire_if_due(registration=registration)
    try:
        intent = payments.payment_intent_retrieve(intent_id=payment.stripe_payment_intent_id)
    except payments.PaymentError as exc:
        raise DomainError(_("The payment service could not be reached; please try again."), code="payment") from exc
    if intent.status == "succeeded":
        payment_succeeded(intent_id=intent.id, amount=intent.amount, currency=intent.currency)
    registration.refresh_from_db()
    return registration_expire_if_due(registration=registration)


@transaction.atomic
def payment_refunds_reflect(*, intent_id: str, refunds: list[dict], amount_refunded: int | None = None) -> Payment | None:
    """Refunds seen at Stripe (ours or made in the dashboard) recorded here.

    A payment refunded in full ends a registration that still holds a seat. A
    refund reported failed or cancelled is marked so, comes off the refunded
    total, and its credit note is reversed by a debit note (once, however often
    the event is delivered).
    """
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
    if payment is None:
        return None
    failed = False
    for item in refunds:
        if not item.get("id"):
            continue
        if item.get("status") in invoices.REFUND_FAILED:
            # A pending refund that failed or was cancelled: the money stays with the seller. Its credit
            # note is reversed by a debit note (registration.invoices) and the refunded total recounted.
            failed |= bool(Refund.objects.filter(stripe_refund_id=item["id"], payment=payment)
                           .exclude(status=item["status"]).update(status=item["status"]))
            continue
        Refund.objects.get_or_create(
            stripe_refund_id=item["id"],
            defaults={"payment": payment, "amount_minor": int(item.get("amount") or 0),
                      "reason": Refund.Reason.DASHBOARD, "status": item.get("status") or "succeeded"},
        )
    if payment.status == Payment.Status.REQUIRES_PAYMENT:
        # A refund can only follow a charge: the success event is late or lost.
        payment.status = Payment.Status.SUCCEEDED
        payment.succeeded_at = timezone.now()
    _payment_refunds_total(payment, at_least=amount_refunded or 0, recount=failed)
    if payment.status == Payment.Status.REFUNDED:
        registration = _lock(payment.registration)
        if registration.holds_seat:
            _end(registration, status=Status.CANCELLED, reason="refunded in Stripe")
    return payment


def stripe_event_handle(*, event: dict) -> str:
    """Handle one verified Stripe event exactly once; returns what was done."""
    with transaction.atomic():
        _record, created = StripeEvent.objects.get_or_create(event_id=event["id"], defaults={"type": event["type"]})
        if not created:
            return "duplicate"
        obj = (event.get("data") or {}).get("object") or {}
        kind = event["type"]
        if kind == "payment_intent.succeeded":
            payment_succeeded(intent_id=obj["id"], amount=int(obj.get("amount_received") or obj.get("amount") or 0),
                              currency=str(obj.get("currency") or ""))
            return "payment"
        if kind == "charge.refunded":
            refunds = ((obj.get("refunds") or {}).get("data")) or []
            if obj.get("payment_intent"):
                payment_refunds_reflect(intent_id=obj["payment_intent"], refunds=refunds,
                                        amount_refunded=int(obj.get("amount_refunded") or 0))
            return "refund"
        if kind.startswith("refund.") or kind == "charge.refund.updated":
            # Refunds of a charge outside a PaymentIntent are none of ours.
            if obj.get("payment_intent"):
                payment_refunds_reflect(intent_id=obj["payment_intent"], refunds=[obj])
            return "refund"
        return "ignored"
