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
