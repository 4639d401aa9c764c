"""Registration's side of invoicing: what a paid registration's tax invoice and its refunds' credit notes say.

The payment confirmation and every refund call `payment_documents_issue` inside
their own transaction (registration.services), so a payment that is recorded has
its invoice and a refund its credit note, committed together or not at all:
- the invoice, at the moment of payment: seller = the billing settings of the
  forum's organizing body, buyer = the registered person (with the VAT number and
  address of the optional buyer block), one line for the registration type at
  what was charged, split into net and VAT at the type's rate;
- a credit note per Stripe refund (ours, from a cancellation, a rejection or a
  late payment, or one made in the Stripe dashboard), for the refund's amount;
- a debit note reversing that credit note when Stripe later reports the refund
  failed or cancelled (a pending refund can fail days later).
Both are keyed (invoicing's source_key) by the payment and the refund, so a
retried webhook or a second path to the same refund issues nothing twice.
"""

from __future__ import annotations

from invoicing import services as invoicing
from invoicing.models import Invoice

from .models import Payment, Refund, Registration

PAID = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)
REFUND_FAILED = ("failed", "canceled")
REVERSAL_REASON_AR = "إلغاء الإشعار الدائن لتعذر الاسترداد"  # the refund failed or was cancelled at Stripe
REASONS_AR = {
    Refund.Reason.CANCELLATION: "استرداد لإلغاء التسجيل",
    Refund.Reason.LATE_PAYMENT: "استرداد لدفع وصل بعد تحرير المقعد",
    Refund.Reason.REJECTED: "استرداد لرفض التسجيل",
    Refund.Reason.DASHBOARD: "استرداد",
}


def _invoice_issue(payment: Payment, registration: Registration) -> Invoice | None:
    seller = invoicing.seller_for(registration.forum)
    if seller is None:  # sold before the rule existed: nothing to issue from, logged by the caller's checks
        return None
    rtype = registration.registration_type
    line = invoicing.Line.from_gross(
        description_ar=f"{rtype.name_ar} — {registration.forum.title_ar}",
        description_en=f"{rtype.name_en or rtype.name_ar} — {registration.forum.title_en or registration.forum.title_ar}",
        gross_minor=payment.amount_minor, vat_rate=rtype.vat_rate,
    )
    buyer = invoicing.Buyer(
        name=registration.organization_name if registration.buyer_vat_number and registration.organization_name
        else registration.full_name_ar,
        name_en=registration.full_name_en, email=registration.email, vat_number=registration.buyer_vat_number,
        address=registration.buyer_address, language=registration.language,
    )
    return invoicing.invoice_issue(
        seller=seller, buyer=buyer, lines=[line], currency=payment.currency, source_key=f"payment:{payment.pk}",
        forum=registration.forum, order_reference=registration.reference,
    )


def payment_documents_issue(*, payment: Payment) -> list[Invoice]:
    """The invoice of a paid payment and a credit note for each of its refunds, each issued once."""
    if payment.status not in PAID:
        return []
    registration = Registration.objects.select_related("forum", "registration_type").get(pk=payment.registration_id)
    invoice = _invoice_issue(payment, registration)
    if invoice is None:
        return []
    documents = [invoice]
    refunds = list(Refund.objects.filter(payment=payment).order_by("pk"))
    notes = {note.source_key: note for note in Invoice.objects.filter(
        seller_id=invoice.seller_id, source_key__in=[f"refund:{refund.stripe_refund_id}" for refund in refunds])}
    for refund in refunds:
        note = notes.get(f"refund:{refund.stripe_refund_id}")
        if refund.status in REFUND_FAILED:
            # A refund that failed after its credit note was issued: the note stands (issued documents are
            # never changed) and a debit note reverses it; one that failed before never had a note.
            if note is not None:
                documents.append(invoicing.debit_note_issue(
                    credit_note=note, reason=REVERSAL_REASON_AR, source_key=f"refund-failed:{refund.stripe_refund_id}"))
            continue
        documents.append(note or invoicing.credit_note_issue(
            invoice=invoice, gross_minor=refund.amount_minor, reason=REASONS_AR.get(refund.reason, "استرداد"),
            source_key=f"refund:{refund.stripe_refund_id}",
        ))
    return documents


def documents_for(registration: Registration) -> list[Invoice]:
    """A registration's invoices and credit notes, oldest first (for the attendee's page)."""
    return list(Invoice.objects.filter(forum_id=registration.forum_id, order_reference=registration.reference)
                .select_related("related").order_by("sequence"))


def sale_check(*, forum, registration_type, buyer_vat_number: str = "") -> None:
    """Before a registration is taken: a paid type needs the seller's billing settings, and a buyer's
    VAT number must pass the seller's country rules. Raises DomainError naming the field."""
    from django.utils.translation import gettext as _

    from forum.errors import DomainError

    if registration_type.is_paid and invoicing.seller_for(forum) is None:
        raise DomainError(_("Paid registration for this forum cannot be taken yet: the organizers have not "
                            "completed the billing details its tax invoices need."), field="registration_type",
                          code="seller_not_ready")
    if errors := invoicing.buyer_vat_number_errors(forum=forum, value=buyer_vat_number):
        raise DomainError(errors={"buyer_vat_number": errors})


def document_for(registration: Registration, *, uuid) -> Invoice | None:
    return (Invoice.objects.filter(forum_id=registration.forum_id, order_reference=registration.reference,
                                   uuid=uuid).select_related("related", "seller").first())


def attendee_documents(registration: Registration) -> list[dict]:
    """What the attendee's page lists: each document with its title, total and QR image."""
    from django.utils.translation import get_language

    from invoicing.money import amount_display
    from invoicing.rendering import qr_png_data_uri

    english = (get_language() or "ar").startswith("en")
    return [{"invoice": doc, "title": doc.titles.en if english else doc.titles.ar,
             "total": amount_display(doc.total_minor, doc.currency), "qr": qr_png_data_uri(doc.qr, box_size=3)}
            for doc in documents_for(registration)]


def document_pdf(document: Invoice) -> bytes:
    from invoicing.rendering import document_pdf as render

    return render(invoice=document)
