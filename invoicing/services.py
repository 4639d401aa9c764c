"""Every write of invoicing: the seller's billing settings, invoices, credit notes, their e-mail.

Numbers: issuing locks the seller's InvoiceCounter row (SELECT … FOR UPDATE)
as the last step before writing, takes last_number + 1, writes the document
with the counter's last hash as its previous-invoice hash, and moves the
counter on. Concurrent payments of the same seller therefore wait for each
other only for the few milliseconds from that lock to their commit, and get
consecutive numbers; if a payment's transaction rolls back, its number is
never committed either, so there are no gaps. The unique (seller, sequence)
constraint backs the rule.

Callers (registration's payment confirmation and refunds) call these inside
their own transaction, so the document exists if and only if the payment or
refund it belongs to was recorded. Each document has a `source_key` unique per
seller: a retried webhook or task finds the document already issued.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum, Organization

from . import tasks, ubl
from .countries import rules_for
from .models import BillingSettings, Invoice, InvoiceCounter, InvoiceLine
from .money import amount_display, gross_split, vat_minor

log = logging.getLogger(__name__)

Kind = Invoice.Kind


# ---- the seller ---------------------------------------------------------------------------------

BILLING_FIELDS = ("country", "legal_name_ar", "legal_name_en", "vat_number", "cr_number", "street",
                  "building_number", "district", "city", "postal_code", "invoice_prefix")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 800


def billing_settings_errors(fields: dict) -> dict[str, list[str]]:
    """What is wrong with complete billing settings, by field (the country's rules check the numbers)."""
    errors: dict[str, list[str]] = {}
    try:
        rules = rules_for(fields.get("country") or "SA")
    except KeyError:
        return {"country": [_("Invoices cannot be issued for this country yet.")]}
    for name in BILLING_FIELDS:
        if not str(fields.get(name) or "").strip():
            errors.setdefault(name, []).append(_("This field is required."))
    for name, check in (("vat_number", rules.vat_number_errors), ("cr_number", rules.registration_number_errors),
                        ("postal_code", rules.postal_code_errors)):
        if name not in errors and (messages := check(str(fields[name]).strip())):
            errors[name] = messages
    prefix = str(fields.get("invoice_prefix") or "").strip()
    if prefix and not (prefix.isascii() and len(prefix) <= 12 and prefix[0].isalnum()
                       and all(c.isupper() or c.isdigit() or c == "-" for c in prefix)):
        errors["invoice_prefix"] = [_("Use capital letters A-Z, digits and hyphens (at most 12), e.g. AMANA-2026.")]
    return errors


def _logo_reencode(upload) -> bytes:
    """The logo as a fresh PNG: its content is checked by decoding it, and only pixels survive."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise DomainError(_("The logo is too large; the limit is 2 MB."), field="logo", code="too_large")
    try:
        with Image.open(upload) as image:
            if image.format not in {"PNG", "JPEG"}:
                raise DomainError(_("The logo must be a PNG or JPEG image."), field="logo", code="logo_kind")
            if image.width * image.height > 25_000_000:
                raise DomainError(_("The logo image is far too large."), field="logo", code="too_large")
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "PNG")
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("The logo cannot be read. Upload a PNG or JPEG image."), field="logo",
                          code="logo_broken") from None
    return out.getvalue()


@transaction.atomic
def billing_settings_save(*, organization: Organization, logo=None, **fields) -> BillingSettings:
    """Create or change a seller's billing settings (all fields at once), with the invoice counter."""
    from django.core.files.base import ContentFile

    unknown = set(fields) - set(BILLING_FIELDS)
    if unknown:
        raise TypeError(f"unknown billing fields: {sorted(unknown)}")
    fields = {name: str(value or "").strip() for name, value in fields.items()}
    fields.setdefault("country", "SA")
    if errors := billing_settings_errors(fields):
        raise DomainError(errors=errors)
    logo_png = _logo_reencode(logo) if logo else None
    row = BillingSettings.objects.select_for_update().filter(organization=organization).first()
    if row is None:
        row = BillingSettings(organization=organization)
    for name, value in fields.items():
        setattr(row, name, value)
    if logo_png is not None:
        row.logo.save("logo.png", ContentFile(logo_png), save=False)
    row.save()
    InvoiceCounter.objects.get_or_create(seller=row)
    return row


def seller_for(forum: Forum) -> BillingSettings | None:
    """A forum's seller: the billing settings of its organizing body, when they are set up."""
    return BillingSettings.objects.filter(organization_id=forum.organizer_id).first()


def seller_ready_errors(*, forum: Forum, field: str = "pricing") -> dict[str, list[str]]:
    """Why paid registration cannot be sold for this forum yet ({} when it can)."""
    if seller_for(forum) is None:
        return {field: [_("Paid registration types need the organizing body's billing settings first (legal "
                          "names, VAT number, commercial registration, address, invoice prefix), because every "
                          "payment is given a tax invoice. Complete them on the invoices page of this forum.")]}
    return {}


# ---- issuing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    name: str
    name_en: str = ""
    email: str = ""
    vat_number: str = ""
    address: str = ""
    language: str = "ar"


@dataclass(frozen=True)
class Line:
    """One line: a net unit price in minor units, a quantity and a VAT rate (%)."""

    description_ar: str
    description_en: str
    unit_price_minor: int
    vat_rate: Decimal
    quantity: int = 1

    @classmethod
    def from_gross(cls, *, description_ar: str, description_en: str, gross_minor: int, vat_rate) -> Line:
        """A line of one unit whose total with VAT is what was paid."""
        net, _vat = gross_split(gross_minor, vat_rate)
        return cls(description_ar, description_en, net, Decimal(str(vat_rate)))


def buyer_vat_number_errors(*, forum: Forum, value: str) -> list[str]:
    """A buyer's VAT number checked by the rules of the forum seller's country (blank is fine)."""
    value = (value or "").strip()
    if not value:
        return []
    seller = seller_for(forum)
    return rules_for(seller.country if seller else "SA").vat_number_errors(value)


def _next(seller: BillingSettings) -> tuple[InvoiceCounter, int, str]:
    counter = InvoiceCounter.objects.select_for_update().get(seller=seller)
    return counter, counter.last_number + 1, counter.last_hash or ubl.FIRST_PREVIOUS_HASH


def _write(*, seller: BillingSettings, lines: list[InvoiceLine], **document) -> Invoice:
    """Number, chain and store a document whose lines are computed; the counter lock is taken here."""
    counter, sequence, previous_hash = _next(seller)
    rules = seller.rules
    now = timezone.now()
    net = sum(line.net_minor for line in lines)
    vat = sum(line.vat_minor for line in lines)
    invoice = Invoice(
        seller=seller, sequence=sequence, number=f"{seller.invoice_prefix}-{sequence:06d}",
        previous_hash=previous_hash, issued_at=now, net_minor=net, vat_minor=vat, total_minor=net + vat,
        seller_country=seller.country, seller_name_ar=seller.legal_name_ar, seller_name_en=seller.legal_name_en,
        seller_vat_number=seller.vat_number, seller_cr_number=seller.cr_number,
        seller_address={name: getattr(seller, name) for name in
                        ("street", "building_number", "district", "city", "postal_code")},
        **document,
    )
    invoice.qr = rules.qr_payload(
        seller_name=invoice.seller_name_ar, vat_number=invoice.seller_vat_number, issued_at=now,
        total=amount_display(invoice.total_minor, invoice.currency),
        vat_total=amount_display(invoice.vat_minor, invoice.currency),
    )
    invoice.hash = ubl.document_hash(invoice, lines)
    invoice.save()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    counter.last_number = sequence
    counter.last_hash = invoice.hash
    counter.save(update_fields=["last_number", "last_hash"])
    transaction.on_commit(lambda: _task_email(invoice.pk))
    return invoice


def _task_email(invoice_id: int) -> None:
    try:
        tasks.invoice_email_send_task.delay(invoice_id)
    except Exception:  # the organizers' page can resend; the document stands
        log.exception("could not queue the e-mail of invoice %s", invoice_id)


def invoice_issue(*, seller: BillingSettings, buyer: Buyer, lines: list[Line], currency: str, source_key: str,
                  forum: Forum | None = None, order_reference: str = "") -> Invoice:
    """Issue a tax invoice (standard with a buyer VAT number, simplified without), once per source_key.

    Runs inside the caller's transaction (a savepoint of it), so the invoice is
    committed with the payment it belongs to, or not at all.
    """
    existing = Invoice.objects.filter(seller=seller, source_key=source_key).first()
    if existing is not None:
        return existing
    if not lines:
        raise DomainError(_("An invoice needs at least one line."), code="no_lines")
    if buyer.vat_number.strip() and (errors := seller.rules.vat_number_errors(buyer.vat_number.strip())):
        raise DomainError(errors={"buyer_vat_number": errors})
    rows = []
    for position, line in enumerate(lines, start=1):
        net = line.unit_price_minor * line.quantity
        vat = vat_minor(net, line.vat_rate)
        rows.append(InvoiceLine(position=position, description_ar=line.description_ar[:255],
                                description_en=line.description_en[:255], quantity=line.quantity,
                                unit_price_minor=line.unit_price_minor, net_minor=net, vat_rate=line.vat_rate,
                                vat_minor=vat, total_minor=net + vat))
    with transaction.atomic():
        return _write(
            seller=seller, lines=rows, kind=Kind.INVOICE, is_standard=bool(buyer.vat_number.strip()),
            forum=forum, source_key=source_key, order_reference=order_reference, currency=currency.upper(),
            **_buyer_fields(buyer),
        )


def _buyer_fields(buyer: Buyer) -> dict:
    return {"buyer_name": buyer.name[:255], "buyer_name_en": buyer.name_en[:255], "buyer_email": buyer.email,
            "buyer_vat_number": buyer.vat_number.strip(), "buyer_address": buyer.address[:255],
            "language": buyer.language if buyer.language in ("ar", "en") else "ar"}


def credited_by_position(invoice: Invoice) -> dict[int, tuple[int, int]]:
    """(net, VAT) still credited per line position of an invoice: its credit notes less the debit notes
    that reversed some of them."""
    credited: dict[int, tuple[int, int]] = {}
    for kind, position, net, vat in InvoiceLine.objects.filter(invoice__related=invoice).values_list(
            "invoice__kind", "position", "net_minor", "vat_minor"):
        sign = -1 if kind == Kind.DEBIT_NOTE else 1
        before = credited.get(position, (0, 0))
        credited[position] = (before[0] + sign * net, before[1] + sign * vat)
    return credited


def creditable_minor(invoice: Invoice) -> int:
    """What is left to credit on an invoice (with VAT): its total less what its credit notes still credit."""
    return invoice.total_minor - sum(net + vat for net, vat in credited_by_position(invoice).values())


def _locked_seller(invoice: Invoice) -> BillingSettings:
    """The seller of a document with its counter locked: what is left to credit is read under this lock,
    so two notes of one invoice cannot both take the same remainder."""
    seller = BillingSettings.objects.get(pk=invoice.seller_id)
    InvoiceCounter.objects.select_for_update().get(seller=seller)
    return seller


def _copy_fields(invoice: Invoice) -> dict:
    """What a note copies from its invoice: the forum, the order and the buyer as invoiced."""
    return {"is_standard": invoice.is_standard, "forum": invoice.forum, "order_reference": invoice.order_reference,
            "currency": invoice.currency, "buyer_name": invoice.buyer_name, "buyer_name_en": invoice.buyer_name_en,
            "buyer_email": invoice.buyer_email, "buyer_vat_number": invoice.buyer_vat_number,
            "buyer_address": invoice.buyer_address, "language": invoice.language}


def _lines_copied(document: Invoice) -> list[InvoiceLine]:
    """A document's lines as they are, for a new document (a replacement invoice, a debit note)."""
    return [InvoiceLine(position=line.position, description_ar=line.description_ar,
                        description_en=line.description_en, quantity=line.quantity,
                        unit_price_minor=line.unit_price_minor, net_minor=line.net_minor, vat_rate=line.vat_rate,
                        vat_minor=line.vat_minor, total_minor=line.total_minor) for line in document.lines.all()]


def credit_note_issue(*, invoice: Invoice, gross_minor: int, reason: str, source_key: str) -> Invoice:
    """A credit note for `gross_minor` (with VAT) of an invoice, once per source_key.

    The amount is spread over the invoice's lines in proportion to what is left
    of each, and each part split into net and VAT at the line's rate. Crediting
    all that is left credits exactly the remaining net and VAT of each line, so
    an invoice refunded in parts nets to zero to the last halala. More than is
    left is refused.
    """
    if invoice.kind != Kind.INVOICE:
        raise DomainError(_("A credit note refers to an invoice, not to another credit or debit note."),
                          field="invoice")
    existing = Invoice.objects.filter(seller_id=invoice.seller_id, source_key=source_key).first()
    if existing is not None:
        return existing
    if gross_minor <= 0:
        raise DomainError(_("The amount to credit must be more than zero."), field="amount")
    with transaction.atomic():
        seller = _locked_seller(invoice)
        lines = list(invoice.lines.all())
        credited = credited_by_position(invoice)
        left = [(line, line.net_minor - credited.get(line.position, (0, 0))[0],
                 line.vat_minor - credited.get(line.position, (0, 0))[1]) for line in lines]
        left_total = sum(net + vat for _line, net, vat in left)
        if gross_minor > left_total:
            raise DomainError(
                _("Only %(left)s %(currency)s of this invoice is left to credit.")
                % {"left": amount_display(left_total, invoice.currency), "currency": invoice.currency},
                field="amount", code="over_credit",
            )
        rows = []
        remaining = gross_minor
        open_lines = [item for item in left if item[1] + item[2] > 0]
        for index, (line, net_left, vat_left) in enumerate(open_lines):
            if gross_minor == left_total:
                net, vat = net_left, vat_left
            elif index == len(open_lines) - 1:
                net, vat = gross_split(remaining, line.vat_rate)
            else:
                part = remaining if left_total == 0 else gross_minor * (net_left + vat_left) // left_total
                net, vat = gross_split(part, line.vat_rate)
            remaining -= net + vat
            if net + vat == 0:
                continue
            rows.append(InvoiceLine(position=line.position, description_ar=line.description_ar,
                                    description_en=line.description_en, quantity=1, unit_price_minor=net,
                                    net_minor=net, vat_rate=line.vat_rate, vat_minor=vat, total_minor=net + vat))
        return _write(seller=seller, lines=rows, kind=Kind.CREDIT_NOTE, related=invoice, reason=reason[:255],
                      source_key=source_key, **_copy_fields(invoice))


REASON_MAX = 255


def amount_minor_parse(value, currency: str, *, field: str = "amount") -> int:
    """An amount typed by a person ("115", "115.50") in the currency's smallest unit; refused by field when
    it is not a plain positive number with at most the currency's decimals (no silent rounding)."""
    from decimal import InvalidOperation

    from .money import currency_exponent, to_minor

    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not text or text[0] in "+-" or "e" in text.lower():
        raise DomainError(_("Enter the amount as a number, e.g. 115.00."), field=field, code="amount_format")
    if amount <= 0:
        raise DomainError(_("The amount to credit must be more than zero."), field=field, code="amount_zero")
    if -amount.as_tuple().exponent > currency_exponent(currency):
        raise DomainError(_("Use at most %(places)d decimals for %(currency)s.")
                          % {"places": currency_exponent(currency), "currency": currency}, field=field,
                          code="amount_decimals")
    if amount > Decimal(10) ** 12:
        raise DomainError(_("The amount is too large."), field=field, code="amount_large")
    return to_minor(amount, currency)


IDEMPOTENCY_KEY_MAX = 64


def correction_source_key(*, invoice: Invoice, idempotency_key: str) -> str:
    """Where a correction asked for with an idempotency key is recorded (the note's source_key)."""
    return f"correction:{invoice.pk}:key:{idempotency_key}"


def credit_note_correct(*, invoice: Invoice, gross_minor: int, reason: str, idempotency_key: str = "") -> Invoice:
    """An organizer's correction of an invoice without a refund (wrong buyer details or amount).

    The rules: a reason is required (it is printed on the note and sent to
    ZATCA); the amount, with VAT, is more than zero and at most what is left to
    credit on the invoice (its total less its earlier credit notes, net of the
    debit notes that reversed some); numbered in the seller's one gap-free
    series like every document. Who may ask is decided by
    forum.permissions.can_correct_invoices, at the page and the API.

    With an idempotency key (the API's Idempotency-Key header, the page form's
    token), asking again with the same key gives back the note issued the first
    time instead of a second one, so a retried request or a double click never
    credits twice; the same key with another amount or reason is refused.
    """
    reason = (reason or "").strip()
    key = (idempotency_key or "").strip()
    errors: dict[str, list[str]] = {}
    if key and (len(key) > IDEMPOTENCY_KEY_MAX or not (key.isascii() and key.isprintable())):
        errors["idempotency_key"] = [_("The idempotency key is at most 64 printable ASCII characters.")]
    if not reason:
        errors["reason"] = [_("Say why the invoice is corrected; the reason is printed on the credit note.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("The reason is too long (at most 255 characters).")]
    if not isinstance(gross_minor, int) or gross_minor <= 0:
        errors["amount"] = [_("The amount to credit must be more than zero.")]
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        _locked_seller(invoice)
        if key:
            source_key = correction_source_key(invoice=invoice, idempotency_key=key)
            existing = Invoice.objects.filter(seller_id=invoice.seller_id, source_key=source_key).first()
            if existing is not None and (existing.total_minor != gross_minor or existing.reason != reason[:REASON_MAX]):
                raise DomainError(_("This idempotency key was used for another correction of this invoice."),
                                  field="idempotency_key", code="idempotency_conflict")
        else:
            # The sequence the note is about to take makes its key: one correction per number, never a replay.
            sequence = InvoiceCounter.objects.get(seller_id=invoice.seller_id).last_number + 1
            source_key = f"correction:{invoice.pk}:{sequence}"
        return credit_note_issue(invoice=invoice, gross_minor=gross_minor, reason=reason, source_key=source_key)


def invoice_replace(*, invoice: Invoice, buyer: Buyer) -> Invoice:
    """A new invoice for the same sale with corrected buyer details, after the old one was credited in full.

    The original stays as issued; the replacement copies its lines and amounts,
    names it (`replaces`), takes the next number, and is standard or simplified
    by the corrected buyer's VAT number. Refused while anything of the original
    is left uncredited (the sale would be invoiced twice), and once replaced.
    """
    if invoice.kind != Kind.INVOICE:
        raise DomainError(_("Only an invoice can be replaced."), field="invoice")
    errors: dict[str, list[str]] = {}
    if not buyer.name.strip():
        errors["buyer_name"] = [_("This field is required.")]
    vat_number = buyer.vat_number.strip()
    if vat_number and (vat_errors := rules_for(invoice.seller_country).vat_number_errors(vat_number)):
        errors["buyer_vat_number"] = vat_errors
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        seller = _locked_seller(invoice)
        if Invoice.objects.filter(replaces=invoice).exists():
            raise DomainError(_("This invoice has already been replaced."), field="invoice", code="replaced")
        if creditable_minor(invoice) > 0:
            raise DomainError(_("Credit this invoice in full first; then issue its replacement."),
                              field="invoice", code="not_credited")
        rows = _lines_copied(invoice)
        fields = _copy_fields(invoice) | _buyer_fields(buyer)
        fields["is_standard"] = bool(vat_number)
        return _write(seller=seller, lines=rows, kind=Kind.INVOICE, replaces=invoice,
                      source_key=f"replacement:{invoice.pk}", **fields)


def debit_note_issue(*, credit_note: Invoice, reason: str, source_key: str) -> Invoice:
    """Reverse a credit note whose refund did not happen (failed or cancelled at the payment provider).

    Issued documents are never changed, so the credit note stands and a debit
    note (ZATCA: إشعار مدين, UBL 383) adds back exactly its lines; it refers to
    the credit note (`reverses`) and to the invoice (`related`, the billing
    reference), takes the next number of the seller's one series, and makes
    the amount creditable on the invoice again. Once per source_key and once
    per credit note.
    """
    if credit_note.kind != Kind.CREDIT_NOTE:
        raise DomainError(_("A debit note reverses a credit note."), field="credit_note")
    existing = Invoice.objects.filter(seller_id=credit_note.seller_id, source_key=source_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        seller = _locked_seller(credit_note)
        already = Invoice.objects.filter(reverses=credit_note).first()
        if already is not None:
            return already
        rows = _lines_copied(credit_note)
        return _write(seller=seller, lines=rows, kind=Kind.DEBIT_NOTE, related_id=credit_note.related_id,
                      reverses=credit_note, reason=reason[:255], source_key=source_key,
                      **_copy_fields(credit_note))


# ---- e-mail -------------------------------------------------------------------------------------

EMAIL_KIND = "invoice"


def invoice_email_send(*, invoice_id: int, resend: bool = False):
    """The document as a PDF attachment to the buyer, through the outbox (once, unless resent)."""

    from forum.mailing.models import OutgoingMessage
    from forum.mailing.rendering import render_bilingual_email
    from forum.mailing.services import Attachment, message_enqueue

    from .rendering import document_pdf

    invoice = Invoice.objects.select_related("related", "forum").filter(pk=invoice_id).first()
    if invoice is None or not invoice.buyer_email:
        return None
    if not resend and OutgoingMessage.objects.filter(kind=EMAIL_KIND, related_id=str(invoice.pk)).exists():
        return None
    email = render_bilingual_email(
        "invoicing/email/document", {"invoice": invoice, "total": amount_display(invoice.total_minor, invoice.currency)},
        lambda language: {"title": invoice.titles.ar if language == "ar" else invoice.titles.en})
    return message_enqueue(
        to=invoice.buyer_email, subject=email.subject, text_body=email.text, html_body=email.html,
        attachments=[Attachment(f"{invoice.number}.pdf", document_pdf(invoice=invoice), "application/pdf")],
        language=invoice.language, kind=EMAIL_KIND, related=invoice, forum=invoice.forum,
    )


def invoice_update_refuse(*, invoice: Invoice) -> None:
    """What any attempt to edit or delete an issued document gets (API, admin): a clear 409."""
    from .models import InvoiceImmutable

    raise InvoiceImmutable()

