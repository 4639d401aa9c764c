"""Registrations for badge and check-in tests, built on the registration model as it is."""

from datetime import timedelta

import factory
from django.utils import timezone

from registration.models import Registration, RegistrationType
from tests.factories import ForumFactory


def forum_today(**kwargs):
    """A published forum running today, so freshly issued badges are valid now."""
    today = timezone.localdate()
    return ForumFactory(first_day=today, last_day=today + timedelta(days=1), **kwargs)


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType

    forum = factory.SubFactory(ForumFactory)
    code = factory.Sequence(lambda n: f"type-{n}")
    name_ar = "حضور عام"
    name_en = "General attendee"
    category = RegistrationType.Category.GENERAL
    badge_color = "#14532d"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    forum = factory.SubFactory(ForumFactory)
    registration_type = factory.LazyAttribute(lambda r: RegistrationTypeFactory(forum=r.forum))
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
    honorific = "engineer"
    full_name_ar = factory.Sequence(lambda n: f"طارق بن عبدالله العمري {n}")
    full_name_en = factory.Sequence(lambda n: f"Tariq Abdullah Alamri {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    position = "مدير عام المساندة الفنية"
    organization_name = "هيئة الاتصالات وتقنية المعلومات"
