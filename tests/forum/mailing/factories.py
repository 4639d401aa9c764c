import factory
from django.utils import timezone

from registration.models import Registration, RegistrationType
from tests.factories import ForumFactory


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType

    forum = factory.SubFactory(ForumFactory)
    code = factory.Sequence(lambda n: f"general-{n}")
    name_ar = "حضور عام"
    name_en = "General"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    forum = factory.SubFactory(ForumFactory)
    registration_type = factory.LazyAttribute(lambda r: RegistrationTypeFactory(forum=r.forum))
    full_name_ar = factory.Sequence(lambda n: f"عبدالرحمن الحربي {n}")
    full_name_en = factory.Sequence(lambda n: f"Abdulrahman Alharbi {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
