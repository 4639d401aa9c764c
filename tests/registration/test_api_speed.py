"""The public registration endpoint stays cheap: a handful of SQL statements, slow work after commit.

The throughput itself is measured by benchmarks/registration.py, not here.
"""

import pytest

from forum.mailing.models import OutgoingMessage
from registration import services
from registration.badges.models import Badge
from registration.models import Registration
from tests.factories import ForumFactory, TeamMemberFactory
from tests.registration.factories import QuestionFactory, RegistrationTypeFactory

pytestmark = pytest.mark.django_db


def url(forum):
    return f"/api/v1/forums/{forum.slug}/registrations/"


def body(rtype, email="speed@example.org", **extra):
    return {"registration_type": rtype.pk, "full_name_ar": "سارة", "email": email, **extra}


def test_api_register_free_query_count_small(api_client, forum, django_assert_max_num_queries):
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_settings_get(forum=forum)  # the forum's counters row, made by its first registration
    # One SELECT (type, forum, "any questions?"), the duplicate check, the INSERT, the seat UPDATE
    # (two on SQLite), and the transaction's savepoint pair inside the test's own transaction.
    with django_assert_max_num_queries(7):
        response = api_client.post(url(forum), body(rtype), format="json")
    assert response.status_code == 201, response.content
    assert Registration.objects.get(email="speed@example.org").status == Registration.Status.CONFIRMED


def test_api_register_with_question_query_count_small(api_client, forum, django_assert_max_num_queries):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, kind="yes_no", required=True)
    services.registration_settings_get(forum=forum)
    with django_assert_max_num_queries(9):  # + the questions, + the answers' bulk INSERT
        response = api_client.post(url(forum), body(rtype, answers={f"q{question.pk}": "نعم"}), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["answers"] == {f"q{question.pk}": "yes"}


def test_api_register_response_same_as_own_registration(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, kind="text")
    response = api_client.post(url(forum), body(rtype, full_name_en="Sara", phone="+966 50 123 4567",
                                                answers={f"q{question.pk}": "الجودة"}), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    own = api_client.get(f"/api/v1/registration/me/{created['access_token']}/")
    assert own.status_code == 200
    # The hand-built answer of the hot path and OwnRegistrationSerializer give the same document.
    assert created == own.json()


def test_api_register_badge_and_email_after_commit(api_client, forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(url(forum), body(rtype), format="json")
    assert response.status_code == 201
    # Nothing slow was done while the request was answered: no badge, no message yet.
    assert not Badge.objects.exists() and not OutgoingMessage.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the task (run eagerly in tests) issues the badge and queues the e-mail
    registration = Registration.objects.get(pk=response.json()["id"])
    assert Badge.objects.filter(registration=registration).exists()
    assert OutgoingMessage.objects.filter(to__icontains="speed@example.org").exists()


def test_api_register_type_of_another_forum_refused(api_client, forum):
    other_type = RegistrationTypeFactory(forum=ForumFactory())
    response = api_client.post(url(forum), body(other_type), format="json")
    assert response.status_code == 400 and "registration_type" in response.json()
    assert not Registration.objects.exists()


def test_api_register_unknown_forum_404(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    response = api_client.post("/api/v1/forums/no-such-forum/registrations/", body(rtype), format="json")
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_api_register_draft_forum_hidden_from_outsider(client_for, draft_forum, outsider):
    rtype = RegistrationTypeFactory(forum=draft_forum)
    assert client_for(outsider).post(url(draft_forum), body(rtype), format="json").status_code == 404
    # The team sees the draft exists, and is told registration is closed.
    owner = TeamMemberFactory(forum=draft_forum, role="owner").user
    response = client_for(owner).post(url(draft_forum), body(rtype), format="json")
    assert response.status_code == 400 and "registration_type" in response.json()
    assert not Registration.objects.exists()
