"""The invoice as UBL 2.1 XML (well-formed, with ZATCA's fields) and as a bilingual PDF whose QR decodes."""

import io
from decimal import Decimal

import pytest
from lxml import etree

from invoicing import rendering, services, ubl
from tests.invoicing.tlv import tlv_decode

pytestmark = pytest.mark.django_db

NS = {"inv": ubl.NS_INVOICE, "cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}


def _issue(seller, forum, **buyer):
    buyer = services.Buyer(**{"name": "شركة الجودة", "email": "a@example.org", **buyer})
    return services.invoice_issue(seller=seller, buyer=buyer, currency="SAR", source_key="p", forum=forum,
                                  order_reference="ABCD2345",
                                  lines=[services.Line("حضور الملتقى", "Forum attendance", 50000, Decimal("15"))])


def _text(tree, path):
    return tree.xpath(path, namespaces=NS)[0].text


def test_invoice_xml_is_well_formed_and_carries_zatca_fields(seller, forum):
    invoice = _issue(seller, forum, vat_number="300000000000003", address="الرياض")
    tree = etree.fromstring(ubl.document_xml(invoice))
    assert tree.tag == f"{{{ubl.NS_INVOICE}}}Invoice"
    assert _text(tree, "cbc:ProfileID") == "reporting:1.0"
    assert _text(tree, "cbc:ID") == invoice.number
    assert _text(tree, "cbc:UUID") == str(invoice.uuid)
    type_code = tree.xpath("cbc:InvoiceTypeCode", namespaces=NS)[0]
    assert (type_code.text, type_code.get("name")) == ("388", "0100000")  # standard
    assert _text(tree, "cbc:DocumentCurrencyCode") == "SAR"
    refs = {_text(r, "cbc:ID"): r for r in tree.xpath("cac:AdditionalDocumentReference", namespaces=NS)}
    assert _text(refs["ICV"], "cbc:UUID") == "1"
    assert _text(refs["PIH"], "cac:Attachment/cbc:EmbeddedDocumentBinaryObject") == invoice.previous_hash
    assert tlv_decode(_text(refs["QR"], "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"))["total"] == "575.00"
    supplier = "cac:AccountingSupplierParty/cac:Party/"
    assert _text(tree, supplier + "cac:PartyTaxScheme/cbc:CompanyID") == seller.vat_number
    assert _text(tree, supplier + "cac:PartyIdentification/cbc:ID") == seller.cr_number
    assert _text(tree, supplier + "cac:PostalAddress/cbc:PostalZone") == seller.postal_code
    assert _text(tree, supplier + "cac:PartyLegalEntity/cbc:RegistrationName") == seller.legal_name_ar
    customer = "cac:AccountingCustomerParty/cac:Party/"
    assert _text(tree, customer + "cac:PartyTaxScheme/cbc:CompanyID") == "300000000000003"
    assert _text(tree, customer + "cac:PartyLegalEntity/cbc:RegistrationName") == "شركة الجودة"
    tax_totals = tree.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)
    assert [t.text for t in tax_totals] == ["75.00", "75.00"] and tax_totals[0].get("currencyID") == "SAR"
    assert _text(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "15.00"
    assert _text(tree, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == "500.00"
    assert _text(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == "575.00"
    line = tree.xpath("cac:InvoiceLine", namespaces=NS)[0]
    assert _text(line, "cbc:LineExtensionAmount") == "500.00"
    assert _text(line, "cac:TaxTotal/cbc:TaxAmount") == "75.00"
    assert _text(line, "cac:Item/cbc:Name") == "حضور الملتقى"
    assert ubl.document_hash(invoice, list(invoice.lines.all())) == invoice.hash


def test_credit_note_xml_refers_to_its_invoice(seller, forum):
    invoice = _issue(seller, forum)
    credit = services.credit_note_issue(invoice=invoice, gross_minor=11500, reason="استرداد جزئي", source_key="r")
    tree = etree.fromstring(ubl.document_xml(credit))
    type_code = tree.xpath("cbc:InvoiceTypeCode", namespaces=NS)[0]
    assert (type_code.text, type_code.get("name")) == ("381", "0200000")  # credit note, simplified
    assert _text(tree, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == invoice.number
    assert _text(tree, "cac:PaymentMeans/cbc:InstructionNote") == "استرداد جزئي"
    assert _text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "115.00"


def test_pdf_qr_decodes_to_the_invoice_payload(seller, forum):
    import pypdfium2
    import zxingcpp

    invoice = _issue(seller, forum)
    data = rendering.document_pdf(invoice=invoice)
    assert data.startswith(b"%PDF-")
    page = pypdfium2.PdfDocument(io.BytesIO(data))[0]
    assert (round(page.get_width() / 72 * 25.4), round(page.get_height() / 72 * 25.4)) == (210, 297)  # A4
    text = page.get_textpage().get_text_range()
    assert invoice.number in text and "Simplified Tax Invoice" in text
    image = page.render(scale=3).to_pil().convert("L")
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [invoice.qr]
    assert tlv_decode(codes[0].text)["vat_number"] == seller.vat_number


def test_pdf_shows_the_arabic_title_and_the_hijri_date_beside_the_gregorian(seller, forum):
    import pypdfium2

    from forum import formatting as fmt
    from invoicing.rendering import _local_date

    invoice = _issue(seller, forum)
    page = pypdfium2.PdfDocument(io.BytesIO(rendering.document_pdf(invoice=invoice)))[0]
    text = page.get_textpage().get_text_range()
    day = _local_date(invoice).date()
    year, month, _day = fmt.hijri_parts(day)
    assert text.splitlines()[0].strip() == "فاتورة ضريبية مبسطة"  # shaped glyphs map back to the letters, in order
    assert f"{fmt.HIJRI_MONTHS_AR[month - 1]} {year}هـ" in text
    assert f"{fmt.MONTHS_AR[day.month - 1]} {day.year}م" in text
    assert text.count(invoice.seller_address["street"]) == 2  # Arabic inside the English column is drawn too


def _pdf_text(data: bytes) -> str:
    import pypdfium2

    return pypdfium2.PdfDocument(io.BytesIO(data))[0].get_textpage().get_text_range()


def test_documents_drawn_one_after_another_each_carry_only_their_own_text(seller, forum):
    """Fonts are parsed once per process and cloned per document: nothing of one document leaks into the next."""
    first = _issue(seller, forum, name_en="Sara Alghamdi")
    second = services.invoice_issue(seller=seller, buyer=services.Buyer(name="مؤسسة الإتقان", name_en="Itqan Est."),
                                    currency="SAR", source_key="p2", forum=forum,
                                    lines=[services.Line("ورشة عمل", "Workshop", 30000, Decimal("15"))])
    texts = [_pdf_text(rendering.document_pdf(invoice=doc)) for doc in (first, second, first)]
    # (A line that holds Arabic too is extracted right to left, so words are checked one by one.)
    assert "Alghamdi" in texts[0] and "Itqan" in texts[1] and "Alghamdi" not in texts[1]
    assert "ورشة عمل" in texts[1] and "ورشة" not in texts[0] and texts[2] == texts[0]


def test_a_name_in_another_script_is_drawn_with_the_whole_latin_font(seller, forum):
    assert rendering._reduced_fonts_cover(["شركة الجودة", "Quality Co. — 575.00 SAR", "Café Zoë"])
    assert not rendering._reduced_fonts_cover(["Анна Петрова"])
    invoice = _issue(seller, forum, name_en="Анна Петрова")
    text = _pdf_text(rendering.document_pdf(invoice=invoice))
    assert "Анна" in text and "Петрова" in text


def test_debit_note_pdf_names_the_invoice_and_the_credit_note_reversed(seller, forum):
    invoice = _issue(seller, forum)
    credit = services.credit_note_issue(invoice=invoice, gross_minor=11500, reason="استرداد", source_key="r1")
    debit = services.debit_note_issue(credit_note=credit, reason="تعذر الاسترداد", source_key="rf1")
    text = _pdf_text(rendering.document_pdf(invoice=debit))
    assert "Simplified Tax Invoice Debit Note" in text and "إشعار مدين لفاتورة ضريبية مبسطة" in text
    assert f"Original invoice: {invoice.number}" in text and f"Credit note reversed: {credit.number}" in text
