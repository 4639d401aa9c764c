"""A registration type is deleted through services.registration_type_delete (the API and the admin)."""

import pytest

from forum.errors import DomainError
from registration import services
from registration.models import RegistrationType
from tests.registration.factories import RegistrationSettingsFactory, RegistrationTypeFactory, person


def test_registration_type_delete_removes_a_type_nobody_registered_for(forum):
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_type_delete(registration_type=rtype)
    assert not RegistrationType.objects.filter(pk=rtype.pk).exists()


def test_registration_type_delete_refuses_a_type_with_registrations(forum):
    RegistrationSettingsFactory(forum=forum)
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=rtype, **person())
    with pytest.raises(DomainError) as refused:
        services.registration_type_delete(registration_type=rtype)
    assert "is_active" in refused.value.errors
    assert RegistrationType.objects.filter(pk=rtype.pk).exists()


def test_api_delete_of_a_type_with_registrations_is_a_field_error(client_for, forum, owner):
    RegistrationSettingsFactory(forum=forum)
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=rtype, **person())
    response = client_for(owner).delete(f"/api/v1/forums/{forum.slug}/registration-types/{rtype.pk}/")
    assert response.status_code == 400 and "is_active" in response.json()
    assert RegistrationType.objects.filter(pk=rtype.pk).exists()
