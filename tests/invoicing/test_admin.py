"""The admin writes billing settings through the service (its rules and words) and shows documents read only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import services
from invoicing.models import BillingSettings, Invoice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = {"country": "SA", "legal_name_ar": "أمانة جدة", "legal_name_en": "Jeddah Municipality",
          "vat_number": "300000000000003", "cr_number": "4030000000", "street": "طريق المدينة",
          "building_number": "1111", "district": "الروضة", "city": "جدة", "postal_code": "23435",
          "invoice_prefix": "JED"}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_admin_billing_settings_refuse_a_bad_vat_number_then_save_through_the_service(admin_client, forum):
    url = reverse("admin:invoicing_billingsettings_add")
    refused = admin_client.post(url, {**FIELDS, "organization": forum.organizer_id, "vat_number": "300000000000004"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["vat_number"]
    assert not BillingSettings.objects.exists()
    saved = admin_client.post(url, {**FIELDS, "organization": forum.organizer_id})
    assert saved.status_code == 302
    seller = BillingSettings.objects.get(organization=forum.organizer)
    assert seller.invoice_prefix == "JED" and seller.counter.last_number == 0


def test_admin_shows_an_invoice_but_cannot_change_or_delete_it(admin_client, forum, seller):
    invoice = services.invoice_issue(seller=seller, buyer=services.Buyer(name="سارة"), currency="SAR",
                                     source_key="a", forum=forum,
                                     lines=[services.Line("حضور", "Attendance", 50000, Decimal("15"))])
    change = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and invoice.number in page.content.decode()
    assert admin_client.post(change, {"buyer_name": "someone else"}).status_code == 403
    assert admin_client.post(reverse("admin:invoicing_invoice_delete", args=[invoice.pk]),
                             {"post": "yes"}).status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).buyer_name == "سارة"
