"""The admin writes through the services: a bad call is refused, nothing is saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, SubmissionType
from tests.factories import ForumFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def _staff_editor(forum):
    user = TeamMemberFactory(forum=forum, role="editor").user
    user.is_staff = True
    user.save()
    return user


def _call_form(forum, **extra):
    now = timezone.localtime(timezone.now())
    data = {"forum": forum.pk, "title_ar": "دعوة", "title_en": "", "rules_ar": "", "rules_en": "",
            "opens_at_0": now.date().isoformat(), "opens_at_1": "00:00:00",
            "closes_at_0": (now + timedelta(days=30)).date().isoformat(), "closes_at_1": "23:59:59",
            "blind_review": "on", "reviewers_per_submission": 2, "confirm_by_0": "", "confirm_by_1": ""}
    data.update(extra)
    return data


def test_editor_creates_call_and_type_in_admin(client):
    forum = ForumFactory()
    client.force_login(_staff_editor(forum))
    response = client.post(reverse("admin:calls_call_add"), _call_form(forum))
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(forum=forum)
    response = client.post(reverse("admin:calls_submissiontype_add"), {
        "call": call.pk, "kind": "paper", "name_ar": "ورقة", "name_en": "", "abstract_min_words": 0,
        "abstract_max_words": 200, "order": 0})
    assert response.status_code == 302 and SubmissionType.objects.get(call=call).abstract_max_words == 200


def test_admin_call_closing_before_opening_is_refused(client):
    forum = ForumFactory()
    client.force_login(_staff_editor(forum))
    today = timezone.localdate().isoformat()
    client.post(reverse("admin:calls_call_add"), _call_form(forum, closes_at_0=today, closes_at_1="00:00:00",
                                                            opens_at_1="10:00:00"))
    assert not Call.objects.exists()


def test_admin_submissions_hidden_from_other_teams(client):
    forum, other = ForumFactory(), ForumFactory()
    client.force_login(_staff_editor(other))
    from tests.calls.factories import SubmissionFactory

    sub = SubmissionFactory(call__forum=forum)
    assert client.get(reverse("admin:calls_submission_change", args=[sub.pk])).status_code in (302, 403, 404)
