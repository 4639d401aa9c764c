"""Amounts as integers in the currency's smallest unit (halalas for SAR, fils for BHD/KWD/OMR).

Every amount the invoices store is an integer of minor units, so sums never drift;
VAT is rounded half up to the minor unit once per line (ZATCA's rule BR-CO-17: a
line's VAT is its net amount times the rate, rounded), and totals are sums of lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Currencies without minor units (Stripe's list); the Gulf dinars and a few others use three decimals.
ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                          "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def currency_exponent(currency: str) -> int:
    currency = (currency or "").upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """A decimal amount in smallest units, rounded half up: Decimal("575.005") SAR -> 57501."""
    scaled = Decimal(str(amount)) * (10 ** currency_exponent(currency))
    return int(scaled.to_integral_value(ROUND_HALF_UP))


def from_minor(amount_minor: int, currency: str) -> Decimal:
    exponent = currency_exponent(currency)
    return (Decimal(amount_minor) / (10 ** exponent)).quantize(Decimal(1).scaleb(-exponent))


def amount_display(amount_minor: int, currency: str) -> str:
    """Smallest units back to a plain decimal string, e.g. 57500 SAR -> "575.00", 1150 BHD -> "1.150"."""
    exponent = currency_exponent(currency)
    return f"{from_minor(amount_minor, currency):.{exponent}f}"


def vat_minor(net_minor: int, rate: Decimal | int | str) -> int:
    """The VAT on a net amount, both in minor units, rounded half up to the minor unit."""
    return int((Decimal(net_minor) * Decimal(str(rate)) / 100).to_integral_value(ROUND_HALF_UP))


def gross_split(gross_minor: int, rate: Decimal | int | str) -> tuple[int, int]:
    """(net, VAT) of an amount that includes VAT, such that VAT == vat_minor(net, rate) and net + VAT == gross.

    Used where the amount paid or refunded is what is known (a refund of part of
    a payment): the net is the one whose rounded VAT adds up to the gross. When
    no net does (rounding can skip a gross amount by one minor unit), the VAT is
    taken from the gross directly and the net is the rest.
    """
    rate = Decimal(str(rate))
    if gross_minor <= 0 or rate == 0:
        return gross_minor, 0
    estimate = int((Decimal(gross_minor) * 100 / (100 + rate)).to_integral_value(ROUND_HALF_UP))
    for net in (estimate, estimate - 1, estimate + 1):
        if 0 <= net <= gross_minor and net + vat_minor(net, rate) == gross_minor:
            return net, gross_minor - net
    vat = int((Decimal(gross_minor) * rate / (100 + rate)).to_integral_value(ROUND_HALF_UP))
    return gross_minor - vat, vat
