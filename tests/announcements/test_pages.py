"""The messages pages: owners and editors only; rules shown as form errors."""

import pytest
from django.utils import translation

from announcements.models import Announcement
from tests.factories import ForumFactory
from tests.registration.badges.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

FORM = {"subject_ar": "تذكير", "body_ar": "مرحبا {name}", "segment": "confirmed"}


def test_editor_writes_previews_and_sends(client, forum, editor, mailoutbox, django_capture_on_commit_callbacks):
    person = RegistrationFactory(forum=forum, honorific="doctor")
    client.force_login(editor)
    created = client.post(f"/messages/{forum.slug}/", FORM)
    announcement = Announcement.objects.get()
    assert created.status_code == 302
    page = client.get(f"/messages/{forum.slug}/{announcement.pk}/?to={person.email}").content.decode()
    assert f"مرحبا الدكتور {person.full_name_ar}" in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/messages/{forum.slug}/{announcement.pk}/", {"action": "send"})
    assert sent.status_code == 302 and [m.to for m in mailoutbox] == [[person.email]]
    history = client.get(f"/messages/{forum.slug}/{announcement.pk}/").content.decode()
    assert person.email in history and 'data-testid="history"' in history


def test_unknown_placeholder_is_a_form_error(client, forum, owner):
    client.force_login(owner)
    with translation.override("en"):
        page = client.post(f"/en/messages/{forum.slug}/", {**FORM, "body_ar": "مرحبا {الاسم}"})
    assert page.status_code == 400 and b"Unknown placeholder {\xd8\xa7\xd9\x84\xd8\xa7\xd8\xb3\xd9\x85}" in page.content
    assert not Announcement.objects.exists()


def test_empty_segment_is_a_clear_message_on_the_page(client, forum, owner):
    client.force_login(owner)
    client.post(f"/messages/{forum.slug}/", {**FORM, "segment": "waitlist", "body_ar": "مرحبا {name}"})
    announcement = Announcement.objects.get()
    with translation.override("en"):
        page = client.post(f"/en/messages/{forum.slug}/{announcement.pk}/", {"action": "send"})
    assert page.status_code == 400 and b"Nobody is in this segment" in page.content
    announcement.refresh_from_db()
    assert announcement.status == "draft"


@pytest.mark.parametrize("role", ["viewer", "checkin_staff", "outsider"])
def test_only_owners_and_editors_write_to_attendees(client, forum, role, request, mailoutbox):
    RegistrationFactory(forum=forum)
    announcement = Announcement.objects.create(forum=forum, subject_ar="س", body_ar="ن")
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/messages/{forum.slug}/").status_code == 403
    assert client.post(f"/messages/{forum.slug}/", FORM).status_code == 403
    assert client.post(f"/messages/{forum.slug}/{announcement.pk}/", {"action": "send"}).status_code == 403
    announcement.refresh_from_db()
    assert announcement.status == "draft" and mailoutbox == [] and Announcement.objects.count() == 1


def test_draft_forum_is_not_even_confirmed_to_outsiders(client, outsider):
    draft = ForumFactory(status="draft")
    client.force_login(outsider)
    assert client.get(f"/messages/{draft.slug}/").status_code == 404


def test_another_forums_message_under_own_forum_is_404(client, forum, owner):
    other = Announcement.objects.create(forum=ForumFactory(), subject_ar="س", body_ar="ن")
    client.force_login(owner)
    assert client.get(f"/messages/{forum.slug}/{other.pk}/").status_code == 404
