"""A form post that declares another charset (e.g. iso-8859-1) with non-ASCII bytes: read in that charset, no 500."""

import pytest
from django.test import Client

from registration.models import Registration
from tests.registration.factories import RegistrationTypeFactory

pytestmark = pytest.mark.django_db

LATIN1_FORM = "application/x-www-form-urlencoded; charset=iso-8859-1"


def form_body(token: str, **fields) -> str:
    return "&".join([f"csrfmiddlewaretoken={token}", *(f"{k}={v}" for k, v in fields.items())])


@pytest.fixture
def rtype(forum):
    return RegistrationTypeFactory(forum=forum)


@pytest.fixture
def browser_client(forum, rtype):
    """A browser-like visitor: CSRF is enforced, the token comes from the registration page."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(f"/registration/{forum.slug}/")
    return client, client.cookies["csrftoken"].value


def test_registration_form_in_latin1_is_read_in_latin1(forum, rtype, browser_client):
    client, token = browser_client
    body = form_body(token, registration_type=rtype.pk, full_name_ar="Zoë Müller", full_name_en="Zoë Müller",
                     email="zoe@example.org").encode("iso-8859-1")
    assert b"\xeb" in body  # raw non-ASCII bytes, not percent-escapes

    response = client.generic("POST", f"/registration/{forum.slug}/", body, content_type=LATIN1_FORM)

    assert response.status_code == 302, response.content[:300]
    registration = Registration.objects.get(forum=forum)
    assert registration.full_name_en == "Zoë Müller"


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1256", "utf-16", "no-such-charset", "UTF8"])
@pytest.mark.parametrize("path", ["/registration/{slug}/", "/en/registration/{slug}/", "/registration/{slug}/waitlist/",
                                  "/i18n/setlang/", "/admin/login/", "/portal/"])
def test_form_posts_in_any_declared_charset_never_answer_500(forum, browser_client, charset, path):
    client, token = browser_client
    body = form_body(token, full_name_ar="\xe9\xe8\xff", email="a@example.org").encode("latin-1") + b"&x=\x81\xfe"
    response = client.generic("POST", path.format(slug=forum.slug), body,
                              content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code < 500


def test_too_many_fields_in_another_charset_is_a_400(forum, browser_client, settings):
    client, token = browser_client
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = form_body(token, **{f"f{i}": "\xe9" for i in range(20)}).encode("latin-1")
    response = client.generic("POST", f"/registration/{forum.slug}/", body, content_type=LATIN1_FORM)
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_api_form_post_in_latin1_is_read_in_latin1(forum, rtype):
    body = f"registration_type={rtype.pk}&full_name_ar=Zoë&email=zoe@example.org".encode("iso-8859-1")
    response = Client().generic("POST", f"/api/v1/forums/{forum.slug}/registrations/", body,
                                content_type=LATIN1_FORM)
    assert response.status_code == 201
    assert Registration.objects.get(forum=forum).full_name_ar == "Zoë"
