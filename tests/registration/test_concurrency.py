"""No overselling: many clients racing for the last seats, on PostgreSQL with real row locks."""

import threading

import pytest
from django.db import connection

from registration import services
from registration.models import Registration, RegistrationSettings, RegistrationType, WaitlistEntry
from tests.factories import ForumFactory
from tests.registration.factories import RegistrationSettingsFactory, RegistrationTypeFactory, person

CLIENTS = 24


@pytest.fixture
def after_commit_queued(new_registration_jobs):
    """After-commit work goes to the broker in production; here it is only recorded, so the race
    measures the seat rule alone (badge issuing has its own tests)."""
    return new_registration_jobs


def race(target, count: int) -> list:
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[index] = target(index)
        except Exception as exc:  # the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registration_last_seats_of_type_go_to_exactly_as_many(postgres_only, after_commit_queued):
    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum, capacity=15)
    for _ in range(10):
        services.registration_create(forum=forum, registration_type=rtype, **person())

    def register(index):
        return services.registration_create(forum=forum, registration_type=rtype,
                                            **person(email=f"racer{index}@example.org"))

    outcomes = race(register, CLIENTS)
    winners = [o for o in outcomes if isinstance(o, Registration)]
    losers = [o for o in outcomes if isinstance(o, services.SeatsFull)]
    assert len(winners) == 5
    assert len(losers) == CLIENTS - 5, [repr(o) for o in outcomes if not isinstance(o, (Registration, services.SeatsFull))]
    assert Registration.objects.filter(registration_type=rtype, status__in=Registration.SEAT_HOLDING).count() == 15
    assert RegistrationType.objects.get(pk=rtype.pk).seats_taken == 15
    jobs = after_commit_queued()
    # One confirmation each, queued after commit through the batching thread, none twice.
    assert sorted(pk for _kind, pk in jobs) == sorted(
        Registration.objects.filter(registration_type=rtype).values_list("pk", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registration_last_seats_of_forum_across_types(postgres_only, after_commit_queued):
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=5)
    types = [RegistrationTypeFactory(forum=forum) for _ in range(3)]

    def register(index):
        rtype = types[index % 3]
        return services.registration_create(forum=forum, registration_type=rtype,
                                            **person(email=f"multi{index}@example.org"))

    outcomes = race(register, CLIENTS)
    assert sum(isinstance(o, Registration) for o in outcomes) == 5
    assert all(isinstance(o, (Registration, services.SeatsFull)) for o in outcomes), [repr(o) for o in outcomes]
    assert Registration.objects.filter(forum=forum).count() == 5
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 5
    assert sum(RegistrationType.objects.filter(forum=forum).values_list("seats_taken", flat=True)) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payment_intent_one_per_registration_under_concurrency(postgres_only, stripe_local):
    from registration.models import Payment

    forum = ForumFactory()
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = services.registration_create(forum=forum, registration_type=rtype, **person())
    outcomes = race(lambda index: services.payment_intent_ensure(registration=registration), 8)
    assert all(isinstance(o, Payment) for o in outcomes), outcomes
    assert len({o.stripe_payment_intent_id for o in outcomes}) == 1
    assert Payment.objects.filter(registration=registration).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registration_race_with_badges_and_mail_after_commit(postgres_only):
    """The after-commit work (badge issuing, confirmation e-mail) runs in the racing threads too: no deadlock."""
    from forum.mailing.models import OutgoingMessage
    from registration.badges.models import Badge

    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=5)
    types = [RegistrationTypeFactory(forum=forum) for _ in range(3)]

    def register(index):
        return services.registration_create(forum=forum, registration_type=types[index % 3],
                                            **person(email=f"eager{index}@example.org"))

    outcomes = race(register, CLIENTS)
    assert all(isinstance(o, (Registration, services.SeatsFull)) for o in outcomes), outcomes
    assert sum(isinstance(o, Registration) for o in outcomes) == 5
    assert Badge.objects.filter(registration__forum=forum).count() == 5
    assert OutgoingMessage.objects.filter(forum=forum, kind="registration_confirmation").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_raised_while_racing_registrations_and_waiting_list_shares_seats_exactly(
        postgres_only, after_commit_queued):
    """Organizers raising the capacity (which offers seats to the waiting list) while attendees
    race for the same seats: every seat goes to exactly one person and no counter is lost."""
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum)
    rtype = RegistrationTypeFactory(forum=forum, capacity=4)
    for _ in range(4):
        services.registration_create(forum=forum, registration_type=rtype, **person())
    waiting = [services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar=f"منتظر {i}",
                                      email=f"waiting{i}@example.org") for i in range(6)]

    def act(index):
        if index == 0:
            return services.registration_type_update(registration_type=rtype, capacity=10)
        if index == 1:
            # A stale copy of the type, as an organizer's open page would hold.
            return services.registration_type_update(registration_type=rtype, name_ar="حضور عام")
        return services.registration_create(forum=forum, registration_type=rtype,
                                            **person(email=f"raiser{index}@example.org"))

    outcomes = race(act, CLIENTS)
    unexpected = [o for o in outcomes[2:] if not isinstance(o, (Registration, services.SeatsFull))]
    assert not unexpected, [repr(o) for o in unexpected]
    assert all(isinstance(o, RegistrationType) for o in outcomes[:2]), outcomes[:2]
    offered = WaitlistEntry.objects.filter(pk__in=[w.pk for w in waiting], status=WaitlistEntry.Status.OFFERED).count()
    holding = Registration.objects.filter(registration_type=rtype, status__in=Registration.SEAT_HOLDING).count()
    row = RegistrationType.objects.get(pk=rtype.pk)
    assert (row.capacity, row.name_ar) == (10, "حضور عام")
    assert holding + offered == 10 == row.seats_taken
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 10
