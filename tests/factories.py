"""Factories shared by every app's tests. App-specific ones live beside their tests."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model

from forum.models import Forum, Hall, Organization, Person, Sponsorship, TeamMember, Track
from sessions.models import Honoree, Session, SessionItem, SessionRole
from speakers.models import WorkingPaper

RIYADH = ZoneInfo("Asia/Riyadh")
FORUM_DAY = date(2018, 10, 29)  # 20 Safar 1440


def at(hour: int, minute: int = 0, day: date = FORUM_DAY, tz=RIYADH) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-Word-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name_ar = factory.Sequence(lambda n: f"أمانة رقم {n}")
    name_en = factory.Sequence(lambda n: f"Municipality {n}")
    kind = Organization.Kind.MUNICIPALITY


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    honorific = "doctor"
    full_name_ar = factory.Sequence(lambda n: f"محمد بن عبدالله {n}")
    full_name_en = factory.Sequence(lambda n: f"Mohammed Abdullah {n}")
    position_ar = "مدير عام"
    position_en = "Director General"
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    slug = factory.Sequence(lambda n: f"forum-{n}")
    title_ar = factory.Sequence(lambda n: f"ملتقى الجودة والتميز {n}")
    title_en = factory.Sequence(lambda n: f"Quality and Excellence Forum {n}")
    organizer = factory.SubFactory(OrganizationFactory)
    venue_name_ar = "فندق برج الساعة"
    venue_name_en = "Clock Tower Hotel"
    latitude = "21.418900"
    longitude = "39.825600"
    first_day = FORUM_DAY
    last_day = factory.LazyAttribute(lambda f: f.first_day + timedelta(days=1))
    status = Forum.Status.PUBLISHED
    # FORUM_DAY lies in the past (the reports' dates, which many assertions read); the factory's forum
    # behaves as a current one unless a test says otherwise (tests/registration/test_forum_ended.py).
    open_after_last_day = True


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    forum = factory.SubFactory(ForumFactory)
    name_ar = factory.Sequence(lambda n: f"القاعة {n}")
    name_en = factory.Sequence(lambda n: f"Hall {n}")
    capacity = 300


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    forum = factory.SubFactory(ForumFactory)
    name_ar = factory.Sequence(lambda n: f"المحور {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    forum = factory.SubFactory(ForumFactory)
    kind = Session.Kind.PAPERS
    title_ar = factory.Sequence(lambda n: f"الجلسة {n}")
    title_en = factory.Sequence(lambda n: f"Session {n}")
    hall = factory.LazyAttribute(lambda s: HallFactory(forum=s.forum))
    starts_at = factory.LazyAttribute(lambda s: at(10, day=s.forum.first_day))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=1))


class SessionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionRole

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    role = SessionRole.Role.SPEAKER


class SessionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionItem

    session = factory.SubFactory(SessionFactory)
    kind = SessionItem.Kind.PAPER
    title_ar = factory.Sequence(lambda n: f"ورقة عمل {n}")
    duration_minutes = 15


class WorkingPaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingPaper

    forum = factory.SubFactory(ForumFactory)
    title_ar = factory.Sequence(lambda n: f"ورقة عمل رقم {n}")
    title_en = factory.Sequence(lambda n: f"Working paper {n}")


class HonoreeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Honoree

    forum = factory.SubFactory(ForumFactory)
    person = factory.SubFactory(PersonFactory)
    reason = Honoree.Reason.SPEAKER


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsorship

    forum = factory.SubFactory(ForumFactory)
    organization = factory.SubFactory(OrganizationFactory)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    forum = factory.SubFactory(ForumFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMember.Role.EDITOR
