"""Amounts in minor units: halalas for SAR, fils (three decimals) for the Gulf dinars, VAT rounded half up per line."""

from decimal import Decimal

import pytest

from invoicing.money import amount_display, currency_exponent, from_minor, gross_split, to_minor, vat_minor
from tests.registration.factories import RegistrationTypeFactory


@pytest.mark.parametrize(("currency", "exponent"), [("SAR", 2), ("AED", 2), ("BHD", 3), ("KWD", 3), ("OMR", 3),
                                                    ("JPY", 0), ("sar", 2)])
def test_currency_exponent(currency, exponent):
    assert currency_exponent(currency) == exponent


def test_vat_rounds_half_up_to_the_halala():
    assert vat_minor(1, 15) == 0  # 0.15 halala
    assert vat_minor(3, 15) == 0  # 0.45
    assert vat_minor(10, 15) == 2  # 1.5 -> 2
    assert vat_minor(57500 - 7500, 15) == 7500
    assert vat_minor(99999, 15) == 15000  # 14999.85 -> 15000


def test_three_decimal_currencies_keep_fils():
    net = to_minor(Decimal("10.05"), "BHD")
    assert net == 10050
    assert vat_minor(net, 15) == 1508  # 1.5075 BHD -> 1.508
    assert amount_display(net + 1508, "BHD") == "11.558"
    assert from_minor(11558, "BHD") == Decimal("11.558")
    assert amount_display(57500, "SAR") == "575.00"


def test_gross_split_finds_the_net_whose_vat_adds_up():
    for gross in range(1, 5000):
        net, vat = gross_split(gross, 15)
        assert net + vat == gross
        assert abs(vat - vat_minor(net, 15)) <= 1
    # Every amount that some net price produces is split back into exactly that net and its VAT.
    for net in range(1, 5000):
        assert gross_split(net + vat_minor(net, 15), 15) == (net, vat_minor(net, 15))
    assert gross_split(57500, 15) == (50000, 7500)
    assert gross_split(0, 15) == (0, 0)
    assert gross_split(1000, 0) == (1000, 0)


@pytest.mark.django_db
def test_registration_price_is_charged_as_the_invoice_adds_it_up():
    sar = RegistrationTypeFactory(paid=True, price=Decimal("99.99"), vat_rate=Decimal("15"))
    assert sar.total_minor == 9999 + 1500  # 14.9985 -> 15.00
    bhd = RegistrationTypeFactory(paid=True, price=Decimal("10.05"), currency="BHD", vat_rate=Decimal("15"))
    assert bhd.total_minor == 10050 + 1508  # fils, not halalas rounded to 1.51
    assert bhd.vat_amount == Decimal("1.508")
