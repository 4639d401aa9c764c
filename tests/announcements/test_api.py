"""The messages API: owners and editors write, preview, test and send; others are refused."""

import pytest

from announcements.models import Announcement
from tests.registration.badges.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

DATA = {"subject_ar": "تذكير", "body_ar": "مرحبا {name}", "segment": "confirmed"}


def test_owner_writes_previews_and_sends(client_for, forum, owner, mailoutbox, django_capture_on_commit_callbacks):
    person = RegistrationFactory(forum=forum, honorific="doctor")
    api = client_for(owner)
    base = f"/api/v1/forums/{forum.slug}/announcements/"
    created = api.post(base, DATA, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    preview = api.get(f"{base}{pk}/preview/").json()
    assert preview["to"] == person.email and f"مرحبا الدكتور {person.full_name_ar}" in preview["text"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"{base}{pk}/send/", {}, format="json")
    assert sent.status_code == 200 and [m.to for m in mailoutbox] == [[person.email]]
    history = api.get(f"{base}{pk}/recipients/").json()["results"]
    assert [(r["email"], r["status"]) for r in history] == [(person.email, "sent")]


def test_unknown_placeholder_is_a_400_with_the_field(client_for, forum, editor):
    response = client_for(editor).post(f"/api/v1/forums/{forum.slug}/announcements/",
                                       {**DATA, "subject_ar": "أهلا {اسم}"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_placeholder"
    assert "subject_ar" in response.json()


def test_empty_segment_send_is_a_400(client_for, forum, editor):
    announcement = Announcement.objects.create(forum=forum, subject_ar="س", body_ar="ن", segment="checked_in")
    response = client_for(editor).post(f"/api/v1/forums/{forum.slug}/announcements/{announcement.pk}/send/", {},
                                       format="json")
    assert response.status_code == 400 and response.json()["code"] == "empty_segment"


@pytest.mark.parametrize("role", ["viewer", "checkin_staff", "outsider"])
def test_others_may_not_read_or_send(client_for, forum, role, request, mailoutbox):
    RegistrationFactory(forum=forum)
    announcement = Announcement.objects.create(forum=forum, subject_ar="س", body_ar="ن")
    api = client_for(request.getfixturevalue(role))
    base = f"/api/v1/forums/{forum.slug}/announcements/"
    assert api.get(base).status_code == 403
    assert api.post(f"{base}{announcement.pk}/send/", {}, format="json").status_code == 403
    assert mailoutbox == []
