"""Two scanners reading the same badge at the same moment admit it once (PostgreSQL row locks)."""

import threading

import pytest
from django.db import close_old_connections, connection

from registration.badges import services
from registration.badges.models import Admission, Checkpoint, Scan
from tests.factories import TeamMemberFactory

from .factories import RegistrationFactory, forum_today

SCANNERS = 8


@pytest.mark.django_db(transaction=True)
def test_check_in_same_badge_at_many_scanners_at_once_admitted_once(postgres_only):
    forum = forum_today()
    services.checkpoints_ensure(forum=forum)
    main = Checkpoint.objects.get(forum=forum, kind="door")
    side = Checkpoint.objects.create(forum=forum, kind="door", name_ar="المدخل الجانبي")
    staff = [TeamMemberFactory(forum=forum, role="checkin").user for _ in range(SCANNERS)]
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    barrier = threading.Barrier(SCANNERS)
    outcomes, errors = [], []

    def scanner(index):
        try:
            barrier.wait()
            scan = services.check_in_badge(token=badge.token, checkpoint=main if index % 2 else side,
                                           staff=staff[index], client_nonce=f"n{index}")
            outcomes.append(scan.outcome)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=scanner, args=(i,)) for i in range(SCANNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(outcomes) == ["admitted"] + ["already_admitted"] * (SCANNERS - 1)
    assert Admission.objects.filter(registration=badge.registration).count() == 1
    assert Scan.objects.filter(badge=badge).count() == SCANNERS


@pytest.mark.django_db(transaction=True)
def test_check_in_same_nonce_sent_twice_at_once_is_one_scan(postgres_only):
    forum = forum_today()
    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    barrier = threading.Barrier(4)
    results, errors = [], []

    def retry():
        try:
            barrier.wait()
            results.append(services.check_in_badge(token=badge.token, checkpoint=door, staff=staff,
                                                   client_nonce="same").pk)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(set(results)) == 1
    assert Scan.objects.count() == 1 and Admission.objects.count() == 1
