"""Tax rules per country, one module per country; the seller's country picks them.

A country module builds one `CountryRules`: how its tax and registration numbers
are checked, what its documents are called, and what the QR code printed on
them carries. Saudi Arabia (ZATCA) is the first; another Gulf country is one
more module and one more line in RULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Titles:
    ar: str
    en: str


@dataclass(frozen=True)
class CountryRules:
    code: str  # ISO 3166-1 alpha-2
    name: str
    currency: str
    vat_rate: str
    time_zone: str  # dates printed on documents are the seller's local dates
    vat_number_errors: Callable[[str], list[str]]
    registration_number_errors: Callable[[str], list[str]]
    postal_code_errors: Callable[[str], list[str]]
    # Document titles by (kind, is_standard).
    titles: dict
    # The QR payload printed on a document (text), from the document's fields.
    qr_payload: Callable[..., str]
    # UBL InvoiceTypeCode @name: the transaction flags (standard vs simplified).
    ubl_type_name: Callable[[bool], str]
    ubl_profile: str


def _rules() -> dict[str, CountryRules]:
    from . import sa

    return {sa.RULES.code: sa.RULES}


def rules_for(country: str) -> CountryRules:
    rules = _rules().get((country or "").upper())
    if rules is None:
        raise KeyError(f"no tax rules for country {country!r}")
    return rules


def country_choices() -> list[tuple[str, str]]:
    return [(code, rules.name) for code, rules in _rules().items()]


COUNTRY_LABEL = _("country of the tax registration")
