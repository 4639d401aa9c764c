"""In a real browser: the organizer's invoice list (a filter, the totals, a PDF and the CSV downloaded) and the
attendee's registration page with the invoice's QR and its download, on a desktop and at a phone's width."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from invoicing import services as invoicing
from invoicing.models import Invoice
from tests.factories import TeamMemberFactory
from tests.registration.badges.test_scanner_browser import signed_in_page
from tests.registration.factories import RegistrationTypeFactory
from tests.registration.test_invoices import paid_without_stripe, register

PHONE = {"width": 390, "height": 844}


def _sales(forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    first = register(rtype)
    paid_without_stripe(first, intent="pi_browser_a")
    second = register(rtype, organization_name="شركة الجودة الشاملة", buyer_vat_number="300000000000003",
                      buyer_address="الرياض، حي العليا")
    paid_without_stripe(second, intent="pi_browser_b")
    invoice = Invoice.objects.get(order_reference=first.reference)
    note = invoicing.credit_note_correct(invoice=invoice, gross_minor=11500, reason="خطأ في المبلغ")
    return first, invoice, note


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_filters_invoices_sees_totals_and_downloads(page, live_server, forum, artifacts_dir):
    _first, invoice, note = _sales(forum)
    editor = TeamMemberFactory(forum=forum, role="editor").user
    signed_in_page(page, live_server, editor)
    page.goto(live_server.url + reverse("invoicing:manage", args=[forum.slug]))
    expect(page.get_by_test_id("document")).to_have_count(3)
    # This month: two invoices of 575.00 less a credit note of 115.00.
    expect(page.get_by_test_id("total-row")).to_have_count(1)
    expect(page.get_by_test_id("total-row")).to_contain_text("1035,00 SAR")  # Arabic locale: decimal comma
    expect(page.get_by_test_id("total-vat")).to_have_text("135,00 SAR")

    page.get_by_label("النوع").first.select_option("credit_note")
    page.get_by_test_id("invoice-filters").get_by_role("button").click()
    expect(page.get_by_test_id("document")).to_have_count(1)
    row = page.get_by_test_id("document")
    expect(row).to_have_attribute("data-number", note.number)
    expect(row.get_by_test_id("related")).to_contain_text(invoice.number)
    page.screenshot(path=str(artifacts_dir / "invoices-organizer-filtered.png"), full_page=True)

    with page.expect_download() as pdf:
        row.get_by_test_id("document-pdf").click()
    assert pdf.value.suggested_filename == f"{note.number}.pdf"
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"

    with page.expect_download() as exported:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(open(exported.value.path(), encoding="utf-8-sig").read())))
    assert [r[0] for r in rows[1:]] == [note.number]  # the export follows the filter


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_attendee_sees_the_invoice_qr_and_downloads_it_on_a_desktop_and_a_phone(browser, page, live_server, forum,
                                                                                   artifacts_dir):
    registration, invoice, note = _sales(forum)
    url = live_server.url + reverse("registration:detail", args=[registration.access_token])
    page.goto(url)
    items = page.get_by_test_id("invoice")
    expect(items).to_have_count(2)  # the invoice and the correction's credit note
    first = page.locator(f'[data-testid="invoice"][data-number="{invoice.number}"]')
    qr = first.locator("img.reg__invoice-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    with page.expect_download() as pdf:
        first.get_by_test_id("invoice-pdf").click()
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"

    context = browser.new_context(locale="ar-SA", viewport=PHONE, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    phone = context.new_page()
    try:
        phone.goto(url)
        phone_qr = phone.locator(f'[data-testid="invoice"][data-number="{invoice.number}"] img.reg__invoice-qr')
        expect(phone_qr).to_be_visible()
        box = phone_qr.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        link = phone.locator(f'[data-testid="invoice"][data-number="{note.number}"]').get_by_test_id("invoice-pdf")
        expect(link).to_be_visible()
        # Nothing runs off the side of a phone's screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.screenshot(path=str(artifacts_dir / "invoices-attendee-phone.png"), full_page=True)
        with phone.expect_download() as phone_pdf:
            link.tap()
        assert open(phone_pdf.value.path(), "rb").read(5) == b"%PDF-"
    finally:
        context.close()
