"""Corrections of an invoice without a refund (a credit note, then a replacement invoice) and debit notes that
reverse a credit note: the services' rules, the API and the organizers' page, and who is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree

from forum.errors import DomainError
from invoicing import selectors, services, ubl
from invoicing.models import Invoice, InvoiceCounter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUYER = services.Buyer(name="عبدالله بن محمد", name_en="Abdullah Mohammed", email="buyer@example.org")


@pytest.fixture
def invoice(seller, forum):
    return services.invoice_issue(
        seller=seller, buyer=BUYER, currency="SAR", source_key="p1", forum=forum, order_reference="REF1",
        lines=[services.Line("حضور الملتقى", "Forum attendance", 50000, Decimal("15"))])


def _api(forum, invoice, what="credit-notes"):
    return f"/api/v1/forums/{forum.slug}/invoices/{invoice.uuid}/{what}/"


def test_credit_note_correct_partial_then_the_rest_and_never_more(invoice):
    first = services.credit_note_correct(invoice=invoice, gross_minor=11500, reason="خطأ في المبلغ")
    assert (first.kind, first.related_id, first.reason) == ("credit_note", invoice.pk, "خطأ في المبلغ")
    assert (first.net_minor, first.vat_minor, first.total_minor) == (10000, 1500, 11500)
    assert services.creditable_minor(invoice) == 46000
    with pytest.raises(DomainError) as refused:
        services.credit_note_correct(invoice=invoice, gross_minor=46001, reason="أكثر من المتبقي")
    assert refused.value.code == "over_credit" and "amount" in refused.value.errors
    rest = services.credit_note_correct(invoice=invoice, gross_minor=46000, reason="تصحيح بيانات المشتري")
    assert first.net_minor + rest.net_minor == invoice.net_minor and first.vat_minor + rest.vat_minor == invoice.vat_minor
    assert [first.sequence, rest.sequence] == [2, 3]  # the seller's one gap-free series
    assert services.creditable_minor(invoice) == 0
    with pytest.raises(DomainError):
        services.credit_note_correct(invoice=invoice, gross_minor=1, reason="لا شيء متبقٍ")
    assert selectors.chain_errors(seller=invoice.seller) == []


@pytest.mark.parametrize("amount, reason, field", [
    (0, "سبب", "amount"), (-100, "سبب", "amount"), (100, "", "reason"), (100, "   ", "reason"),
    (100, "س" * 256, "reason"),
])
def test_credit_note_correct_bad_input_refused_by_field_and_nothing_issued(invoice, amount, reason, field):
    with pytest.raises(DomainError) as refused:
        services.credit_note_correct(invoice=invoice, gross_minor=amount, reason=reason)
    assert field in refused.value.errors
    assert Invoice.objects.count() == 1 and InvoiceCounter.objects.get(seller=invoice.seller).last_number == 1


def test_credit_note_correct_with_the_same_key_issues_one_note(invoice):
    first = services.credit_note_correct(invoice=invoice, gross_minor=11500, reason="خطأ في المبلغ",
                                         idempotency_key="retry-1")
    again = services.credit_note_correct(invoice=invoice, gross_minor=11500, reason="خطأ في المبلغ",
                                         idempotency_key="retry-1")
    assert again.pk == first.pk and Invoice.objects.filter(kind="credit_note").count() == 1
    assert services.creditable_minor(invoice) == 46000
    # The same key for another amount is a mistake, not a retry: refused, nothing issued.
    with pytest.raises(DomainError) as refused:
        services.credit_note_correct(invoice=invoice, gross_minor=100, reason="خطأ في المبلغ",
                                     idempotency_key="retry-1")
    assert refused.value.code == "idempotency_conflict" and "idempotency_key" in refused.value.errors
    # Another key is another correction.
    other = services.credit_note_correct(invoice=invoice, gross_minor=11500, reason="خطأ في المبلغ",
                                         idempotency_key="retry-2")
    assert other.pk != first.pk and other.sequence == first.sequence + 1
    for bad in ("x" * 65, "مفتاح", "a\nb"):
        with pytest.raises(DomainError) as refused:
            services.credit_note_correct(invoice=invoice, gross_minor=100, reason="سبب", idempotency_key=bad)
        assert "idempotency_key" in refused.value.errors
    assert Invoice.objects.filter(kind="credit_note").count() == 2
    assert selectors.chain_errors(seller=invoice.seller) == []


def test_credit_note_correct_refuses_a_credit_note(invoice):
    note = services.credit_note_correct(invoice=invoice, gross_minor=100, reason="سبب")
    with pytest.raises(DomainError) as refused:
        services.credit_note_correct(invoice=note, gross_minor=100, reason="سبب")
    assert "invoice" in refused.value.errors


@pytest.mark.parametrize("text, minor", [("115", 11500), ("115.5", 11550), ("0.01", 1), ("575,00", 57500)])
def test_amount_minor_parse_reads_what_people_type(text, minor):
    assert services.amount_minor_parse(text, "SAR") == minor


@pytest.mark.parametrize("text", ["", "abc", "1.001", "-5", "0", "NaN", "1e3", "Infinity", "+5"])
def test_amount_minor_parse_refuses_with_the_field(text):
    with pytest.raises(DomainError) as refused:
        services.amount_minor_parse(text, "SAR")
    assert list(refused.value.errors) == ["amount"]


def test_replacement_invoice_after_full_credit_with_corrected_buyer(invoice):
    corrected = services.Buyer(name="شركة الجودة", vat_number="300000000000003", address="الرياض", email="a@b.org")
    with pytest.raises(DomainError) as refused:
        services.invoice_replace(invoice=invoice, buyer=corrected)
    assert refused.value.code == "not_credited"
    services.credit_note_correct(invoice=invoice, gross_minor=invoice.total_minor, reason="اسم المشتري خطأ")
    replacement = services.invoice_replace(invoice=invoice, buyer=corrected)
    assert replacement.kind == "invoice" and replacement.replaces_id == invoice.pk and replacement.sequence == 3
    assert replacement.is_standard and replacement.buyer_name == "شركة الجودة"
    assert (replacement.net_minor, replacement.vat_minor, replacement.total_minor) == (50000, 7500, 57500)
    assert replacement.order_reference == invoice.order_reference
    invoice.refresh_from_db()
    assert invoice.buyer_name == BUYER.name  # the original stays as issued
    with pytest.raises(DomainError) as twice:
        services.invoice_replace(invoice=invoice, buyer=corrected)
    assert twice.value.code == "replaced"
    assert selectors.chain_errors(seller=invoice.seller) == []


def test_replacement_with_a_bad_vat_number_refused_by_field(invoice):
    services.credit_note_correct(invoice=invoice, gross_minor=invoice.total_minor, reason="سبب")
    with pytest.raises(DomainError) as refused:
        services.invoice_replace(invoice=invoice, buyer=services.Buyer(name="x", vat_number="123"))
    assert "buyer_vat_number" in refused.value.errors
    assert not Invoice.objects.filter(replaces=invoice).exists()


def test_debit_note_reverses_a_credit_note_once_and_makes_it_creditable_again(invoice):
    note = services.credit_note_issue(invoice=invoice, gross_minor=20000, reason="استرداد", source_key="refund:re_1")
    debit = services.debit_note_issue(credit_note=note, reason="تعذر الاسترداد", source_key="refund-failed:re_1")
    assert (debit.kind, debit.related_id, debit.reverses_id) == ("debit_note", invoice.pk, note.pk)
    assert (debit.net_minor, debit.vat_minor, debit.total_minor) == (note.net_minor, note.vat_minor, note.total_minor)
    assert debit.sequence == 3 and debit.titles.ar == "إشعار مدين لفاتورة ضريبية مبسطة"
    assert services.creditable_minor(invoice) == invoice.total_minor
    # Delivered again, or asked under another key: the one debit note.
    assert services.debit_note_issue(credit_note=note, reason="x", source_key="refund-failed:re_1").pk == debit.pk
    assert services.debit_note_issue(credit_note=note, reason="x", source_key="other").pk == debit.pk
    assert Invoice.objects.filter(kind="debit_note").count() == 1
    with pytest.raises(DomainError):
        services.debit_note_issue(credit_note=invoice, reason="x", source_key="k")
    assert selectors.chain_errors(seller=invoice.seller) == []


def test_debit_note_xml_has_type_383_and_both_references(invoice):
    note = services.credit_note_issue(invoice=invoice, gross_minor=20000, reason="استرداد", source_key="refund:re_1")
    debit = services.debit_note_issue(credit_note=note, reason="تعذر الاسترداد", source_key="refund-failed:re_1")
    tree = etree.fromstring(ubl.document_xml(debit))
    ns = {"cbc": ubl.NS_CBC, "cac": ubl.NS_CAC}
    assert tree.findtext("cbc:InvoiceTypeCode", namespaces=ns) == "383"
    assert tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=ns) == invoice.number
    assert tree.findtext("cac:BillingReference/cac:CreditNoteDocumentReference/cbc:ID", namespaces=ns) == note.number
    assert tree.findtext("cac:PaymentMeans/cbc:InstructionNote", namespaces=ns) == "تعذر الاسترداد"


def test_totals_and_export_count_debit_notes_back(invoice, forum):
    note = services.credit_note_issue(invoice=invoice, gross_minor=20000, reason="استرداد", source_key="refund:re_1")
    debit = services.debit_note_issue(credit_note=note, reason="تعذر الاسترداد", source_key="refund-failed:re_1")
    documents = selectors.documents_search(forum=forum)
    [row] = selectors.totals_by_period(documents)
    assert (row["invoices"], row["credit_notes"], row["debit_notes"]) == (1, 1, 1)
    assert row["total"] == Decimal("575.00")
    rows = {row[0]: row for row in list(selectors.export_rows(documents))[1:]}
    assert rows[debit.number][8] == Decimal("200.00") and rows[note.number][8] == Decimal("-200.00")
    assert rows[debit.number][10:12] == [invoice.number, note.number]


# ---- the API -----------------------------------------------------------------------------------


def test_api_credit_note_and_replacement_by_an_editor(client_for, forum, editor, invoice):
    client = client_for(editor)
    response = client.post(_api(forum, invoice), {"amount": "575.00", "reason": "اسم المشتري خطأ"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "credit_note" and body["related_number"] == invoice.number and body["total"] == "575.00"
    replaced = client.post(_api(forum, invoice, "replacement"), {"buyer_name": "شركة الجودة",
                                                                 "buyer_vat_number": "300000000000003"}, format="json")
    assert replaced.status_code == 201, replaced.content
    assert replaced.json()["replaces_number"] == invoice.number and replaced.json()["is_standard"] is True


def test_api_idempotency_key_replays_the_first_note(client_for, forum, editor, invoice):
    client = client_for(editor)
    body = {"amount": "100.00", "reason": "اسم المشتري خطأ"}
    first = client.post(_api(forum, invoice), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = client.post(_api(forum, invoice), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    conflict = client.post(_api(forum, invoice), {**body, "amount": "50.00"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="k-1")
    assert conflict.status_code == 400 and "idempotency_key" in conflict.json()
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    # An outsider sending a known key gets nothing back.
    assert client_for(UserFactory()).post(_api(forum, invoice), body, format="json",
                                          HTTP_IDEMPOTENCY_KEY="k-1").status_code in (403, 404)


@pytest.mark.parametrize("body, field", [
    ({"amount": "1000.00", "reason": "سبب"}, "amount"), ({"amount": "abc", "reason": "سبب"}, "amount"),
    ({"amount": "1.001", "reason": "سبب"}, "amount"), ({"amount": "0", "reason": "سبب"}, "amount"),
    ({"amount": "10"}, "reason"), ({"amount": "10", "reason": ""}, "reason"), ({"reason": "سبب"}, "amount"),
])
def test_api_bad_amount_or_reason_is_a_field_error(client_for, forum, owner, invoice, body, field):
    response = client_for(owner).post(_api(forum, invoice), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert Invoice.objects.count() == 1


def test_api_replacement_before_full_credit_is_refused(client_for, forum, owner, invoice):
    response = client_for(owner).post(_api(forum, invoice, "replacement"), {"buyer_name": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_credited"


@pytest.mark.parametrize("who", ["outsider", "viewer", "other_forums_owner"])
def test_api_outsiders_and_viewers_cannot_correct(client_for, forum, viewer, invoice, who):
    from tests.factories import ForumFactory, TeamMemberFactory

    if who == "viewer":
        user = viewer
    elif who == "outsider":
        user = UserFactory()
    else:
        user = UserFactory()
        TeamMemberFactory(forum=ForumFactory(organizer=forum.organizer), user=user, role="owner")
    response = client_for(user).post(_api(forum, invoice), {"amount": "10", "reason": "سبب"}, format="json")
    assert response.status_code in (403, 404)
    assert Invoice.objects.count() == 1


def test_api_schema_documents_the_corrections(client_for, owner):
    schema = client_for(owner).get("/api/schema/").content.decode()
    assert "/invoices/{uuid}/credit-notes/" in schema and "CorrectionRequest" in schema
    assert "/invoices/{uuid}/replacement/" in schema


# ---- the organizers' page ------------------------------------------------------------------------


def test_page_credit_note_then_replacement(client, forum, owner, invoice):
    client.force_login(owner)
    url = reverse("invoicing:correct", args=[forum.slug, invoice.uuid])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="credit-form"' in page.content
    assert b'data-testid="replace-form"' not in page.content  # nothing credited yet
    done = client.post(url, {"action": "credit", "amount": "575.00", "reason": "اسم المشتري خطأ"}, follow=True)
    assert done.status_code == 200 and Invoice.objects.filter(kind="credit_note", related=invoice).count() == 1
    assert b'data-testid="replace-form"' in done.content and b'data-testid="credit-form"' not in done.content
    client.post(url, {"action": "replace", "buyer_name": "شركة الجودة", "buyer_vat_number": "300000000000003"})
    replacement = Invoice.objects.get(replaces=invoice)
    assert replacement.buyer_name == "شركة الجودة"
    listing = client.get(reverse("invoicing:manage", args=[forum.slug])).content.decode()
    assert replacement.number in listing and "document-correct" in listing


def test_page_posted_twice_issues_one_credit_note(client, forum, owner, invoice):
    client.force_login(owner)
    url = reverse("invoicing:correct", args=[forum.slug, invoice.uuid])
    token = client.get(url).context["credit_form"]["token"].value()
    assert token and len(token) <= 64
    data = {"action": "credit", "amount": "100.00", "reason": "اسم المشتري خطأ", "token": token}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click, or a reload of the post
    assert Invoice.objects.filter(kind="credit_note", related=invoice).count() == 1
    assert client.get(url).context["credit_form"]["token"].value() != token  # a fresh form, a fresh token


@pytest.mark.parametrize("data, field", [
    ({"amount": "99999", "reason": "سبب"}, "amount"), ({"amount": "x", "reason": "سبب"}, "amount"),
    ({"amount": "10", "reason": ""}, "reason"),
])
def test_page_bad_input_is_a_form_error(client, forum, editor, invoice, data, field):
    client.force_login(editor)
    response = client.post(reverse("invoicing:correct", args=[forum.slug, invoice.uuid]), {"action": "credit", **data})
    assert response.status_code == 400
    assert response.context["credit_form"].errors[field]
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "viewer"])
def test_page_refuses_outsiders_and_viewers(client, forum, viewer, invoice, who):
    client.force_login(viewer if who == "viewer" else UserFactory())
    url = reverse("invoicing:correct", args=[forum.slug, invoice.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "credit", "amount": "10", "reason": "سبب"}).status_code == 404
    assert Invoice.objects.count() == 1


def test_list_page_shows_a_debit_note_with_the_credit_note_it_reverses(client, forum, editor, invoice):
    note = services.credit_note_issue(invoice=invoice, gross_minor=20000, reason="استرداد", source_key="refund:re_1")
    debit = services.debit_note_issue(credit_note=note, reason="تعذر الاسترداد", source_key="refund-failed:re_1")
    client.force_login(editor)
    page = client.get(reverse("invoicing:manage", args=[forum.slug]))
    html = page.content.decode()
    row = html[html.index(f'data-number="{debit.number}"'):]
    row = row[:row.index("</tr>")]
    assert invoice.number in row and note.number in row and "إشعار مدين" in row
    debit_only = client.get(reverse("invoicing:manage", args=[forum.slug]), {"kind": "debit_note"})
    assert debit_only.content.decode().count('data-testid="document"') == 1
    assert client.get(reverse("invoicing:pdf", args=[forum.slug, debit.uuid])).content.startswith(b"%PDF-")
    xml = client.get(reverse("invoicing:xml", args=[forum.slug, debit.uuid])).content
    assert b">383<" in xml
