"""Two visits for one assessor scheduled at the same moment: the row lock lets exactly one through."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from awards import services
from awards.models import FieldVisit, Nomination
from forum.errors import DomainError
from tests.awards.factories import NominationFactory, award_world


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_visits_for_one_assessor_only_one_is_scheduled(postgres_only):
    world = award_world()
    entries = [NominationFactory(category=world.category, status=Nomination.Status.SHORTLISTED) for _i in range(4)]
    start = timezone.now() + timedelta(days=5)
    barrier = threading.Barrier(len(entries))
    refused, errors = [], []

    def schedule(nomination, offset):
        try:
            barrier.wait()
            services.visit_schedule(nomination=nomination, user=world.staff,
                                    starts_at=start + timedelta(minutes=offset),
                                    ends_at=start + timedelta(minutes=offset + 90), address="x",
                                    assessors=[world.assessor])
        except DomainError as exc:
            refused.append(exc.code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=schedule, args=(n, 10 * i)) for i, n in enumerate(entries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert FieldVisit.objects.count() == 1 and refused == ["clash"] * 3
