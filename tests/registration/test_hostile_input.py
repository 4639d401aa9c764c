"""Hostile input on the public registration: a clear 4xx (or a form error in the page's language), never a 500.

Run on PostgreSQL too (CI), where a value longer than its column is a database error:
an e-mail of 255-320 characters is valid by the RFC but the column holds 254.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from registration.models import EMAIL_MAX_LENGTH, Registration, RegistrationSettings, WaitlistEntry
from tests.registration.factories import RegistrationTypeFactory

pytestmark = pytest.mark.django_db


def long_email(length: int) -> str:
    """A syntactically valid address of exactly `length` characters: 64-character local part,
    domain labels of at most 63 characters, ".org" at the end."""
    remaining = length - len("l" * 64 + "@") - len(".org")
    count = -(-(remaining + 1) // 64)  # labels needed, each with its dot but the first
    letters = remaining - (count - 1)
    labels = ["d" * (letters // count + (1 if i < letters % count else 0)) for i in range(count)]
    return "l" * 64 + "@" + ".".join(labels) + ".org"


@pytest.fixture
def rtype(forum):
    return RegistrationTypeFactory(forum=forum)


@pytest.fixture
def full_rtype(forum):
    RegistrationSettings.objects.update_or_create(forum=forum, defaults={"waitlist_enabled": True})
    return RegistrationTypeFactory(forum=forum, capacity=0)


LENGTHS = [255, 300, 320]


def test_long_email_helper_makes_valid_addresses_of_the_length():
    from django.core.validators import validate_email

    for length in [*LENGTHS, 254]:
        address = long_email(length)
        assert len(address) == length
        validate_email(address)


@pytest.mark.parametrize("length", LENGTHS)
def test_api_registration_with_email_longer_than_the_column_is_a_field_error(api_client, forum, rtype, length):
    response = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/", {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": long_email(length)}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not Registration.objects.exists()


def test_api_registration_with_email_as_long_as_the_column_is_accepted(api_client, forum, rtype):
    response = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/", {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": long_email(EMAIL_MAX_LENGTH)}, format="json")
    assert response.status_code == 201
    assert Registration.objects.get().email == long_email(EMAIL_MAX_LENGTH)


@pytest.mark.parametrize("length", LENGTHS)
def test_api_waitlist_with_email_longer_than_the_column_is_a_field_error(api_client, forum, full_rtype, length):
    response = api_client.post(f"/api/v1/forums/{forum.slug}/waitlist/", {
        "registration_type": full_rtype.pk, "full_name_ar": "خالد", "email": long_email(length)}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize("length", LENGTHS)
def test_registration_page_with_email_longer_than_the_column_is_a_form_error(client, forum, rtype, length):
    response = client.post(f"/registration/{forum.slug}/", {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": long_email(length)})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert "254" in response.context["form"].errors["email"][0]  # in Arabic, naming the limit
    assert not Registration.objects.exists()


@pytest.mark.parametrize("length", LENGTHS)
def test_waitlist_page_with_email_longer_than_the_column_is_a_form_error(client, forum, full_rtype, length):
    response = client.post(f"/en/registration/{forum.slug}/waitlist/", {
        "registration_type": full_rtype.pk, "full_name_ar": "خالد", "email": long_email(length)})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("E-mail:") and "254" in m for m in shown), shown
    assert not WaitlistEntry.objects.exists()


def nested_arrays(size: int = 200_000) -> bytes:
    depth = size // 2
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("path", ["/api/v1/forums/{slug}/registrations/", "/api/v1/forums/{slug}/waitlist/"])
def test_deeply_nested_json_on_the_public_api_is_a_400(forum, rtype, path):
    body = nested_arrays()
    assert len(body) >= 200_000
    response = Client(raise_request_exception=False).generic("POST", path.format(slug=forum.slug), body,
                                                             content_type="application/json",
                                                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert not Registration.objects.exists()


def test_deeply_nested_json_inside_a_field_is_a_400(forum, rtype):
    inner = nested_arrays(190_000).decode()
    body = f'{{"registration_type": {rtype.pk}, "full_name_ar": "خالد", "email": "k@example.org", "answers": {inner}}}'
    response = Client(raise_request_exception=False).generic(
        "POST", f"/api/v1/forums/{forum.slug}/registrations/", body.encode(), content_type="application/json")
    assert response.status_code == 400
    assert not Registration.objects.exists()
