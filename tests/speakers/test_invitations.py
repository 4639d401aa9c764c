import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from forum.errors import DomainError, PermissionDenied
from forum.mailing.models import OutgoingMessage
from sessions.models import SessionRole
from speakers import services
from speakers.models import Invitation, WorkingPaper
from tests.factories import PersonFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"http://[^\s]+/portal/invitation/([^\s/]+)/")


@pytest.fixture
def session(forum):
    return SessionFactory(forum=forum, title_ar="الجلسة الأولى: التحول الرقمي", title_en="First session")


def _invite(forum, session, person=None, **kwargs):
    person = person or PersonFactory(full_name_ar="طارق العمري", full_name_en="Tariq Alamri", honorific="engineer")
    return services.invitation_create(forum=forum, session=session, person=person, **kwargs)


def test_invitation_create_queues_arabic_first_email_with_personal_link(forum, session, owner):
    invitation = _invite(forum, session, invited_by=owner, paper_title_ar="التحول الرقمي في الأمانات")
    message = OutgoingMessage.objects.get(kind="speakers.invitation")
    assert message.to == invitation.person.email
    assert message.forum == forum
    body = message.text_body
    assert body.index("السلام عليكم") < body.index("Dear Eng. Tariq Alamri")  # Arabic first, English below
    assert "المهندس طارق العمري" in body
    assert "الجلسة الأولى: التحول الرقمي" in body and "First session" in body
    assert "هـ" in body  # the Hijri date
    tokens = LINK.findall(body)
    assert len(tokens) == 2 and tokens[0] == tokens[1] == invitation.token
    # The token itself is never stored, only its hash.
    assert invitation.token not in Invitation.objects.filter(pk=invitation.pk).values_list("token_hash", flat=True)[0]
    # Sent after commit (Celery eager, locmem backend).
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [invitation.person.email]
    assert invitation.token in mail.outbox[0].body


def test_invitation_create_makes_session_role_and_paper_for_a_speaker(forum, session):
    invitation = _invite(forum, session, paper_title_ar="ورقة الاختبار")
    assert invitation.session_role.role == SessionRole.Role.SPEAKER
    assert invitation.session_role.person == invitation.person
    assert invitation.paper.title_ar == "ورقة الاختبار"
    assert list(invitation.paper.speakers.all()) == [invitation.person]
    assert invitation.paper.session == session
    # The paper takes its place in the run of the session, so the agenda lists it.
    item = invitation.paper.session_item
    assert item.session == session and item.kind == "paper" and item.presenter == invitation.person


def test_invitation_uses_the_organizers_existing_item_for_the_presenter(forum, session):
    from sessions.models import SessionItem

    person = PersonFactory()
    item = SessionItem.objects.create(session=session, kind="paper", presenter=person, title_ar="ورقة", order=3)
    invitation = _invite(forum, session, person=person)
    assert invitation.paper.session_item == item
    assert SessionItem.objects.filter(session=session).count() == 1


def test_invitation_for_existing_session_role_points_to_it(forum, session):
    person = PersonFactory()
    role = SessionRole.objects.create(session=session, person=person, role=SessionRole.Role.CHAIR)
    invitation = _invite(forum, session, person=person, role=SessionRole.Role.CHAIR)
    assert invitation.session_role == role
    assert invitation.paper is None
    assert SessionRole.objects.filter(session=session, person=person).count() == 1


def test_invitation_link_signs_the_person_in_and_links_a_user(client, forum, session):
    invitation = _invite(forum, session)
    assert invitation.person.user is None
    response = client.get(reverse("speakers:invitation_open", kwargs={"token": invitation.token}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("speakers:portal"))
    assert response["Referrer-Policy"] == "no-referrer"
    invitation.person.refresh_from_db()
    user = invitation.person.user
    assert user is not None and not user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == user.pk
    page = client.get(reverse("speakers:portal"))
    assert page.status_code == 200
    assert "الجلسة الأولى: التحول الرقمي" in page.content.decode()


def test_invitation_link_expired_is_refused(client, forum, session):
    invitation = _invite(forum, session, valid_days=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("speakers:invitation_open", kwargs={"token": invitation.token}))
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert "link_expired" in response.content.decode()


def test_new_invitation_revokes_the_old_link(client, forum, session):
    person = PersonFactory()
    first = _invite(forum, session, person=person)
    second = _invite(forum, SessionFactory(forum=forum), person=person)
    old = client.get(reverse("speakers:invitation_open", kwargs={"token": first.token}))
    assert old.status_code == 403 and "link_revoked" in old.content.decode()
    new = client.get(reverse("speakers:invitation_open", kwargs={"token": second.token}))
    assert new.status_code == 302


def test_reinviting_the_same_part_withdraws_the_pending_invitation(forum, session):
    person = PersonFactory()
    first = _invite(forum, session, person=person)
    _invite(forum, session, person=person)
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert Invitation.objects.filter(person=person, status=Invitation.Status.PENDING).count() == 1
    assert WorkingPaper.objects.filter(speakers=person).count() == 1  # the same paper, not a second one


def test_revoked_invitation_link_refused(client, forum, session):
    invitation = _invite(forum, session)
    services.invitation_revoke(invitation=invitation)
    response = client.get(reverse("speakers:invitation_open", kwargs={"token": invitation.token}))
    assert response.status_code == 403


def test_tampered_or_foreign_token_refused(client, forum, session):
    invitation = _invite(forum, session)
    tampered = invitation.token[:-2] + ("AA" if not invitation.token.endswith("AA") else "BB")
    # Same payload signed for another purpose (another salt): not an invitation token.
    payload = signing.loads(invitation.token, salt=services.TOKEN_SALT)
    other_purpose = signing.dumps(payload, salt="registration.badge")
    for token in (tampered, other_purpose, "nonsense"):
        response = client.get(reverse("speakers:invitation_open", kwargs={"token": token}))
        assert response.status_code == 403
        assert "_auth_user_id" not in client.session


def test_invitation_token_is_single_purpose_not_an_api_token(api_client, forum, session):
    invitation = _invite(forum, session)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {invitation.token}")
    response = api_client.get(f"/api/v1/forums/{forum.slug}/papers/")
    assert response.status_code in (401, 403)
    with pytest.raises(PermissionDenied):
        # Nor is a signed value from another purpose accepted as an invitation.
        services.invitation_for_token(signing.dumps({"n": "x"}, salt="speakers.something-else"))


@pytest.mark.parametrize("kind", ["staff", "password", "organizer"])
def test_invitation_link_never_signs_in_an_account_with_a_password_or_a_team_role(client, forum, session, kind):
    from tests.factories import ForumFactory, TeamMemberFactory

    if kind == "staff":
        user = UserFactory(is_staff=True)
    elif kind == "password":
        user = UserFactory()  # the factory sets a password
    else:
        user = UserFactory()
        user.set_unusable_password()
        user.save()
        TeamMemberFactory(forum=ForumFactory(), user=user, role="owner")  # an organizer of another forum
    invitation = _invite(forum, session, person=PersonFactory(user=user))
    response = client.get(reverse("speakers:invitation_open", kwargs={"token": invitation.token}))
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_invitation_link_signs_in_again_the_portal_account_it_created(client, forum, session):
    invitation = _invite(forum, session)
    url = reverse("speakers:invitation_open", kwargs={"token": invitation.token})
    assert client.get(url).status_code == 302
    client.logout()
    assert client.get(url).status_code == 302
    invitation.person.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == invitation.person.user_id


def test_accept_and_decline_only_by_the_invited_person(client, forum, session):
    invitation = _invite(forum, session)
    other = _invite(forum, SessionFactory(forum=forum))
    client.get(reverse("speakers:invitation_open", kwargs={"token": invitation.token}))
    response = client.post(reverse("speakers:invitation_respond", args=[invitation.pk]), {"answer": "accept"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.responded_at
    # Someone else's invitation: not found for this person.
    response = client.post(reverse("speakers:invitation_respond", args=[other.pk]), {"answer": "decline"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Invitation.Status.PENDING


def test_invitation_refused_for_session_of_another_forum_and_person_without_email(forum, session):
    from forum.errors import DomainError
    from tests.factories import ForumFactory

    with pytest.raises(DomainError) as exc:
        services.invitation_create(forum=ForumFactory(), session=session, person=PersonFactory())
    assert "session" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.invitation_create(forum=forum, session=session, person=PersonFactory(email=""))
    assert "person" in exc.value.errors


def test_api_my_invitations_reply_only_own(client_for, forum, session, outsider):
    mine = _invite(forum, session)
    theirs = _invite(forum, SessionFactory(forum=forum))
    user = UserFactory()
    mine.person.user = user
    mine.person.save()
    api = client_for(user)
    listed = api.get("/api/v1/my-invitations/").json()["results"]
    assert [i["id"] for i in listed] == [mine.pk]
    response = api.post(f"/api/v1/my-invitations/{mine.pk}/reply/", {"accept": False}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert api.post(f"/api/v1/my-invitations/{theirs.pk}/reply/", {"accept": True}, format="json").status_code == 404
    assert client_for(outsider).get("/api/v1/my-invitations/").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.status == Invitation.Status.PENDING


def test_invitation_email_english_part_has_hijri_date_and_english_link(forum, session, owner):
    _invite(forum, session, invited_by=owner)
    body = OutgoingMessage.objects.get(kind="speakers.invitation").text_body
    arabic, english = body.split("— English —")
    assert " AH — " in english and "هـ" not in english
    assert "/en/portal/invitation/" in english and "/en/" not in arabic
    assert "هـ الموافق" in arabic and "-" not in arabic.split("صالح حتى")[1].split("\n")[0]


def test_api_reinviting_the_same_part_while_pending_withdraws_the_old_one(client_for, forum, session, owner):
    person = PersonFactory(created_by_forum=forum)
    url = f"/api/v1/forums/{forum.slug}/invitations/"
    payload = {"session": session.pk, "person": person.pk, "role": "speaker"}
    first = client_for(owner).post(url, payload, format="json")
    assert first.status_code == 201, first.content
    again = client_for(owner).post(url, payload, format="json")
    assert again.status_code == 201, again.content  # not 400 "must make a unique set"
    assert Invitation.objects.get(pk=first.json()["id"]).status == Invitation.Status.REVOKED
    assert Invitation.objects.get(pk=again.json()["id"]).status == Invitation.Status.PENDING
    assert OutgoingMessage.objects.filter(kind="speakers.invitation", to=person.email).count() == 2
    outsider = client_for(UserFactory())
    assert outsider.post(url, payload, format="json").status_code in (403, 404)
    assert Invitation.objects.filter(person=person, status=Invitation.Status.PENDING).count() == 1


def test_invitation_attaches_to_the_speakers_paper_linked_through_its_slot(client, forum, session, owner):
    """A paper tied to the session only through its item (as the demo and organizers make them) is reused."""
    from sessions.models import SessionItem

    person = PersonFactory(full_name_ar="وائل حلواني")
    item = SessionItem.objects.create(session=session, kind="paper", presenter=person, title_ar="الجودة", order=1)
    paper = WorkingPaper.objects.create(forum=forum, title_ar="الجودة", session_item=item)
    paper.speakers.add(person)

    invitation = _invite(forum, session, person=person, paper_title_ar="الجودة")

    assert invitation.paper == paper
    assert WorkingPaper.objects.filter(speakers=person).count() == 1
    assert SessionItem.objects.filter(session=session).count() == 1
    paper.refresh_from_db()
    assert paper.session == session


def test_dashboard_paper_column_shows_papers_linked_through_their_slot(client, forum, session, owner):
    from sessions.models import SessionItem

    person = PersonFactory(full_name_ar="وائل حلواني")
    SessionRole.objects.create(session=session, person=person, role=SessionRole.Role.SPEAKER)
    item = SessionItem.objects.create(session=session, kind="paper", presenter=person, title_ar="الجودة", order=1)
    WorkingPaper.objects.create(forum=forum, title_ar="ورقة الجودة الشاملة", session_item=item).speakers.add(person)
    client.force_login(owner)
    page = client.get(reverse("speakers:manage", args=[forum.slug])).content.decode()
    row = re.search(r'data-testid="part-row">.*?</tr>', page, re.S).group(0)
    assert "وائل حلواني" in row and "ورقة الجودة الشاملة" in row


def test_invitation_to_a_past_forum_refused_with_the_reason_and_no_mail(forum, session):
    forum.open_after_last_day = False  # the factory's forum lies in 2018 and counts as reopened by default
    forum.save()
    with pytest.raises(DomainError) as exc:
        _invite(forum, session, paper_title_ar="ورقة")
    assert exc.value.code == "forum_ended" and exc.value.errors == {"session": ["انتهى هذا الملتقى."]}
    assert not Invitation.objects.exists() and not WorkingPaper.objects.exists()
    assert not OutgoingMessage.objects.exists() and not mail.outbox


def test_invitation_to_a_reopened_past_forum_goes_out(forum, session):
    assert forum.has_ended and forum.open_after_last_day
    assert _invite(forum, session).pk
