"""A small agenda with people in it, as the update flows need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from forum.models import Forum, Hall, Person
from sessions.models import ScheduleVersion, Session
from sessions.services import schedule_publish
from tests.factories import (
    ForumFactory,
    HallFactory,
    PersonFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
    at,
)


@dataclass
class Agenda:
    forum: Forum
    hall: Hall
    other_hall: Hall
    speaker: Person
    chair: Person
    bystander: Person
    moved: Session
    cancelled: Session
    untouched: Session

    @classmethod
    def build(cls, **forum_fields) -> Agenda:
        forum = ForumFactory(**forum_fields)
        hall = HallFactory(forum=forum, name_ar="القاعة الكبرى", name_en="Grand hall")
        other_hall = HallFactory(forum=forum, name_ar="قاعة الندوات", name_en="Symposium hall")
        speaker = PersonFactory(full_name_ar="طارق العمري", full_name_en="Tariq Alomari", honorific="engineer")
        chair = PersonFactory(full_name_ar="سعد الزهراني", full_name_en="Saad Alzahrani")
        bystander = PersonFactory()
        day = forum.first_day
        moved = SessionFactory(forum=forum, hall=hall, number=1, title_ar="الجلسة الأولى: التحول الرقمي",
                               title_en="First session: digital transformation",
                               starts_at=at(10, day=day), ends_at=at(11, day=day))
        cancelled = SessionFactory(forum=forum, hall=hall, number=2, title_ar="الجلسة الثانية: الجودة",
                                   title_en="Second session: quality",
                                   starts_at=at(11, 30, day=day), ends_at=at(12, 30, day=day))
        untouched = SessionFactory(forum=forum, hall=other_hall, number=3, title_ar="الجلسة الثالثة",
                                   title_en="Third session",
                                   starts_at=at(10, day=day + timedelta(days=1)),
                                   ends_at=at(11, day=day + timedelta(days=1)))
        SessionRoleFactory(session=moved, person=speaker, role="speaker")
        SessionRoleFactory(session=moved, person=chair, role="chair")
        SessionRoleFactory(session=cancelled, person=speaker, role="speaker")
        SessionRoleFactory(session=untouched, person=bystander, role="speaker")
        return cls(forum, hall, other_hall, speaker, chair, bystander, moved, cancelled, untouched)


def publish(forum: Forum, capture) -> ScheduleVersion:
    """Publish as the organizers do; the calendar e-mails follow on commit (eager Celery)."""
    with capture(execute=True):
        with transaction.atomic():
            version = schedule_publish(forum=forum)
    return version


def star(user, session):
    """Put a session on a signed-in attendee's own agenda ("my agenda")."""
    from sessions.models import StarredSession

    return StarredSession.objects.create(user=user, session=session)


def attendee_user(**kwargs):
    return UserFactory(**kwargs)
