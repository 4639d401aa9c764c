"""A forum with paid types on a site where online payment (Stripe) is not configured: no dead end."""

import logging

import pytest
from django.urls import reverse

from forum.errors import DomainError
from registration import services
from registration.models import Registration, RegistrationSettings
from tests.factories import TeamMemberFactory
from tests.registration.factories import RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    return settings


def test_public_form_hides_paid_types_and_says_payment_is_not_set_up(client, forum, no_stripe):
    RegistrationTypeFactory(forum=forum, name_ar="حضور عام", name_en="General")
    RegistrationTypeFactory(forum=forum, paid=True, name_ar="ورشة العمل", name_en="Workshop")
    page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert "حضور عام" in page and "ورشة العمل" not in page
    assert 'data-testid="payments-not-set-up"' in page and "الدفع الإلكتروني" in page
    english = client.get("/en" + reverse("registration:register", args=[forum.slug])).content.decode()
    assert "Online payment is not set up" in english and "Workshop" not in english


def test_public_form_offers_paid_types_when_payment_is_configured(client, forum):
    RegistrationTypeFactory(forum=forum, paid=True, name_ar="ورشة العمل")
    page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert "ورشة العمل" in page and 'data-testid="payments-not-set-up"' not in page


def test_paid_registration_refused_without_holding_a_seat_and_logged(forum, no_stripe, caplog):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    with caplog.at_level(logging.ERROR, logger="registration"), pytest.raises(DomainError) as exc:
        services.registration_create(forum=forum, registration_type=rtype, **person())
    assert exc.value.code == "payments_not_configured" and "registration_type" in exc.value.errors
    assert not Registration.objects.exists()
    assert not RegistrationSettings.objects.filter(forum=forum, seats_taken__gt=0).exists()
    assert "Stripe is not configured" in caplog.text


def test_pay_now_for_an_older_pending_registration_releases_the_seat_and_says_so(client, forum, settings, caplog):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = services.registration_create(forum=forum, registration_type=rtype, **person())
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 1
    settings.STRIPE_SECRET_KEY = ""  # the keys were removed since
    with caplog.at_level(logging.ERROR, logger="registration"):
        response = client.get(reverse("registration:pay", args=[registration.access_token]), follow=True)
    page = response.content.decode()
    assert "الدفع الإلكتروني غير مهيأ" in page
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 0
    assert 'data-testid="pay-link"' not in page
    assert "seat is released" in caplog.text


def test_settings_page_warns_organizers_and_not_when_configured(client, forum, settings):
    RegistrationTypeFactory(forum=forum, paid=True)
    client.force_login(TeamMemberFactory(forum=forum, role="owner").user)
    url = reverse("registration:settings", args=[forum.slug])
    assert 'data-testid="payments-warning"' not in client.get(url).content.decode()
    settings.STRIPE_SECRET_KEY = ""
    page = client.get("/en" + url).content.decode()
    assert 'data-testid="payments-warning"' in page and "STRIPE_SECRET_KEY" in page
