"""Organizers change capacities: the seat counters stay right and freed seats go to the waiting list.

The forum's settings and a type's capacity are changed through the services
(page, API and admin alike): only the changed columns are written, so a seat
taken while the organizer's page was open is never lost, and every seat the
change frees is offered to the people waiting, oldest first.
"""

import pytest

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from registration import services
from registration.models import RegistrationSettings, RegistrationType, WaitlistEntry
from tests.factories import TeamMemberFactory, UserFactory
from tests.registration.factories import RegistrationSettingsFactory, RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db

API = "/api/v1/forums/{slug}/"


def register(rtype):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person())


def wait(rtype, name):
    return services.waitlist_join(forum=rtype.forum, registration_type=rtype, full_name_ar=name,
                                  email=f"{name}@example.org")


def statuses(*entries):
    return [WaitlistEntry.objects.get(pk=entry.pk).status for entry in entries]


def counters(rtype):
    return (RegistrationType.objects.get(pk=rtype.pk).seats_taken,
            RegistrationSettings.objects.get(forum=rtype.forum).seats_taken)


def full_type_with_queue(forum, *, capacity=2, waiting=3):
    RegistrationSettingsFactory(forum=forum, claim_hours=6)
    rtype = RegistrationTypeFactory(forum=forum, capacity=capacity)
    for _ in range(capacity):
        register(rtype)
    return rtype, [wait(rtype, f"w{i}") for i in range(waiting)]


OFFERED, WAITING = WaitlistEntry.Status.OFFERED, WaitlistEntry.Status.WAITING


def test_type_capacity_raised_offers_new_seats_oldest_first(forum, on_commit):
    rtype, queue = full_type_with_queue(forum)
    with on_commit():
        services.registration_type_update(registration_type=rtype, capacity=4)
    assert statuses(*queue) == [OFFERED, OFFERED, WAITING]
    # The offered seats are held for the two claimants.
    assert counters(rtype) == (4, 4)
    with pytest.raises(services.SeatsFull):
        register(rtype)
    assert set(OutgoingMessage.objects.filter(kind="waitlist_offer").values_list("to", flat=True)) == {
        "w0@example.org", "w1@example.org"}
    registration = services.waitlist_claim(claim_token=WaitlistEntry.objects.get(pk=queue[0].pk).claim_token)
    assert registration.email == "w0@example.org"
    assert counters(rtype) == (4, 4)


def test_type_update_with_a_stale_counter_keeps_the_seats_taken(forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=10)
    stale = RegistrationType.objects.get(pk=rtype.pk)
    register(rtype)
    register(rtype)
    updated = services.registration_type_update(registration_type=stale, name_ar="عام", capacity=8)
    assert updated.seats_taken == 2 and updated.name_ar == "عام"
    assert counters(rtype) == (2, 2)


def test_type_capacity_below_seats_taken_refused_and_nothing_changes(forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=5, name_ar="عام")
    for _ in range(3):
        register(rtype)
    with pytest.raises(DomainError) as error:
        services.registration_type_update(registration_type=rtype, capacity=2, name_ar="جديد")
    assert "capacity" in error.value.errors
    row = RegistrationType.objects.get(pk=rtype.pk)
    assert (row.capacity, row.name_ar, row.seats_taken) == (5, "عام", 3)


def test_type_update_refuses_writing_the_seat_counter(forum):
    rtype = RegistrationTypeFactory(forum=forum)
    with pytest.raises(TypeError):
        services.registration_type_update(registration_type=rtype, seats_taken=0)


def test_forum_capacity_raised_offers_within_each_types_own_capacity(forum, on_commit):
    RegistrationSettingsFactory(forum=forum, capacity=3)
    small = RegistrationTypeFactory(forum=forum, capacity=2)
    open_type = RegistrationTypeFactory(forum=forum, capacity=None)
    register(small)
    register(small)
    register(open_type)
    small_queue = [wait(small, "s0"), wait(small, "s1")]
    open_queue = [wait(open_type, "o0"), wait(open_type, "o1")]
    with on_commit():
        services.registration_settings_update(forum=forum, capacity=5)
    # The small type has no seat of its own left; the forum's two new seats go to the other queue.
    assert statuses(*small_queue) == [WAITING, WAITING]
    assert statuses(*open_queue) == [OFFERED, OFFERED]
    assert RegistrationSettings.objects.get(forum=forum).seats_taken == 5


def test_forum_capacity_raised_offers_no_more_than_the_new_seats(forum):
    RegistrationSettingsFactory(forum=forum, capacity=1)
    rtype = RegistrationTypeFactory(forum=forum, capacity=None)
    register(rtype)
    queue = [wait(rtype, f"q{i}") for i in range(3)]
    row = services.registration_settings_update(forum=forum, capacity=2)
    assert statuses(*queue) == [OFFERED, WAITING, WAITING]
    assert row.seats_taken == 2 and row.seats_left == 0


def test_no_offers_while_registration_closed_then_on_reopening(forum):
    rtype, queue = full_type_with_queue(forum, capacity=1, waiting=2)
    services.registration_settings_update(forum=forum, is_open=False)
    services.registration_type_update(registration_type=rtype, capacity=3)
    assert statuses(*queue) == [WAITING, WAITING]
    assert counters(rtype) == (1, 1)
    services.registration_settings_update(forum=forum, is_open=True)
    assert statuses(*queue) == [OFFERED, OFFERED]
    assert counters(rtype) == (3, 3)


def test_no_offers_while_the_waiting_list_is_off(forum):
    rtype, queue = full_type_with_queue(forum, capacity=1, waiting=1)
    services.registration_settings_update(forum=forum, waitlist_enabled=False)
    services.registration_type_update(registration_type=rtype, capacity=2)
    assert statuses(*queue) == [WAITING]
    services.registration_settings_update(forum=forum, waitlist_enabled=True)
    assert statuses(*queue) == [OFFERED]


def test_inactive_type_gets_no_offers(forum):
    rtype, queue = full_type_with_queue(forum, capacity=1, waiting=1)
    services.registration_type_update(registration_type=rtype, is_active=False, capacity=3)
    assert statuses(*queue) == [WAITING]


# ---- over the API -----------------------------------------------------------------------------


def test_api_type_capacity_raised_offers_seats_and_reports_them(client_for, forum, editor):
    rtype, queue = full_type_with_queue(forum, capacity=1, waiting=2)
    response = client_for(editor).patch(API.format(slug=forum.slug) + f"registration-types/{rtype.pk}/",
                                        {"capacity": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["capacity"] == 2 and response.json()["seats_taken"] == 2
    assert response.json()["seats_left"] == 0
    assert statuses(*queue) == [OFFERED, WAITING]


def test_api_settings_put_keeps_seats_taken_and_offers_seats(client_for, forum, editor):
    rtype, queue = full_type_with_queue(forum, capacity=2, waiting=1)
    RegistrationSettings.objects.filter(forum=forum).update(capacity=2)
    response = client_for(editor).put(API.format(slug=forum.slug) + "registration-settings/",
                                      {"capacity": 10, "seats_taken": 0}, format="json")
    # seats_taken is read-only: sent or not, the counter is the registrations'.
    assert response.status_code == 200 and response.json()["capacity"] == 10
    assert response.json()["seats_taken"] == 2
    # The type itself is still full: nobody is offered a seat.
    assert statuses(*queue) == [WAITING]


@pytest.mark.parametrize("body, field", [
    ({"capacity": 0}, "capacity"),
    ({"capacity": 2_000_000}, "capacity"),
    ({"hold_minutes": 0}, "hold_minutes"),
    ({"hold_minutes": 2000}, "hold_minutes"),
    ({"claim_hours": 0}, "claim_hours"),
    ({"claim_hours": 500}, "claim_hours"),
    ({"is_open": "maybe"}, "is_open"),
    ({"capacity": "many"}, "capacity"),
])
def test_api_settings_bad_values_refused_by_field_and_nothing_changes(client_for, forum, editor, body, field):
    RegistrationSettingsFactory(forum=forum, capacity=50, hold_minutes=30, claim_hours=24)
    response = client_for(editor).put(API.format(slug=forum.slug) + "registration-settings/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    row = RegistrationSettings.objects.get(forum=forum)
    assert (row.capacity, row.hold_minutes, row.claim_hours, row.is_open) == (50, 30, 24, True)


def test_api_settings_put_refused_to_outsiders_and_viewers(client_for, forum):
    RegistrationSettingsFactory(forum=forum, capacity=50)
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    for user in (UserFactory(), viewer):
        response = client_for(user).put(API.format(slug=forum.slug) + "registration-settings/",
                                        {"capacity": 60}, format="json")
        assert response.status_code == 403
    assert RegistrationSettings.objects.get(forum=forum).capacity == 50


@pytest.mark.parametrize("capacity", [0, -1, 2_000_000])
def test_api_type_capacity_out_of_range_refused_on_create_and_update(client_for, forum, editor, capacity):
    rtype = RegistrationTypeFactory(forum=forum, capacity=5)
    client = client_for(editor)
    base = API.format(slug=forum.slug) + "registration-types/"
    created = client.post(base, {"code": "x", "name_ar": "س", "name_en": "X", "category": rtype.category,
                                 "pricing": "free", "capacity": capacity}, format="json")
    assert created.status_code == 400 and "capacity" in created.json()
    updated = client.patch(f"{base}{rtype.pk}/", {"capacity": capacity}, format="json")
    assert updated.status_code == 400 and "capacity" in updated.json()
    assert RegistrationType.objects.get(pk=rtype.pk).capacity == 5
    assert not RegistrationType.objects.filter(forum=forum, code="x").exists()
