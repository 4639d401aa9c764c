"""The embedded SQLite that `make run` serves never loses a registration to "database is locked".

Each thread is one client with its own connection to the test database file, as the
dev server's threads are. Transactions begin IMMEDIATE (forum/settings.py), so a
registration that has read and then writes waits its turn instead of failing.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from registration.models import Registration, RegistrationSettings, RegistrationType
from tests.factories import ForumFactory
from tests.registration.factories import RegistrationTypeFactory

CLIENTS = 20


@pytest.fixture
def sqlite_only(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database's locking; PostgreSQL has its own race tests")
    assert not connection.is_in_memory_db()  # a file, locked as the served one is


def register_at_once(forum, rtype) -> list:
    """CLIENTS people post the public registration form's API at the same instant."""
    barrier = threading.Barrier(CLIENTS)
    answers = [None] * CLIENTS

    def run(index: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait(timeout=30)
            answers[index] = client.post(
                f"/api/v1/forums/{forum.slug}/registrations/",
                {"registration_type": rtype.pk, "full_name_ar": f"مشارك {index}", "email": f"p{index}@example.org"},
                content_type="application/json",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_sqlite_simultaneous_registrations_all_succeed(sqlite_only):
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum)

    answers = register_at_once(forum, rtype)

    assert [a.status_code for a in answers] == [201] * CLIENTS, [a.content[:200] for a in answers]
    assert Registration.objects.filter(forum=forum, status="confirmed").count() == CLIENTS
    assert RegistrationType.objects.get(pk=rtype.pk).seats_taken == CLIENTS
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == CLIENTS


def test_sqlite_simultaneous_registrations_for_the_last_seats_never_oversell(sqlite_only):
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum, capacity=CLIENTS // 2)

    answers = register_at_once(forum, rtype)

    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == CLIENTS // 2, [a.content[:200] for a in answers]
    assert all(400 <= code < 500 for code in codes if code != 201)
    assert Registration.objects.filter(forum=forum).count() == CLIENTS // 2
    assert RegistrationType.objects.get(pk=rtype.pk).seats_taken == CLIENTS // 2
