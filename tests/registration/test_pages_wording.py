"""What a visitor reads on the registration pages: no English inside Arabic, amounts written for the language."""

import pytest
from django.urls import reverse

from tests.registration.factories import RegistrationTypeFactory

pytestmark = pytest.mark.django_db


def _types(forum):
    RegistrationTypeFactory(forum=forum, name_ar="حضور عام", name_en="General attendee")
    RegistrationTypeFactory(forum=forum, invitation=True, name_ar="كبار الشخصيات", name_en="VIP")
    RegistrationTypeFactory(forum=forum, paid=True)


def _labels(html: str) -> str:
    start = html.index('data-testid="registration-form"')
    return html[start:html.index("</fieldset>", start)]


def test_register_page_arabic_prices_in_arabic_without_english(client, forum):
    _types(forum)
    labels = _labels(client.get(reverse("registration:register", args=[forum.slug])).content.decode())
    assert "<span>حضور عام</span> — <span class=\"reg__price\">مجاني</span>" in labels
    assert "بالدعوة" in labels
    assert "٥٧٥٫٠٠\u00a0ر.س شاملة ضريبة القيمة المضافة" in labels
    for english in ("free", "by invitation", "SAR", "VAT", "575.00"):
        assert english not in labels


def test_register_page_english_prices_in_english(client, forum):
    _types(forum)
    html = client.get("/en" + reverse("registration:register", args=[forum.slug])).content.decode()
    labels = _labels(html)
    assert "<span>General attendee</span> — <span class=\"reg__price\">free</span>" in labels
    assert "by invitation" in labels and "SAR\u00a0575.00 incl. VAT" in labels
    assert "مجاني" not in labels and "ر.س" not in labels


def test_register_page_english_venue_in_english(client, forum):
    forum.venue_name_ar, forum.venue_name_en = "فندق برج الساعة", "Clock Tower Hotel"
    forum.save(update_fields=["venue_name_ar", "venue_name_en"])
    RegistrationTypeFactory(forum=forum)
    html = client.get("/en" + reverse("registration:register", args=[forum.slug])).content.decode()
    assert "Clock Tower Hotel" in html and "فندق برج الساعة" not in html
