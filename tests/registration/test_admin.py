import pytest

from registration import services
from tests.factories import TeamMemberFactory
from tests.registration.factories import RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registration/registration/"


def staff(forum, role):
    user = TeamMemberFactory(forum=forum, role=role).user
    user.is_staff = True
    user.save()
    return user


@pytest.mark.parametrize("role,status", [("owner", 200), ("editor", 200), ("viewer", 403), ("checkin", 403)])
def test_admin_registrations_personal_data_by_role(client, forum, role, status):
    services.registration_create(forum=forum, registration_type=RegistrationTypeFactory(forum=forum),
                                 **person(full_name_ar="لمى الشهري"))
    client.force_login(staff(forum, role))
    response = client.get(CHANGELIST)
    assert response.status_code == status
    if status == 200:
        assert "لمى الشهري" in response.content.decode()


def test_admin_registrations_of_other_forum_hidden(client, forum):
    from tests.factories import ForumFactory

    other = ForumFactory()
    services.registration_create(forum=other, registration_type=RegistrationTypeFactory(forum=other),
                                 **person(full_name_ar="غيداء"))
    client.force_login(staff(forum, "owner"))
    assert "غيداء" not in client.get(CHANGELIST).content.decode()


def test_admin_outsider_refused(client, outsider):
    outsider.is_staff = True
    outsider.save()
    client.force_login(outsider)
    assert client.get(CHANGELIST).status_code == 403


def admin_post_data(obj, **changes):
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(obj).items() if v is not None and v is not False}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_type_change_keeps_seats_taken_meanwhile_and_offers_freed_seats(client, forum):
    from registration.models import RegistrationType, WaitlistEntry

    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    services.registration_create(forum=forum, registration_type=rtype, **person())
    entry = services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar="منتظرة", email="w@example.org")
    page_read = RegistrationType.objects.get(pk=rtype.pk)  # what the organizer's open page holds
    client.force_login(staff(forum, "editor"))
    response = client.post(f"/admin/registration/registrationtype/{rtype.pk}/change/",
                           admin_post_data(page_read, capacity=3, name_ar="حضور"))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = RegistrationType.objects.get(pk=rtype.pk)
    assert (row.capacity, row.name_ar, row.seats_taken) == (3, "حضور", 2)  # one registration, one offer
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.OFFERED


def test_admin_type_capacity_below_seats_taken_is_a_form_error(client, forum):
    from registration.models import RegistrationType

    rtype = RegistrationTypeFactory(forum=forum, capacity=5)
    for _ in range(2):
        services.registration_create(forum=forum, registration_type=rtype, **person())
    client.force_login(staff(forum, "editor"))
    response = client.post(f"/admin/registration/registrationtype/{rtype.pk}/change/",
                           admin_post_data(rtype, capacity=1))
    assert response.status_code == 200
    assert "capacity" in response.context["adminform"].form.errors
    assert RegistrationType.objects.get(pk=rtype.pk).capacity == 5


@pytest.mark.parametrize("change, field", [({"hold_minutes": 0}, "hold_minutes"), ({"claim_hours": 500}, "claim_hours"),
                                           ({"capacity": 0}, "capacity")])
def test_admin_settings_out_of_range_is_a_form_error_and_nothing_changes(client, forum, change, field):
    from registration.models import RegistrationSettings
    from tests.registration.factories import RegistrationSettingsFactory

    row = RegistrationSettingsFactory(forum=forum, capacity=40, hold_minutes=30, claim_hours=24)
    client.force_login(staff(forum, "editor"))
    response = client.post(f"/admin/registration/registrationsettings/{row.pk}/change/",
                           admin_post_data(row, **change))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    fresh = RegistrationSettings.objects.get(pk=row.pk)
    assert (fresh.capacity, fresh.hold_minutes, fresh.claim_hours) == (40, 30, 24)
