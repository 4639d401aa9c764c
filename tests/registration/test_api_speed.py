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


# ---- the type lookup written in SQL ----------------------------------------------------------


def test_type_for_create_reads_type_forum_and_questions_in_one_query(forum, django_assert_num_queries):
    from registration import selectors

    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    QuestionFactory(forum=forum, kind="text")
    with django_assert_num_queries(1):
        found = selectors.registration_type_for_create(forum_slug=forum.slug, type_id=rtype.pk)
        assert found.forum == forum and found.forum.status == forum.status and found.forum.slug == forum.slug
    assert found == rtype and found.total_minor == rtype.total_minor
    assert found.forum_has_questions is True


def test_type_for_create_no_questions_when_all_inactive(forum):
    from registration import selectors

    rtype = RegistrationTypeFactory(forum=forum)
    QuestionFactory(forum=forum, kind="text", is_active=False)
    assert selectors.registration_type_for_create(forum_slug=forum.slug, type_id=rtype.pk).forum_has_questions is False


@pytest.mark.parametrize("case", ["other forum's slug", "unknown id", "huge id", "zero"])
def test_type_for_create_none_when_not_this_forums_type(forum, case):
    from registration import selectors

    rtype = RegistrationTypeFactory(forum=forum)
    other = ForumFactory()
    slug, type_id = {
        "other forum's slug": (other.slug, rtype.pk), "unknown id": (forum.slug, rtype.pk + 1000),
        "huge id": (forum.slug, 2**70), "zero": (forum.slug, 0),
    }[case]
    assert selectors.registration_type_for_create(forum_slug=slug, type_id=type_id) is None


# ---- the hot path's validation agrees with RegistrationCreateSerializer ------------------------

_GOOD = {"registration_type": 7, "full_name_ar": "سارة", "email": "sara@example.org"}

VALIDATION_CORPUS = [
    _GOOD,
    {**_GOOD, "full_name_ar": "  سارة العتيبي  ", "email": " Sara@Example.org "},
    {**_GOOD, "full_name_en": "Sara", "honorific": "doctor", "phone": "+966 50 123 4567", "language": "en",
     "position": "مدير إدارة الجودة", "organization_name": "أمانة العاصمة المقدسة", "invite_code": "AB12CD"},
    {**_GOOD, "honorific": ""},
    {**_GOOD, "full_name_en": "   "},
    {**_GOOD, "answers": {"q1": " نعم ", "q2": ""}},
    {**_GOOD, "unknown_field": "ignored"},
    {**_GOOD, "registration_type": "7"},
    {**_GOOD, "registration_type": True},
    {**_GOOD, "registration_type": 7.0},
    {**_GOOD, "registration_type": None},
    {**_GOOD, "registration_type": 2**70},
    {k: v for k, v in _GOOD.items() if k != "registration_type"},
    {k: v for k, v in _GOOD.items() if k != "email"},
    {k: v for k, v in _GOOD.items() if k != "full_name_ar"},
    {**_GOOD, "full_name_ar": ""},
    {**_GOOD, "full_name_ar": "   "},
    {**_GOOD, "full_name_ar": None},
    {**_GOOD, "full_name_ar": 12345},
    {**_GOOD, "full_name_ar": ["سارة"]},
    {**_GOOD, "full_name_ar": "س" * 255},
    {**_GOOD, "full_name_ar": "س" * 256},
    {**_GOOD, "full_name_ar": " " + "س" * 255 + " "},
    {**_GOOD, "full_name_ar": "سا\x00رة"},
    {**_GOOD, "full_name_ar": "سا\ud800رة"},
    {**_GOOD, "full_name_ar": "سارة\tالعتيبي"},
    {**_GOOD, "phone": "1" * 33},
    {**_GOOD, "invite_code": "X" * 33},
    {**_GOOD, "email": "not-an-email"},
    {**_GOOD, "email": ""},
    {**_GOOD, "email": "a@b"},
    {**_GOOD, "email": "user@[127.0.0.1]"},
    {**_GOOD, "email": "سارة@example.org"},
    {**_GOOD, "honorific": "king"},
    {**_GOOD, "honorific": None},
    {**_GOOD, "language": "fr"},
    {**_GOOD, "language": ""},
    {**_GOOD, "answers": {"q1": None}},
    {**_GOOD, "answers": {"q1": 5}},
    {**_GOOD, "answers": ["q1"]},
    {**_GOOD, "answers": None},
    [],
    "text",
]


@pytest.mark.parametrize("data", VALIDATION_CORPUS, ids=range(len(VALIDATION_CORPUS)))
def test_registration_create_values_same_as_serializer_or_defers(data):
    from registration.api import serializers

    fast = serializers.registration_create_values(data)
    serializer = serializers.RegistrationCreateSerializer(data=data)
    valid = serializer.is_valid()
    if fast is not None:
        # Whatever the hot path accepts, the serializer accepts, with exactly the same values.
        assert valid, serializer.errors
        assert fast == dict(serializer.validated_data)


def test_registration_create_values_takes_the_common_body():
    from registration.api import serializers

    # Not a check that can pass by always deferring: the plain bodies do go the fast way.
    for data in VALIDATION_CORPUS[:6]:
        assert serializers.registration_create_values(data) is not None, data


def test_api_register_invalid_body_gets_serializer_field_errors(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    response = api_client.post(url(forum), {**body(rtype), "email": "not-an-email", "full_name_ar": " "},
                               format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert set(response.json()) >= {"email", "full_name_ar"}
    assert not Registration.objects.filter(forum=forum).exists()
