"""The outbox API: owners and editors see their forum's e-mail and resend failures; nobody else."""

import pytest
from django.utils import timezone

from forum.mailing.models import OutgoingMessage
from forum.mailing.services import message_enqueue
from forum.models import TeamMember
from tests.factories import ForumFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def failed_message(forum, to="guest@example.org"):
    message = message_enqueue(to=to, subject="s", text_body="t", forum=forum, kind="registration_confirmed")
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=OutgoingMessage.Status.GAVE_UP, attempts=8, last_error="SMTPServerDisconnected: down"
    )
    return message


def url(forum, suffix=""):
    return f"/api/v1/forums/{forum.slug}/outbox/{suffix}"


def test_outbox_owner_lists_failures_and_resends(forum, owner, client_for, smtp_server,
                                                 django_capture_on_commit_callbacks):
    message = failed_message(forum)
    other_forum_message = failed_message(ForumFactory(), to="elsewhere@example.org")
    api = client_for(owner)
    response = api.get(url(forum), {"status": "gave_up"})
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [message.pk]
    assert response.data["results"][0]["last_error"].startswith("SMTPServerDisconnected")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(forum, f"{message.pk}/resend/"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert len(smtp_server.messages) == 1
    # Another forum's message is not reachable through this forum.
    assert api.post(url(forum, f"{other_forum_message.pk}/resend/")).status_code == 404


def test_outbox_editor_may_resend(forum, editor, client_for):
    message = failed_message(forum)
    response = client_for(editor).post(url(forum, f"{message.pk}/resend/"))
    assert response.status_code == 200
    assert response.data["status"] in ("queued", "sent", "failed")


@pytest.mark.parametrize("role", [TeamMember.Role.VIEWER, TeamMember.Role.CHECKIN])
def test_outbox_other_team_roles_refused(forum, client_for, role):
    message = failed_message(forum)
    user = TeamMemberFactory(forum=forum, role=role).user
    assert client_for(user).get(url(forum)).status_code == 403
    assert client_for(user).post(url(forum, f"{message.pk}/resend/")).status_code == 403
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.GAVE_UP


def test_outbox_outsider_refused(forum, outsider, client_for, api_client):
    message = failed_message(forum)
    assert client_for(outsider).get(url(forum)).status_code == 403
    assert client_for(outsider).post(url(forum, f"{message.pk}/resend/")).status_code == 403
    assert api_client.get(url(forum)).status_code in (401, 403)
    draft = ForumFactory(status="draft")
    assert client_for(outsider).get(url(draft)).status_code == 404
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.GAVE_UP


def test_outbox_resend_while_sending_is_409_or_400(forum, owner, client_for):
    message = failed_message(forum)
    OutgoingMessage.objects.filter(pk=message.pk).update(status=OutgoingMessage.Status.SENDING,
                                                        sending_since=timezone.now())
    response = client_for(owner).post(url(forum, f"{message.pk}/resend/"))
    assert response.status_code == 400
    assert "status" in response.data


def test_outbox_list_query_count_is_constant(forum, owner, client_for, django_assert_max_num_queries):
    for n in range(12):
        failed_message(forum, to=f"g{n}@example.org")
    with django_assert_max_num_queries(8):
        response = client_for(owner).get(url(forum))
    assert response.data["count"] == 12


def test_admin_resend_action_for_editor_only(forum, editor, client, django_capture_on_commit_callbacks):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from forum.mailing.admin import OutgoingMessageAdmin

    message = failed_message(forum)
    foreign = failed_message(ForumFactory(), to="x@example.org")
    request = RequestFactory().post("/admin/")
    request.user = editor
    admin = OutgoingMessageAdmin(OutgoingMessage, site)
    admin.message_user = lambda *args, **kwargs: None
    admin.resend(request, OutgoingMessage.objects.filter(pk__in=[message.pk, foreign.pk]))
    message.refresh_from_db()
    foreign.refresh_from_db()
    assert message.status in (OutgoingMessage.Status.QUEUED, OutgoingMessage.Status.SENT,
                              OutgoingMessage.Status.FAILED)
    assert message.attempts <= 1
    assert foreign.status == OutgoingMessage.Status.GAVE_UP
    # The changelist shows the forum's messages only.
    assert list(admin.get_queryset(request)) == [message]


def test_admin_changelist_hides_messages_from_viewers(forum, viewer):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from forum.mailing.admin import OutgoingMessageAdmin

    failed_message(forum)
    request = RequestFactory().get("/admin/")
    request.user = viewer
    assert list(OutgoingMessageAdmin(OutgoingMessage, site).get_queryset(request)) == []
