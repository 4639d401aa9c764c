"""PostgreSQL: the seat is taken and the transaction committed in one round trip (psycopg pipeline).

These tests own their transactions (transaction=True), as a request does, so registration_create
takes the pipelined path; every way of finding no seat must still write nothing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from registration import services
from registration.badges.models import Badge
from registration.models import Registration, RegistrationSettings, RegistrationType
from tests.factories import ForumFactory
from tests.registration.factories import RegistrationSettingsFactory, RegistrationTypeFactory, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued(new_registration_jobs):
    return new_registration_jobs


def counters(rtype):
    return (RegistrationSettings.objects.get(forum=rtype.forum).seats_taken,
            RegistrationType.objects.get(pk=rtype.pk).seats_taken)


def test_pipelined_registration_confirmed_and_counted(postgres_only, queued):
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=5)
    rtype = RegistrationTypeFactory(forum=forum, capacity=5)
    with CaptureQueriesContext(connection) as queries:
        registration = services.registration_create(forum=forum, registration_type=rtype, **person())
    statements = [q["sql"] for q in queries.captured_queries]
    assert any("1 / (SELECT count(*) FROM t)" in sql for sql in statements)  # the pipelined seat take
    assert len(statements) <= 5  # duplicate check, INSERT, seat take, with BEGIN and COMMIT
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    assert counters(rtype) == (1, 1)
    assert queued() == [["confirmation", registration.pk]]
    assert connection.connection._pipeline is None  # the connection is back to normal mode


def test_pipelined_type_full_writes_nothing(postgres_only, queued):
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=10)
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    services.registration_create(forum=forum, registration_type=rtype, **person())
    with pytest.raises(services.SeatsFull):
        services.registration_create(forum=forum, registration_type=rtype, **person(email="late@example.org"))
    assert not Registration.objects.filter(email="late@example.org").exists()
    assert counters(rtype) == (1, 1)
    assert len(queued()) == 1


def test_pipelined_forum_full_writes_nothing(postgres_only, queued):
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=1)
    first, second = RegistrationTypeFactory(forum=forum), RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=first, **person())
    with pytest.raises(services.SeatsFull) as refused:
        services.registration_create(forum=forum, registration_type=second, **person(email="late@example.org"))
    assert "full" in str(refused.value.errors).lower() or refused.value.code == "full"
    assert not Registration.objects.filter(email="late@example.org").exists()
    assert counters(first) == (1, 1) and counters(second) == (1, 0)


def test_pipelined_closed_registration_refused(postgres_only, queued):
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, is_open=False)
    rtype = RegistrationTypeFactory(forum=forum)
    with pytest.raises(DomainError) as refused:
        services.registration_create(forum=forum, registration_type=rtype, **person())
    assert not isinstance(refused.value, services.SeatsFull)
    assert not Registration.objects.exists() and counters(rtype) == (0, 0) and not queued()


def test_pipelined_first_registration_creates_counters_row(postgres_only, queued):
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum, capacity=3)
    assert not RegistrationSettings.objects.filter(forum=forum).exists()
    services.registration_create(forum=forum, registration_type=rtype, **person())
    assert counters(rtype) == (1, 1) and Registration.objects.count() == 1


def test_pipelined_duplicate_email_refused(postgres_only, queued):
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=rtype, **person(email="twice@example.org"))
    with pytest.raises(DomainError):
        services.registration_create(forum=forum, registration_type=rtype, **person(email="Twice@example.org"))
    assert Registration.objects.filter(email="twice@example.org").count() == 1
    assert counters(rtype) == (1, 1)


def test_pipelined_badge_and_email_after_commit_in_process(postgres_only):
    """Without a broker the task runs in-process after the commit, outside the pipeline."""
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum)
    registration = services.registration_create(forum=forum, registration_type=rtype,
                                                **person(email="badge@example.org"))
    assert Badge.objects.filter(registration=registration).exists()
    assert OutgoingMessage.objects.filter(to="badge@example.org").exists()
