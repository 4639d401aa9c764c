"""Two organizers saving the same session at once: one wins, the other is refused (real row locks)."""

import threading

import pytest
from django.db import connection

from forum.errors import StaleObject
from sessions import services
from sessions.conflicts import ScheduleConflict
from sessions.models import Session
from tests.factories import HallFactory, SessionFactory, at


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_read_let_exactly_one_through(postgres_only, forum):
    session = SessionFactory(forum=forum, hall=HallFactory(forum=forum), kind="keynote", starts_at=at(9),
                             ends_at=at(10))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(title: str):
        try:
            barrier.wait()
            services.session_update(session=session, expected_lock_version=0, title_ar=title)
            outcomes.append("saved")
        except StaleObject:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("الأول", "الثاني")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    fresh = Session.objects.get(pk=session.pk)
    assert fresh.lock_version == 1
    assert fresh.title_ar in ("الأول", "الثاني")


@pytest.mark.django_db(transaction=True)
def test_two_sessions_created_at_once_in_one_slot_do_not_both_pass(postgres_only, forum):
    hall = HallFactory(forum=forum)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(title: str):
        try:
            barrier.wait()
            services.session_create(forum=forum, kind="keynote", title_ar=title, hall=hall,
                                    starts_at=at(9), ends_at=at(10))
            outcomes.append("created")
        except ScheduleConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(t,)) for t in ("أ", "ب")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert Session.objects.filter(forum=forum, hall=hall).count() == 1
