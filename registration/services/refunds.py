"""Refunds made through Stripe, and the payment's refunded total kept in step with them."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from forum.errors import DomainError

from .. import invoices, payments
from ..models import Payment, Refund, Registration


def _refund(payment: Payment, *, amount: int, reason: str) -> Refund | None:
    if amount <= 0:
        return None
    try:
        info = payments.refund_create(
            intent_id=payment.stripe_payment_intent_id, amount_minor=amount,
            idempotency_key=f"payment-{payment.pk}-refund-{payment.amount_refunded_minor}-{amount}",
            metadata={"registration": str(payment.registration_id), "reason": reason},
        )
    except payments.PaymentError as exc:
        raise DomainError(_("The refund could not be made; please try again."), code="refund") from exc
    refund, _created = Refund.objects.get_or_create(
        stripe_refund_id=info.id,
        defaults={"payment": payment, "amount_minor": info.amount, "reason": reason, "status": info.status},
    )
    _payment_refunds_total(payment)
    return refund


def _payment_refunds_total(payment: Payment, *, at_least: int = 0, recount: bool = False) -> None:
    """The payment's refunded total from its refunds that did not fail; it only grows, unless `recount`
    (a refund failed, so what it had added comes off)."""
    total = (Refund.objects.filter(payment=payment).exclude(status__in=invoices.REFUND_FAILED)
             .aggregate(s=Sum("amount_minor"))["s"] or 0)
    total = min(total if recount else max(total, at_least, payment.amount_refunded_minor), payment.amount_minor)
    payment.amount_refunded_minor = total
    if total >= payment.amount_minor:
        payment.status = Payment.Status.REFUNDED
    elif total > 0:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    elif recount and payment.status in (Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED):
        payment.status = Payment.Status.SUCCEEDED
    payment.save(update_fields=["amount_refunded_minor", "status"])
    invoices.payment_documents_issue(payment=payment)  # a credit note for each refund, once


def _refund_remaining(registration: Registration, *, reason: str) -> None:
    payment = Payment.objects.select_for_update().filter(registration=registration).first()
    if payment is not None and payment.is_paid:
        _refund(payment, amount=payment.amount_minor - payment.amount_refunded_minor, reason=reason)
