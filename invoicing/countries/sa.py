"""Saudi Arabia: VAT under ZATCA (the Zakat, Tax and Customs Authority).

- VAT registration number: 15 digits, first and last digit 3.
- Commercial registration (السجل التجاري): 10 digits.
- National address postal code: 5 digits.
- A sale to a buyer without a VAT number is a simplified tax invoice
  («فاتورة ضريبية مبسطة», transaction flags 0200000); with one it is a standard
  tax invoice («فاتورة ضريبية», 0100000); a refund or correction is a credit
  note («إشعار دائن», type code 381); a credit note reversed (its refund
  failed) is answered by a debit note («إشعار مدين», type code 383).
- The first-phase QR code: base64 of TLV records (tag byte, length byte, UTF-8
  value): 1 seller name, 2 VAT number, 3 time stamp (ISO 8601), 4 total with
  VAT, 5 VAT total. The second phase adds tags 6-9 (hash, signature, public key,
  stamp signature), written by the stamping step that is not part of this
  system (see README: the seam).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from . import CountryRules, Titles

VAT_NUMBER_RE = re.compile(r"^3\d{13}3$")
CR_NUMBER_RE = re.compile(r"^\d{10}$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")


def vat_number_errors(value: str) -> list[str]:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) != 15:
        return [_("A Saudi VAT number has 15 digits (0-9).")]
    if not VAT_NUMBER_RE.match(value):
        return [_("A Saudi VAT number starts and ends with the digit 3.")]
    return []


def registration_number_errors(value: str) -> list[str]:
    if not CR_NUMBER_RE.match((value or "").strip()):
        return [_("A commercial registration number has 10 digits (0-9).")]
    return []


def postal_code_errors(value: str) -> list[str]:
    if not POSTAL_CODE_RE.match((value or "").strip()):
        return [_("A Saudi postal code has 5 digits (0-9).")]
    return []


def _tlv(tag: int, value: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > 255:
        raise ValueError(f"QR field {tag} is longer than 255 bytes")
    return bytes([tag, len(data)]) + data


def qr_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def qr_payload(*, seller_name: str, vat_number: str, issued_at: datetime, total: str, vat_total: str) -> str:
    """ZATCA phase-1 QR: base64 of the five TLV records, values in UTF-8."""
    records = (
        _tlv(1, seller_name) + _tlv(2, vat_number) + _tlv(3, qr_timestamp(issued_at)) + _tlv(4, total)
        + _tlv(5, vat_total)
    )
    return base64.b64encode(records).decode("ascii")


def ubl_type_name(is_standard: bool) -> str:
    return "0100000" if is_standard else "0200000"


RULES = CountryRules(
    code="SA",
    name="Saudi Arabia — المملكة العربية السعودية",
    currency="SAR",
    vat_rate="15",
    time_zone="Asia/Riyadh",
    vat_number_errors=vat_number_errors,
    registration_number_errors=registration_number_errors,
    postal_code_errors=postal_code_errors,
    titles={
        ("invoice", False): Titles("فاتورة ضريبية مبسطة", "Simplified Tax Invoice"),
        ("invoice", True): Titles("فاتورة ضريبية", "Tax Invoice"),
        ("credit_note", False): Titles("إشعار دائن لفاتورة ضريبية مبسطة", "Simplified Tax Invoice Credit Note"),
        ("credit_note", True): Titles("إشعار دائن لفاتورة ضريبية", "Tax Invoice Credit Note"),
        ("debit_note", False): Titles("إشعار مدين لفاتورة ضريبية مبسطة", "Simplified Tax Invoice Debit Note"),
        ("debit_note", True): Titles("إشعار مدين لفاتورة ضريبية", "Tax Invoice Debit Note"),
    },
    qr_payload=qr_payload,
    ubl_type_name=ubl_type_name,
    ubl_profile="reporting:1.0",
)
