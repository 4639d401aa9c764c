"""Factories and a ready-made world for the awards tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from awards.models import (
    Category,
    Criterion,
    Cycle,
    JudgeAssignment,
    Nomination,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Tier,
)
from tests.factories import ForumFactory, OrganizationFactory, PersonFactory, SessionFactory, UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"award-{n}")
    name_ar = factory.Sequence(lambda n: f"جائزة التميز {n}")
    name_en = factory.Sequence(lambda n: f"Excellence Award {n}")
    owner = factory.SubFactory(OrganizationFactory)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    is_public = True
    nominations_open = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    nominations_close = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    cycle = factory.SubFactory(CycleFactory)
    kind = Category.Kind.INDIVIDUAL
    name_ar = factory.Sequence(lambda n: f"الموظف المتميز {n}")
    name_en = factory.Sequence(lambda n: f"Distinguished employee {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    category = factory.SubFactory(CategoryFactory)
    name_ar = factory.Sequence(lambda n: f"معيار {n}")
    weight = 1
    max_score = 10


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    category = factory.SubFactory(CategoryFactory)
    cycle = factory.LazyAttribute(lambda n: n.category.cycle)
    applicant = factory.SubFactory(PersonFactory)
    nominee_person = factory.LazyAttribute(lambda n: n.applicant)
    status = Nomination.Status.ELIGIBLE
    submitted_at = factory.LazyFunction(timezone.now)


def member(programme, role, user=None):
    user = user or UserFactory()
    ProgrammeMember.objects.get_or_create(programme=programme, user=user, role=role)
    return user


def pdf_upload(name="evidence.pdf") -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def jpeg_upload(name="site.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = "secret-description"
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    programme: Programme
    cycle: Cycle
    category: Category
    criteria: list[Criterion]
    document: RequiredDocument
    question: Question
    owner: object
    staff: object
    judges: list
    chair: object
    assessor: object
    outsider: object
    forum: object
    session: object


def award_world(*, kind=Programme.Kind.AWARD, judges=2, weights=(2, 1)) -> World:
    """A programme with one open cycle, one individual category with weighted criteria,
    a required document and question, judges (the first one chairs), an assessor, and a
    ceremony session."""
    owner_user, staff, assessor, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    programme = ProgrammeFactory(kind=kind)
    member(programme, ProgrammeMember.Role.OWNER, owner_user)
    member(programme, ProgrammeMember.Role.STAFF, staff)
    member(programme, ProgrammeMember.Role.ASSESSOR, assessor)
    forum = ForumFactory()
    session = SessionFactory(forum=forum)
    cycle = CycleFactory(programme=programme, forum=forum, ceremony_session=session)
    category = CategoryFactory(cycle=cycle)
    criteria = [CriterionFactory(category=category, weight=w, max_score=10, order=i) for i, w in enumerate(weights)]
    document = RequiredDocument.objects.create(category=category, name_ar="السيرة الذاتية", name_en="CV")
    question = Question.objects.create(category=category, label_ar="أبرز الإنجازات", label_en="Main achievements")
    judge_users = []
    for _i in range(judges):
        user = UserFactory()
        PersonFactory(user=user)  # each judge from their own organization
        member(programme, ProgrammeMember.Role.JUDGE, user)
        JudgeAssignment.objects.create(category=category, judge=user)
        judge_users.append(user)
    cycle.chair = judge_users[0]
    cycle.save(update_fields=["chair"])
    if kind == Programme.Kind.ASSESSMENT:
        Tier.objects.create(cycle=cycle, name_ar="الفئة الذهبية", name_en="Gold", min_score=85)
        Tier.objects.create(cycle=cycle, name_ar="الفئة الفضية", name_en="Silver", min_score=70)
    return World(programme, cycle, category, criteria, document, question, owner_user, staff, judge_users,
                 judge_users[0], assessor, outsider, forum, session)


def applicant_user(email=None):
    """A portal user with a Person, as the e-mail sign-in makes them."""
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    PersonFactory(user=user, email=email or f"{user.username}@applicants.example.org")
    user.refresh_from_db()
    return user
