"""Organizers' pages and API: the list with filters and totals, exports, PDF/XML, the seller's billing settings.
Only owners and editors of the forum see any of it; issued documents cannot be edited."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from invoicing import services
from invoicing.models import BillingSettings, Invoice
from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(seller, forum):
    made = []
    for index, (name, vat) in enumerate([("سارة", ""), ("شركة النخبة", "300000000000003"), ("=cmd()", "")]):
        made.append(services.invoice_issue(
            seller=seller, buyer=services.Buyer(name=name, vat_number=vat, email=f"b{index}@example.org"),
            lines=[services.Line("حضور", "Attendance", 50000, Decimal("15"))], currency="SAR",
            source_key=f"p{index}", forum=forum, order_reference=f"REF{index}"))
    made.append(services.credit_note_issue(invoice=made[0], gross_minor=11500, reason="استرداد", source_key="r0"))
    return made


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_list_shows_documents_and_totals_to_editors(client, forum, editor, documents):
    response = _signed_in(client, editor).get(reverse("invoicing:manage", args=[forum.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    for doc in documents:
        assert doc.number in body
    totals = response.context["totals"]
    assert len(totals) == 1
    row = totals[0]
    assert (row["invoices"], row["credit_notes"]) == (3, 1)
    assert row["total"] == Decimal("1725.00") - Decimal("115.00")
    assert row["vat"] == Decimal("225.00") - Decimal("15.00")


def test_list_filters(client, forum, owner, documents):
    client = _signed_in(client, owner)
    url = reverse("invoicing:manage", args=[forum.slug])

    def numbers(**params):
        return [doc.number for doc in client.get(url, params).context["page"]]

    assert numbers(kind="credit_note") == [documents[3].number]
    assert numbers(type="standard") == [documents[1].number]
    assert numbers(q="النخبة") == [documents[1].number]
    assert numbers(q="REF2") == [documents[2].number]
    assert len(numbers(date_from="2000-01-01", date_to="2999-12-31")) == 4
    assert numbers(date_to="2000-01-01") == []
    assert len(numbers(kind="nonsense", date_from="not a date")) == 4  # unreadable filters are dropped


def test_exports_for_the_accountant(client, forum, editor, documents):
    client = _signed_in(client, editor)
    response = client.get(reverse("invoicing:export", args=[forum.slug, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = rows
    assert len(header) == 14 and len(body) == 4
    by_number = {row[0]: row for row in body}
    credit = by_number[documents[3].number]
    assert credit[6:9] == ["-100.00", "-15.00", "-115.00"] and credit[10] == documents[0].number
    assert by_number[documents[1].number][5] == "300000000000003"
    assert by_number[documents[2].number][4] == "'=cmd()"  # formulas stay text
    xlsx = client.get(reverse("invoicing:export", args=[forum.slug, "xlsx"]), {"kind": "invoice"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert len(values) == 4  # the header and the three invoices (kind=invoice)
    assert sorted(row[8] for row in values[1:]) == [575, 575, 575]
    assert client.get(reverse("invoicing:export", args=[forum.slug, "pdf"])).status_code == 404


def test_pdf_and_xml_of_a_document(client, forum, owner, documents):
    client = _signed_in(client, owner)
    pdf = client.get(reverse("invoicing:pdf", args=[forum.slug, documents[0].uuid]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    xml = client.get(reverse("invoicing:xml", args=[forum.slug, documents[3].uuid]))
    assert xml.status_code == 200 and etree.fromstring(xml.content).tag.endswith("}Invoice")


@pytest.mark.parametrize("who", ["viewer", "checkin_staff", "outsider"])
def test_others_are_refused(client, forum, documents, who, request):
    user = request.getfixturevalue(who)
    client = _signed_in(client, user)
    for url in (reverse("invoicing:manage", args=[forum.slug]),
                reverse("invoicing:export", args=[forum.slug, "csv"]),
                reverse("invoicing:pdf", args=[forum.slug, documents[0].uuid]),
                reverse("invoicing:seller", args=[forum.slug])):
        assert client.get(url).status_code == 404, url
    api = f"/api/v1/forums/{forum.slug}/invoices/"
    from rest_framework.test import APIClient

    api_client = APIClient()
    api_client.force_authenticate(user)
    assert api_client.get(api).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, forum, documents):
    response = client.get(reverse("invoicing:manage", args=[forum.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in") + "?next=")


def test_another_forums_editor_sees_nothing_of_this_one(client, forum, documents):
    from tests.factories import TeamMemberFactory

    elsewhere = TeamMemberFactory(forum=ForumFactory(organizer=forum.organizer), role="editor").user
    client = _signed_in(client, elsewhere)
    assert client.get(reverse("invoicing:manage", args=[forum.slug])).status_code == 404
    assert client.get(reverse("invoicing:pdf", args=[forum.slug, documents[0].uuid])).status_code == 404


def test_api_lists_documents_and_refuses_edits(client_for, forum, editor, documents):
    client = client_for(editor)
    listed = client.get(f"/api/v1/forums/{forum.slug}/invoices/", {"kind": "credit_note"}).json()
    assert [doc["number"] for doc in listed["results"]] == [documents[3].number]
    assert listed["results"][0]["related_number"] == documents[0].number
    url = f"/api/v1/forums/{forum.slug}/invoices/{documents[0].uuid}/"
    detail = client.get(url).json()
    assert detail["total"] == "575.00" and detail["lines"][0]["vat_minor"] == 7500
    for method in ("patch", "put", "delete"):
        response = getattr(client, method)(url, {"buyer_name": "someone else", "total_minor": 1}, format="json")
        assert response.status_code == 409, method
        assert response.json()["code"] == "invoice_immutable" and "إشعارًا دائنًا" in response.json()["non_field_errors"][0]
    kept = Invoice.objects.get(pk=documents[0].pk)
    assert (kept.buyer_name, kept.total_minor) == ("سارة", 57500)


SELLER_FORM = {
    "country": "SA", "legal_name_ar": "أمانة المنطقة الشرقية", "legal_name_en": "Eastern Province Municipality",
    "vat_number": "300000000000003", "cr_number": "2050012345", "street": "طريق الملك فهد", "building_number": "1234",
    "district": "الشاطئ", "city": "الدمام", "postal_code": "32413", "invoice_prefix": "EPM-2026",
}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 83, 45)).save(buffer, "PNG")
    return buffer.getvalue()


def test_seller_settings_saved_with_a_checked_logo(client, forum, owner):
    client = _signed_in(client, owner)
    url = reverse("invoicing:seller", args=[forum.slug])
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = client.post(url, {**SELLER_FORM, "logo": logo})
    assert response.status_code == 302, response.content.decode()[:2000]
    seller = BillingSettings.objects.get(organization=forum.organizer)
    assert seller.vat_number == "300000000000003" and seller.counter.last_number == 0
    assert seller.logo.name.endswith(".png")
    from PIL import Image

    with seller.logo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "PNG" and image.size == (40, 20)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("vat_number", "30000000000000", "15 digits"),
    ("vat_number", "200000000000003", "starts and ends with the digit 3"),
    ("cr_number", "12345", "10 digits"),
    ("postal_code", "1234", "5 digits"),
    ("invoice_prefix", "inv 2026", "capital letters"),
    ("legal_name_en", "", "required"),
])
def test_seller_settings_bad_input_is_a_form_error_and_nothing_saved(client, forum, owner, field, value, words):
    from django.utils import translation

    client = _signed_in(client, owner)
    with translation.override("en"):  # the English page, so the words can be compared
        url = reverse("invoicing:seller", args=[forum.slug])
    response = client.post(url, {**SELLER_FORM, field: value})
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert not BillingSettings.objects.exists()


def test_seller_logo_that_is_not_an_image_is_refused(client, forum, owner, seller):
    client = _signed_in(client, owner)
    fake = SimpleUploadedFile("logo.png", b"<?php echo 'not an image'; ?>", content_type="image/png")
    response = client.post(reverse("invoicing:seller", args=[forum.slug]), {**SELLER_FORM, "logo": fake})
    assert response.status_code == 400 and response.context["form"].errors["logo"]
    seller.refresh_from_db()
    assert seller.legal_name_ar == "أمانة العاصمة المقدسة" and not seller.logo  # nothing changed


def test_changed_settings_do_not_change_issued_invoices(forum, seller, documents):
    services.billing_settings_save(organization=forum.organizer, **{**SELLER_FORM, "invoice_prefix": "NEW"})
    first = Invoice.objects.get(pk=documents[0].pk)
    assert first.seller_name_ar == "أمانة العاصمة المقدسة" and first.number.startswith("AMANA-")
    later = services.invoice_issue(seller=BillingSettings.objects.get(), buyer=services.Buyer(name="x"),
                                   lines=[services.Line("a", "a", 100, Decimal(15))], currency="SAR",
                                   source_key="later", forum=forum)
    assert later.number == "NEW-000005" and later.seller_name_ar == SELLER_FORM["legal_name_ar"]


def test_list_and_export_queries_do_not_grow_with_the_documents(client, forum, editor, seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _signed_in(client, editor)

    def queries_with(count):
        for index in range(Invoice.objects.count(), count):
            invoice = services.invoice_issue(
                seller=seller, buyer=services.Buyer(name=f"مشتري {index}"), currency="SAR", source_key=f"q{index}",
                forum=forum, lines=[services.Line("حضور", "Attendance", 1000, Decimal("15"))])
            if index % 2:
                services.credit_note_issue(invoice=invoice, gross_minor=100, reason="x", source_key=f"c{index}")
        counts = []
        for url in (reverse("invoicing:manage", args=[forum.slug]),
                    reverse("invoicing:export", args=[forum.slug, "csv"])):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    assert queries_with(4) == queries_with(40)
