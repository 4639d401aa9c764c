"""Invoices and credit notes as UBL 2.1 XML with the fields ZATCA asks for.

What is here: the document ZATCA's e-invoicing (FATOORA) expects before
stamping — profile, number, UUID, issue date and time, type code (388 invoice,
381 credit note, 383 debit note) with the standard/simplified flags, the invoice counter (ICV),
the previous invoice's hash (PIH), the QR, seller and buyer with VAT numbers and
national address, the billing reference and reason of a credit note, VAT per
category, totals and lines with VAT per line.

What is not (the seam): ZATCA's second phase signs each document (XAdES in
ext:UBLExtensions, cac:Signature, QR tags 6-9) with a certificate issued to the
seller's device by ZATCA's onboarding API, and then reports simplified invoices
(within 24 hours) or clears standard ones (before they are given to the buyer)
through ZATCA's API. No outside service is reachable from this system, so none
of that is done or pretended: `document_xml()` returns the unsigned document,
`document_hash()` is the hash the chain uses (over the canonical XML without the
QR, as ZATCA computes it), and a stamping/reporting step would take the XML from
here and store its result beside the invoice.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from decimal import Decimal

from lxml import etree

from .money import from_minor

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC}
TYPE_CODES = {"invoice": "388", "credit_note": "381", "debit_note": "383"}
# The previous-invoice hash of a seller's first document, as ZATCA defines it (base64 of sha256("0") in hex).
FIRST_PREVIOUS_HASH = base64.b64encode(hashlib.sha256(b"0").hexdigest().encode()).decode()
PAYMENT_MEANS_CARD = "48"


def _cac(parent, name):
    return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")


def _cbc(parent, name, text, /, **attrs):
    element = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", **attrs)
    element.text = str(text)
    return element


def _amount(parent, name, minor: int, currency: str):
    return _cbc(parent, name, from_minor(minor, currency), currencyID=currency)


def _tax_category(parent, name: str, rate: Decimal):
    category = _cac(parent, name)
    _cbc(category, "ID", "S" if rate > 0 else "O")
    _cbc(category, "Percent", f"{rate:.2f}")
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
    return category


def _document_reference(parent, ident: str, *, uuid: str | None = None, text: str | None = None):
    reference = _cac(parent, "AdditionalDocumentReference")
    _cbc(reference, "ID", ident)
    if uuid is not None:
        _cbc(reference, "UUID", uuid)
    if text is not None:
        _cbc(_cac(reference, "Attachment"), "EmbeddedDocumentBinaryObject", text, mimeCode="text/plain")


def document_tree(invoice, lines, *, include_qr: bool = True) -> etree._Element:
    """The UBL Invoice element of an invoice or credit note (saved or about to be), with its lines."""
    from zoneinfo import ZoneInfo

    from .countries import rules_for

    rules = rules_for(invoice.seller_country)
    local = invoice.issued_at.astimezone(ZoneInfo(rules.time_zone))
    currency = invoice.currency
    root = etree.Element(f"{{{NS_INVOICE}}}Invoice", nsmap=NSMAP)
    _cbc(root, "ProfileID", rules.ubl_profile)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "UUID", invoice.uuid)
    _cbc(root, "IssueDate", local.strftime("%Y-%m-%d"))
    _cbc(root, "IssueTime", local.strftime("%H:%M:%S"))
    _cbc(root, "InvoiceTypeCode", TYPE_CODES[invoice.kind], name=rules.ubl_type_name(invoice.is_standard))
    if invoice.reason:
        _cbc(root, "Note", invoice.reason, languageID="ar")
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "TaxCurrencyCode", currency)
    if invoice.order_reference:
        _cbc(_cac(root, "OrderReference"), "ID", invoice.order_reference)
    if invoice.related_id:
        _cbc(_cac(_cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID", invoice.related.number)
    if invoice.reverses_id:  # a debit note: the credit note it reverses, beside the invoice
        _cbc(_cac(_cac(root, "BillingReference"), "CreditNoteDocumentReference"), "ID", invoice.reverses.number)
    _document_reference(root, "ICV", uuid=str(invoice.sequence))
    _document_reference(root, "PIH", text=invoice.previous_hash)
    if include_qr:
        _document_reference(root, "QR", text=invoice.qr)

    seller = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    _cbc(_cac(seller, "PartyIdentification"), "ID", invoice.seller_cr_number, schemeID="CRN")
    address = _cac(seller, "PostalAddress")
    for tag, key in (("StreetName", "street"), ("BuildingNumber", "building_number"),
                     ("CitySubdivisionName", "district"), ("CityName", "city"), ("PostalZone", "postal_code")):
        _cbc(address, tag, invoice.seller_address.get(key, ""))
    _cbc(_cac(address, "Country"), "IdentificationCode", invoice.seller_country)
    tax_scheme = _cac(seller, "PartyTaxScheme")
    _cbc(tax_scheme, "CompanyID", invoice.seller_vat_number)
    _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    _cbc(_cac(seller, "PartyLegalEntity"), "RegistrationName", invoice.seller_name_ar)

    buyer = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    if invoice.buyer_address:
        buyer_address = _cac(buyer, "PostalAddress")
        _cbc(buyer_address, "StreetName", invoice.buyer_address)
        _cbc(_cac(buyer_address, "Country"), "IdentificationCode", invoice.seller_country)
    if invoice.buyer_vat_number:
        buyer_tax = _cac(buyer, "PartyTaxScheme")
        _cbc(buyer_tax, "CompanyID", invoice.buyer_vat_number)
        _cbc(_cac(buyer_tax, "TaxScheme"), "ID", "VAT")
    _cbc(_cac(buyer, "PartyLegalEntity"), "RegistrationName", invoice.buyer_name)

    _cbc(_cac(root, "Delivery"), "ActualDeliveryDate", local.strftime("%Y-%m-%d"))
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", PAYMENT_MEANS_CARD)
    if invoice.is_credit_note or invoice.is_debit_note:  # ZATCA asks the reason of every note (KSA-10)
        _cbc(means, "InstructionNote", invoice.reason or "refund")

    _amount(_cac(root, "TaxTotal"), "TaxAmount", invoice.vat_minor, currency)
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", invoice.vat_minor, currency)
    by_rate: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        by_rate[Decimal(line.vat_rate)][0] += line.net_minor
        by_rate[Decimal(line.vat_rate)][1] += line.vat_minor
    for rate, (net, vat) in sorted(by_rate.items()):
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", net, currency)
        _amount(subtotal, "TaxAmount", vat, currency)
        _tax_category(subtotal, "TaxCategory", rate)

    totals = _cac(root, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", invoice.net_minor, currency)
    _amount(totals, "TaxExclusiveAmount", invoice.net_minor, currency)
    _amount(totals, "TaxInclusiveAmount", invoice.total_minor, currency)
    _amount(totals, "PayableAmount", invoice.total_minor, currency)

    for line in lines:
        element = _cac(root, "InvoiceLine")
        _cbc(element, "ID", line.position)
        _cbc(element, "InvoicedQuantity", line.quantity, unitCode="PCE")
        _amount(element, "LineExtensionAmount", line.net_minor, currency)
        line_tax = _cac(element, "TaxTotal")
        _amount(line_tax, "TaxAmount", line.vat_minor, currency)
        _amount(line_tax, "RoundingAmount", line.total_minor, currency)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description_ar)
        _tax_category(item, "ClassifiedTaxCategory", Decimal(line.vat_rate))
        _amount(_cac(element, "Price"), "PriceAmount", line.unit_price_minor, currency)
    return root


def document_xml(invoice, lines=None) -> bytes:
    lines = list(invoice.lines.all()) if lines is None else lines
    return etree.tostring(document_tree(invoice, lines), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def document_hash(invoice, lines) -> str:
    """base64(SHA-256) of the canonical XML without the QR: what the next document's PIH carries."""
    canonical = etree.tostring(document_tree(invoice, lines, include_qr=False), method="c14n")
    return base64.b64encode(hashlib.sha256(canonical).digest()).decode("ascii")
