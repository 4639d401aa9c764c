"""One product sign-in page (password, e-mail link, password reset) that every staff page sends to."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forum.mailing.models import OutgoingMessage
from tests.factories import ForumFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link(message: OutgoingMessage) -> str:
    return re.search(r"http://[^\s]+", message.text_body).group(0).replace("http://127.0.0.1:8000", "")


@pytest.mark.parametrize("path", [
    "/organize/{slug}/builder/", "/portal/manage/{slug}/", "/registration/badges/{slug}/scanner/",
    "/registration/{slug}/manage/", "/organize/{slug}/outbox/", "/accounts/team/{slug}/", "/portal/",
])
def test_every_staff_page_sends_an_anonymous_visitor_to_the_one_sign_in_page(path):
    forum = ForumFactory()
    response = Client().get(path.format(slug=forum.slug))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in") + "?next=")


def test_sign_in_page_is_bilingual_with_password_link_and_reset():
    arabic = Client().get("/accounts/sign-in/").content.decode()
    english = Client().get("/en/accounts/sign-in/").content.decode()
    assert 'dir="rtl"' in arabic and "تسجيل الدخول" in arabic
    assert "Sign in" in english and "Forgot your password?" in english and "Send me a sign-in link" in english


def test_checkin_staff_sign_in_with_password_and_land_on_the_scanner():
    forum = ForumFactory()
    staff = TeamMemberFactory(forum=forum, role="checkin", user__username="gate1").user
    response = Client().post("/accounts/sign-in/", {"username": "gate1", "password": "pass-Word-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:badges:scanner", kwargs={"forum_slug": forum.slug})
    by_email = Client().post("/accounts/sign-in/", {"username": staff.email.upper(), "password": "pass-Word-123"})
    assert by_email.status_code == 302


def test_sign_in_follows_next_and_refuses_wrong_password():
    forum = ForumFactory()
    TeamMemberFactory(forum=forum, role="owner", user__username="boss")
    client = Client()
    wrong = client.post("/en/accounts/sign-in/", {"username": "boss", "password": "nope"})
    assert wrong.status_code == 200 and "correct" in wrong.content.decode()
    target = f"/organize/{forum.slug}/builder/"
    right = client.post("/accounts/sign-in/", {"username": "boss", "password": "pass-Word-123", "next": target})
    assert right["Location"] == target
    assert client.get(target).status_code == 200
    evil = Client().post("/accounts/sign-in/", {"username": "boss", "password": "pass-Word-123",
                                                "next": "https://evil.example/"})
    assert "evil" not in evil["Location"]


def test_email_link_signs_in_once_and_says_the_same_for_unknown_addresses():
    forum = ForumFactory()
    user = TeamMemberFactory(forum=forum, role="editor").user
    client = Client()
    assert client.post("/accounts/sign-in/link/", {"email": "nobody@example.org"}).status_code == 302
    assert not OutgoingMessage.objects.exists()
    client.post("/accounts/sign-in/link/", {"email": user.email})
    message = OutgoingMessage.objects.get(kind="accounts.sign_in_link")
    assert message.to == user.email and message.forum is None  # never in a forum's outbox
    link = _link(message)
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    again = Client().get(link)
    assert again.status_code == 403  # used once: the sign-in changed the account's state


def test_password_reset_goes_through_the_outbox_and_sets_a_new_password():
    user = UserFactory(username="forgetful")
    client = Client()
    assert client.post("/accounts/password-reset/", {"email": user.email}).status_code == 302
    message = OutgoingMessage.objects.get(kind="accounts.password_reset")
    assert message.to == user.email and message.forum is None
    page = client.get(_link(message), follow=True)
    assert page.status_code == 200
    set_url = page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a-New-pass-4477", "new_password2": "a-New-pass-4477"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-New-pass-4477")


def test_signing_out_goes_back_to_the_sign_in_page():
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/accounts/sign-out/")
    assert response["Location"] == reverse("accounts:sign_in")
