"""The admin writes through the services: a bad call is refused, nothing is saved."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone, translation

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


def _messages(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]] if response.context else []


def test_admin_refused_call_shows_only_the_error_beside_its_field(client):
    forum = ForumFactory()
    client.force_login(_staff_editor(forum))
    today = timezone.localdate().isoformat()
    response = client.post(reverse("admin:calls_call_add"), _call_form(
        forum, closes_at_0=today, closes_at_1="00:00:00", opens_at_1="10:00:00"))
    assert response.status_code == 200  # the form again, not a redirect after "added"
    form = response.context["adminform"].form
    assert form.errors and not Call.objects.exists()
    assert not [m for m in _messages(response) if m[0] == "success"]


def test_admin_refused_type_shows_the_services_field_error(client):
    from tests.calls.factories import CallFactory, SubmissionTypeFactory

    call = CallFactory()
    SubmissionTypeFactory(call=call, name_ar="ورقة")
    client.force_login(_staff_editor(call.forum))
    response = client.post(reverse("admin:calls_submissiontype_add"), {
        "call": call.pk, "kind": "paper", "name_ar": "ورقة", "name_en": "", "abstract_min_words": 0,
        "abstract_max_words": 200, "order": 0})
    assert response.status_code == 200
    with translation.override("ar"):
        expected = translation.gettext("A type with this name exists.")
    assert response.context["adminform"].form.errors["name_ar"] == [expected]
    assert SubmissionType.objects.filter(call=call).count() == 1
    assert not [m for m in _messages(response) if m[0] == "success"]


def test_admin_refusal_at_save_shows_no_added_message(client, monkeypatch):
    """The form's check passed, then the service refused at the save (another change in between)."""
    from calls import services
    from forum.errors import DomainError

    forum = ForumFactory()
    client.force_login(_staff_editor(forum))
    real, attempts = services.call_save, []

    def refuse_the_second_time(**kwargs):
        attempts.append(kwargs)
        if len(attempts) > 1:
            raise DomainError("Refused by the service.", field="closes_at")
        return real(**kwargs)

    monkeypatch.setattr(services, "call_save", refuse_the_second_time)
    response = client.post(reverse("admin:calls_call_add"), _call_form(forum), follow=True)
    assert len(attempts) == 2
    assert _messages(response) == [("error", "Refused by the service.")]
    assert not Call.objects.exists() and not LogEntry.objects.exists()
