"""Registration types and questions; registrations are made through the services, so seat counters stay true."""

from decimal import Decimal

import factory

from registration.models import InviteCode, Question, RegistrationSettings, RegistrationType
from tests.factories import ForumFactory


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationSettings
        django_get_or_create = ("forum",)

    forum = factory.SubFactory(ForumFactory)


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType
        skip_postgeneration_save = True

    forum = factory.SubFactory(ForumFactory)
    code = factory.Sequence(lambda n: f"general-{n}")
    name_ar = "حضور عام"
    name_en = "General attendee"
    category = RegistrationType.Category.GENERAL
    badge_color = "#14532d"

    @factory.post_generation
    def seller(obj, create, extracted, **kwargs):
        """A paid type is sold with tax invoices: its forum's organizing body gets billing settings
        (pass seller=False to leave them out)."""
        if create and obj.is_paid and extracted is not False:
            from tests.invoicing.factories import seller_for_forum

            seller_for_forum(obj.forum)

    class Params:
        paid = factory.Trait(
            pricing=RegistrationType.Pricing.PAID, price=Decimal("500.00"), vat_rate=Decimal("15.00"),
            code=factory.Sequence(lambda n: f"paid-{n}"), name_ar="حضور مدفوع", name_en="Paid attendee",
        )
        invitation = factory.Trait(
            pricing=RegistrationType.Pricing.INVITATION, category=RegistrationType.Category.VIP,
            code=factory.Sequence(lambda n: f"vip-{n}"), name_ar="كبار الشخصيات", name_en="VIP",
        )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    forum = factory.SubFactory(ForumFactory)
    kind = Question.Kind.TEXT
    label_ar = factory.Sequence(lambda n: f"سؤال {n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")


class InviteCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InviteCode

    registration_type = factory.SubFactory(RegistrationTypeFactory, invitation=True)


_seq = iter(range(10**9))


def person(**overrides) -> dict:
    n = next(_seq)
    data = {"full_name_ar": f"عبدالله بن محمد {n}", "full_name_en": f"Abdullah Mohammed {n}",
            "email": f"attendee{n}@example.org"}
    data.update(overrides)
    return data
