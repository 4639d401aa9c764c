"""Reads of invoicing: the organizers' list with filters, totals per period, the accountant's export,
and the check of a seller's hash chain. Query counts do not grow with the number of documents."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncYear
from django.utils.translation import gettext as _

from forum.models import Forum

from . import ubl
from .countries import rules_for
from .models import BillingSettings, Invoice
from .money import from_minor

PERIODS = {"day": TruncDay, "month": TruncMonth, "year": TruncYear}
FILTERS = ("kind", "type", "q", "date_from", "date_to")


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def filters_clean(params) -> dict:
    """The list's filters from a query string; anything unreadable is dropped, never an error page."""
    values = {name: (params.get(name) or "").strip() for name in FILTERS}
    if values["kind"] not in ("", *Invoice.Kind.values):
        values["kind"] = ""
    if values["type"] not in ("", "standard", "simplified"):
        values["type"] = ""
    for name in ("date_from", "date_to"):
        values[name] = _day(values[name]).isoformat() if _day(values[name]) else ""
    return values


def documents_search(*, forum: Forum, kind: str = "", type: str = "", q: str = "", date_from="", date_to="",
                     time_zone: str | None = None) -> QuerySet[Invoice]:
    """A forum's invoices and credit notes, newest first, filtered by kind, type, text and issue dates
    (days in the seller's country's time zone)."""
    qs = Invoice.objects.filter(forum=forum).select_related("related", "reverses", "replaces").order_by("-sequence")
    if kind:
        qs = qs.filter(kind=kind)
    if type:
        qs = qs.filter(is_standard=(type == "standard"))
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(number__icontains=q) | Q(buyer_name__icontains=q) | Q(buyer_name_en__icontains=q)
                       | Q(buyer_email__icontains=q) | Q(buyer_vat_number__icontains=q)
                       | Q(order_reference__iexact=q))
    zone = ZoneInfo(time_zone or "Asia/Riyadh")
    if (first := _day(date_from)) is not None:
        qs = qs.filter(issued_at__gte=datetime.combine(first, time.min, zone))
    if (last := _day(date_to)) is not None:
        qs = qs.filter(issued_at__lt=datetime.combine(last, time.max, zone))
    return qs


def forum_time_zone(forum: Forum) -> str:
    seller = BillingSettings.objects.filter(organization_id=forum.organizer_id).only("country").first()
    return rules_for(seller.country).time_zone if seller else forum.time_zone


def totals_by_period(documents: QuerySet[Invoice], *, period: str = "month", time_zone: str = "Asia/Riyadh") -> list[dict]:
    """Per period and currency: invoiced, credited, debited (credit notes reversed) and the net of all
    (net, VAT, total), one query."""
    trunc = PERIODS.get(period, TruncMonth)
    rows = (documents.order_by().annotate(period=trunc("issued_at", tzinfo=ZoneInfo(time_zone)))
            .values("period", "currency", "kind")
            .annotate(count=Count("id"), net=Sum("net_minor"), vat=Sum("vat_minor"), total=Sum("total_minor")))
    table: dict[tuple, dict] = {}
    for row in rows:
        key = (row["period"], row["currency"])
        entry = table.setdefault(key, {"period": row["period"], "currency": row["currency"], "invoices": 0,
                                       "credit_notes": 0, "debit_notes": 0, "net": 0, "vat": 0, "total": 0})
        sign = -1 if row["kind"] == Invoice.Kind.CREDIT_NOTE else 1
        entry[{"invoice": "invoices", "credit_note": "credit_notes", "debit_note": "debit_notes"}[row["kind"]]] += (
            row["count"])
        for name in ("net", "vat", "total"):
            entry[name] += sign * (row[name] or 0)
    result = sorted(table.values(), key=lambda e: (e["period"], e["currency"]), reverse=True)
    for entry in result:
        for name in ("net", "vat", "total"):
            entry[name] = from_minor(entry[name], entry["currency"])
    return result


def export_rows(documents: QuerySet[Invoice], *, time_zone: str = "Asia/Riyadh"):
    """For the accountant: one row per document; credit notes' amounts are negative, a debit note names the
    credit note it reverses and a replacement invoice the invoice it replaces."""
    zone = ZoneInfo(time_zone)
    yield [_("number"), _("kind"), _("type"), _("date"), _("buyer"), _("buyer's VAT number"), _("net"), _("VAT"),
           _("total"), _("currency"), _("related invoice"), _("related document"), _("registration"), "UUID"]
    for doc in documents.select_related("related", "reverses", "replaces").iterator(chunk_size=500):
        sign = doc.sign
        yield [doc.number, doc.get_kind_display(), _("standard") if doc.is_standard else _("simplified"),
               doc.issued_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), doc.buyer_name, doc.buyer_vat_number,
               sign * from_minor(doc.net_minor, doc.currency), sign * from_minor(doc.vat_minor, doc.currency),
               sign * from_minor(doc.total_minor, doc.currency), doc.currency,
               doc.related.number if doc.related_id else "",
               doc.reverses.number if doc.reverses_id else doc.replaces.number if doc.replaces_id else "",
               doc.order_reference, str(doc.uuid)]


def correction_for_key(*, invoice: Invoice, idempotency_key: str) -> Invoice | None:
    """The credit note already issued for this invoice under this idempotency key, if any."""
    key = (idempotency_key or "").strip()
    if not key:
        return None
    return Invoice.objects.filter(seller_id=invoice.seller_id, source_key=f"correction:{invoice.pk}:key:{key}").first()


def chain_errors(*, seller: BillingSettings) -> list[str]:
    """Breaks in a seller's numbering or hash chain (none when every document follows the one before)."""
    errors = []
    expected_previous = ubl.FIRST_PREVIOUS_HASH
    documents = (Invoice.objects.filter(seller=seller).select_related("related", "reverses")
                 .prefetch_related("lines"))
    for number, doc in enumerate(documents.order_by("sequence"), start=1):
        if doc.sequence != number:
            errors.append(f"number {number} missing (found {doc.sequence})")
            break
        if doc.previous_hash != expected_previous:
            errors.append(f"{doc.number}: previous hash does not match {number - 1}")
        if ubl.document_hash(doc, list(doc.lines.all())) != doc.hash:
            errors.append(f"{doc.number}: content does not match its hash")
        expected_previous = doc.hash
    return errors
