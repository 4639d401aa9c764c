"""Owners invite team members by e-mail with a role; the invitee sets a password and lands on
what the role allows. No superuser is involved."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import TeamInvitation
from forum.errors import DomainError, PermissionDenied
from forum.mailing.models import OutgoingMessage
from forum.models import TeamMember
from tests.factories import ForumFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invitation_link(email: str) -> str:
    message = OutgoingMessage.objects.filter(kind="accounts.team_invitation", to=email).latest("id")
    return re.search(r"http://[^\s]+", message.text_body).group(0).replace("http://127.0.0.1:8000", "")


@pytest.fixture
def team(forum):
    return {"owner": TeamMemberFactory(forum=forum, role="owner").user,
            "editor": TeamMemberFactory(forum=forum, role="editor").user}


def test_owner_invites_checkin_staff_who_sets_a_password_and_lands_on_the_scanner(forum, team):
    client = Client()
    client.force_login(team["owner"])
    sent = client.post(f"/accounts/team/{forum.slug}/", {"email": "Gate@Example.org", "role": "checkin"})
    assert sent.status_code == 302
    invitation = TeamInvitation.objects.get()
    assert invitation.email == "gate@example.org" and invitation.role == "checkin"
    message = OutgoingMessage.objects.get(kind="accounts.team_invitation")
    assert message.forum is None  # the link never shows in the forum's outbox
    newcomer = Client()
    page = newcomer.get(_invitation_link("gate@example.org"))
    assert page.status_code == 200
    short = newcomer.post(_invitation_link("gate@example.org"), {"password1": "123", "password2": "123"})
    assert short.status_code == 400 and not TeamMember.objects.filter(forum=forum, role="checkin").exists()
    joined = newcomer.post(_invitation_link("gate@example.org"),
                           {"password1": "gate-Pass-2026", "password2": "gate-Pass-2026"})
    assert joined["Location"] == reverse("registration:badges:scanner", kwargs={"forum_slug": forum.slug})
    member = TeamMember.objects.get(forum=forum, role="checkin")
    assert member.user.email == "gate@example.org" and member.user.check_password("gate-Pass-2026")
    assert not member.user.is_staff and not member.user.is_superuser
    assert newcomer.get(joined["Location"]).status_code == 200
    assert Client().get(_invitation_link("gate@example.org")).status_code == 403  # used


def test_only_owners_invite_and_outsiders_do_not_see_the_team(forum, team, client):
    client.force_login(team["editor"])
    assert client.get(f"/accounts/team/{forum.slug}/").status_code == 200
    assert client.post(f"/accounts/team/{forum.slug}/", {"email": "x@example.org", "role": "owner"}).status_code == 403
    client.force_login(UserFactory())
    assert client.get(f"/accounts/team/{forum.slug}/").status_code == 404
    assert client.post(f"/accounts/team/{forum.slug}/", {"email": "x@example.org", "role": "owner"}).status_code == 404
    owner_b = TeamMemberFactory(forum=ForumFactory(), role="owner").user
    client.force_login(owner_b)
    member = TeamMember.objects.get(user=team["editor"])
    response = client.post(f"/accounts/team/{forum.slug}/members/{member.pk}/", {"role": "owner"})
    assert response.status_code == 404
    assert not TeamInvitation.objects.exists()
    assert TeamMember.objects.get(pk=member.pk).role == "editor"
    with pytest.raises(PermissionDenied):
        services.team_invitation_create(forum=forum, email="x@example.org", role="owner", invited_by=owner_b)


def test_inviting_again_withdraws_the_pending_invitation(forum, team):
    first = services.team_invitation_create(forum=forum, email="a@example.org", role="viewer",
                                            invited_by=team["owner"])
    second = services.team_invitation_create(forum=forum, email="A@example.org", role="checkin",
                                             invited_by=team["owner"])
    first.refresh_from_db()
    assert first.status == "withdrawn" and second.status == "pending"
    with pytest.raises(PermissionDenied):
        services.team_invitation_for_token(first.token)


def test_existing_account_signs_in_with_its_password_to_accept(forum, team):
    existing = UserFactory(email="known@example.org")
    invitation = services.team_invitation_create(forum=forum, email="known@example.org", role="editor",
                                                 invited_by=team["owner"])
    anonymous = Client()
    page = anonymous.get(f"/accounts/invitation/{invitation.token}/")
    assert page.status_code == 200 and reverse("accounts:sign_in") in page.content.decode()
    take_over = anonymous.post(f"/accounts/invitation/{invitation.token}/",
                               {"password1": "stolen-Pass-99", "password2": "stolen-Pass-99"})
    assert take_over.status_code == 400
    existing.refresh_from_db()
    assert existing.check_password("pass-Word-123")  # the link never sets an existing account's password
    other = Client()
    other.force_login(UserFactory())
    assert other.post(f"/accounts/invitation/{invitation.token}/").status_code == 400
    assert not TeamMember.objects.filter(forum=forum, role="editor", user=existing).exists()
    own = Client()
    own.force_login(existing)
    assert own.post(f"/accounts/invitation/{invitation.token}/")["Location"] == reverse("accounts:home")
    assert TeamMember.objects.get(forum=forum, user=existing).role == "editor"


def test_already_a_member_is_a_field_error(forum, team):
    with pytest.raises(DomainError) as refused:
        services.team_invitation_create(forum=forum, email=team["editor"].email, role="owner",
                                        invited_by=team["owner"])
    assert "email" in refused.value.errors


def test_owner_changes_roles_but_the_last_owner_stays(forum, team, client):
    client.force_login(team["owner"])
    editor = TeamMember.objects.get(user=team["editor"])
    client.post(f"/accounts/team/{forum.slug}/members/{editor.pk}/", {"role": "viewer"})
    assert TeamMember.objects.get(pk=editor.pk).role == "viewer"
    me = TeamMember.objects.get(user=team["owner"])
    client.post(f"/accounts/team/{forum.slug}/members/{me.pk}/", {"action": "remove"})
    assert TeamMember.objects.filter(pk=me.pk, role="owner").exists()


def test_withdrawn_invitation_link_stops_working(forum, team, client):
    invitation = services.team_invitation_create(forum=forum, email="w@example.org", role="viewer",
                                                 invited_by=team["owner"])
    client.force_login(team["owner"])
    client.post(f"/accounts/team/{forum.slug}/invitations/{invitation.pk}/withdraw/")
    assert Client().get(f"/accounts/invitation/{invitation.token}/").status_code == 403


def test_home_lists_the_tools_each_role_opens(forum, team, client):
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    client.force_login(viewer)
    page = client.get("/en/accounts/").content.decode()
    assert "Agenda builder" in page and "Outbox" not in page and "Check-in scanner" not in page
    client.force_login(team["owner"])
    page = client.get("/en/accounts/").content.decode()
    assert "Outbox" in page and "Check-in scanner" in page and "Team" in page
