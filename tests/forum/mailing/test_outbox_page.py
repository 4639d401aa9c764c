"""Organizers read their forum's outbox in the product, with "resend"; personal links stay hidden."""

import pytest
from django.test import Client

from forum.mailing.models import OutgoingMessage
from forum.mailing.services import message_enqueue
from tests.factories import ForumFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "http://127.0.0.1:8000/portal/invitation/eyJuIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoifQ:1tX:abc/"


@pytest.fixture
def message(forum):
    sent = message_enqueue(to="guest@example.org", subject="تأكيد التسجيل", forum=forum,
                           text_body=f"مرحبًا بكم\nرابطكم الشخصي: {SECRET}\nhttp://127.0.0.1:8000/forums/x/")
    OutgoingMessage.objects.filter(pk=sent.pk).update(status=OutgoingMessage.Status.GAVE_UP, attempts=5,
                                                      last_error="550 mailbox unavailable")
    return OutgoingMessage.objects.get(pk=sent.pk)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_editor_reads_each_message_and_resends_a_failed_one(forum, message):
    editor = TeamMemberFactory(forum=forum, role="editor").user
    client = _client(editor)
    listing = client.get(f"/en/organize/{forum.slug}/outbox/").content.decode()
    assert "guest@example.org" in listing and "تأكيد التسجيل" in listing and "Failed (gave up)" in listing
    page = client.get(f"/en/organize/{forum.slug}/outbox/{message.pk}/").content.decode()
    assert "مرحبًا بكم" in page and "550 mailbox unavailable" in page and ">5<" in page
    assert "eyJuIjoi" not in page  # the recipient's personal link is not for the organizers
    assert "/forums/x/" in page  # ordinary links stay
    response = client.post(f"/organize/{forum.slug}/outbox/{message.pk}/resend/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status in (OutgoingMessage.Status.QUEUED, OutgoingMessage.Status.SENT)
    assert message.attempts <= 1


@pytest.mark.parametrize("role", ["viewer", "checkin"])
def test_other_team_members_are_refused_and_outsiders_do_not_see_it(forum, message, role):
    member = TeamMemberFactory(forum=forum, role=role).user
    for user, status in ((member, 403), (UserFactory(), 404), (TeamMemberFactory(forum=ForumFactory(),
                                                                                  role="owner").user, 404)):
        client = _client(user)
        assert client.get(f"/organize/{forum.slug}/outbox/").status_code == status
        assert client.get(f"/organize/{forum.slug}/outbox/{message.pk}/").status_code == status
        assert client.post(f"/organize/{forum.slug}/outbox/{message.pk}/resend/").status_code == status
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.GAVE_UP and message.attempts == 5


def test_another_forums_message_under_own_url_is_not_found(forum, message):
    owner_b = TeamMemberFactory(forum=ForumFactory(), role="owner").user
    other = owner_b.forum_roles.get().forum
    assert _client(owner_b).get(f"/organize/{other.slug}/outbox/{message.pk}/").status_code == 404


def test_outbox_page_keeps_its_queries_as_messages_grow(forum, django_assert_max_num_queries):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    client = _client(owner)
    for n in range(3):
        message_enqueue(to=f"g{n}@example.org", subject="s", text_body="b", forum=forum)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/organize/{forum.slug}/outbox/")
    for n in range(40):
        message_enqueue(to=f"h{n}@example.org", subject="s", text_body="b", forum=forum)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/organize/{forum.slug}/outbox/")
