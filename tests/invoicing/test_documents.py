"""Issuing invoices and credit notes: numbers, hash chain, QR, VAT per line, immutability, e-mail."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from invoicing import selectors, services, ubl
from invoicing.models import Invoice, InvoiceImmutable, InvoiceLine
from tests.invoicing.factories import VALID_VAT_NUMBER
from tests.invoicing.tlv import tlv_decode

pytestmark = pytest.mark.django_db

BUYER = services.Buyer(name="عبدالله بن محمد", name_en="Abdullah Mohammed", email="buyer@example.org")


def issue(seller, forum, *, key="p1", lines=None, buyer=BUYER, currency="SAR"):
    lines = lines or [services.Line("حضور الملتقى", "Forum attendance", 50000, Decimal("15"))]
    return services.invoice_issue(seller=seller, buyer=buyer, lines=lines, currency=currency, source_key=key,
                                  forum=forum, order_reference="REF12345")


def test_invoice_issue_simplified_with_vat_per_line_and_totals(seller, forum):
    invoice = issue(seller, forum, lines=[
        services.Line("حضور", "Attendance", 50000, Decimal("15")),
        services.Line("ورشة", "Workshop", 3333, Decimal("15"), quantity=3),
    ])
    lines = list(invoice.lines.all())
    assert [(line.net_minor, line.vat_minor, line.total_minor) for line in lines] == [
        (50000, 7500, 57500), (9999, 1500, 11499),  # 1499.85 halalas of VAT -> 1500
    ]
    assert (invoice.net_minor, invoice.vat_minor, invoice.total_minor) == (59999, 9000, 68999)
    assert invoice.kind == "invoice" and not invoice.is_standard
    assert invoice.titles.ar == "فاتورة ضريبية مبسطة" and invoice.titles.en == "Simplified Tax Invoice"
    assert invoice.number == "AMANA-000001" and invoice.sequence == 1
    assert invoice.seller_name_ar == seller.legal_name_ar and invoice.seller_vat_number == VALID_VAT_NUMBER


def test_invoice_with_buyer_vat_number_is_a_standard_tax_invoice(seller, forum):
    buyer = services.Buyer(name="شركة الجودة", vat_number="300000000000003", address="الرياض، حي العليا")
    invoice = issue(seller, forum, buyer=buyer)
    assert invoice.is_standard and invoice.titles.ar == "فاتورة ضريبية"
    assert invoice.buyer_vat_number == "300000000000003" and invoice.buyer_address == "الرياض، حي العليا"


def test_invoice_with_malformed_buyer_vat_number_is_refused_and_nothing_written(seller, forum):
    with pytest.raises(DomainError) as refused:
        issue(seller, forum, buyer=services.Buyer(name="x", vat_number="123456789012345"))
    assert "buyer_vat_number" in refused.value.errors
    assert not Invoice.objects.exists() and seller.counter.last_number == 0


def test_qr_decodes_to_the_invoice_fields(seller, forum):
    invoice = issue(seller, forum)
    fields = tlv_decode(invoice.qr)
    assert fields == {
        "seller_name": seller.legal_name_ar,
        "vat_number": VALID_VAT_NUMBER,
        "timestamp": invoice.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "total": "575.00",
        "vat_total": "75.00",
    }
    assert datetime.strptime(fields["timestamp"], "%Y-%m-%dT%H:%M:%SZ")  # ISO 8601


def test_qr_of_a_three_decimal_currency(seller, forum):
    invoice = issue(seller, forum, currency="KWD", lines=[services.Line("حضور", "Attendance", 10050, Decimal("15"))])
    fields = tlv_decode(invoice.qr)
    assert (fields["total"], fields["vat_total"]) == ("11.558", "1.508")


def test_numbers_are_consecutive_and_chained_by_hash(seller, forum):
    documents = [issue(seller, forum, key=f"p{n}") for n in range(5)]
    credit = services.credit_note_issue(invoice=documents[0], gross_minor=1000, reason="x", source_key="r1")
    assert [d.sequence for d in [*documents, credit]] == [1, 2, 3, 4, 5, 6]
    assert documents[0].previous_hash == ubl.FIRST_PREVIOUS_HASH
    for before, after in zip([*documents, credit], [*documents, credit][1:], strict=False):
        assert after.previous_hash == before.hash
    assert selectors.chain_errors(seller=seller) == []
    seller.counter.refresh_from_db()
    assert (seller.counter.last_number, seller.counter.last_hash) == (6, credit.hash)


def test_chain_check_finds_a_tampered_document(seller, forum):
    issue(seller, forum, key="a")
    second = issue(seller, forum, key="b")
    issue(seller, forum, key="c")
    with transaction.atomic():  # what a hand edit in the database would do, triggers aside
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS invoicing_invoice_immutable" +
                           (" ON invoicing_invoice" if connection.vendor == "postgresql" else ""))
            cursor.execute("UPDATE invoicing_invoice SET buyer_name = 'someone else' WHERE id = %s", [second.pk])
        assert selectors.chain_errors(seller=seller) == [f"{second.number}: content does not match its hash"]
        transaction.set_rollback(True)


def test_same_source_issues_once(seller, forum):
    first = issue(seller, forum, key="payment:1")
    again = issue(seller, forum, key="payment:1")
    assert again.pk == first.pk and Invoice.objects.count() == 1


def test_issued_invoice_cannot_be_saved_or_deleted(seller, forum):
    invoice = issue(seller, forum)
    invoice.buyer_name = "someone else"
    with pytest.raises(InvoiceImmutable):
        invoice.save()
    with pytest.raises(InvoiceImmutable):
        invoice.delete()
    line = invoice.lines.first()
    with pytest.raises(InvoiceImmutable):
        line.save()
    invoice.refresh_from_db()
    assert invoice.buyer_name == BUYER.name


def test_database_refuses_an_update_of_an_issued_invoice(seller, forum):
    invoice = issue(seller, forum)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total_minor=1, net_minor=1, vat_minor=0)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(description_ar="تعديل")
    invoice.refresh_from_db()
    assert invoice.total_minor == 57500


def test_partial_then_remaining_credit_notes_net_to_zero(seller, forum):
    invoice = issue(seller, forum, lines=[
        services.Line("حضور", "Attendance", 50000, Decimal("15")),
        services.Line("عشاء", "Dinner", 10001, Decimal("15")),
    ])
    assert invoice.total_minor == 50000 + 7500 + 10001 + 1500
    first = services.credit_note_issue(invoice=invoice, gross_minor=20000, reason="استرداد جزئي", source_key="r1")
    assert first.kind == "credit_note" and first.related_id == invoice.pk and first.total_minor == 20000
    assert first.net_minor + first.vat_minor == 20000
    for line in first.lines.all():
        assert line.vat_minor == (Decimal(line.net_minor) * Decimal("0.15")).quantize(Decimal(1), "ROUND_HALF_UP")
    rest = services.credit_note_issue(invoice=invoice, gross_minor=invoice.total_minor - 20000, reason="الباقي",
                                      source_key="r2")
    assert first.net_minor + rest.net_minor == invoice.net_minor
    assert first.vat_minor + rest.vat_minor == invoice.vat_minor
    assert services.credited_by_position(invoice) == {1: (50000, 7500), 2: (10001, 1500)}
    assert tlv_decode(rest.qr)["total"] == f"{Decimal(rest.total_minor) / 100:.2f}"
    assert rest.titles.ar == "إشعار دائن لفاتورة ضريبية مبسطة"


def test_credit_beyond_what_is_left_is_refused(seller, forum):
    invoice = issue(seller, forum)
    services.credit_note_issue(invoice=invoice, gross_minor=50000, reason="x", source_key="r1")
    with pytest.raises(DomainError) as refused:
        services.credit_note_issue(invoice=invoice, gross_minor=7501, reason="x", source_key="r2")
    assert refused.value.code == "over_credit" and "75.00" in str(refused.value)
    with pytest.raises(DomainError):
        services.credit_note_issue(invoice=invoice, gross_minor=0, reason="x", source_key="r3")
    assert Invoice.objects.count() == 2


def test_credit_note_of_a_credit_note_is_refused(seller, forum):
    credit = services.credit_note_issue(invoice=issue(seller, forum), gross_minor=100, reason="x", source_key="r1")
    with pytest.raises(DomainError):
        services.credit_note_issue(invoice=credit, gross_minor=10, reason="x", source_key="r2")


def test_invoice_email_carries_the_pdf_once(seller, forum, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue(seller, forum)
    message = OutgoingMessage.objects.get(kind="invoice", related_id=str(invoice.pk))
    assert message.to == "buyer@example.org"
    assert "فاتورة ضريبية مبسطة" in message.subject and "Simplified Tax Invoice" in message.subject
    assert invoice.number in message.text_body
    assert [a["filename"] for a in message.attachments] == [f"{invoice.number}.pdf"]
    assert services.invoice_email_send(invoice_id=invoice.pk) is None  # a retried task sends nothing twice
