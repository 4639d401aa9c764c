"""Attendance recorded the way the forum records it: badges scanned at session checkpoints."""

from datetime import datetime, time, timedelta

from forum.models import TeamMember
from registration.badges import services as badge_services
from registration.badges.models import Checkpoint
from tests.factories import SessionFactory, TeamMemberFactory
from tests.registration.badges.factories import forum_today


def forum_with_sessions(n: int, *, hours_each: float = 1.0, **forum_kwargs):
    """A forum running today with `n` sessions of `hours_each` hours, one after the other."""
    forum = forum_today(**forum_kwargs)
    start = datetime.combine(forum.first_day, time(8, 0), tzinfo=forum.tzinfo)
    sessions = []
    for i in range(n):
        begins = start + timedelta(hours=i * hours_each)
        sessions.append(SessionFactory(forum=forum, starts_at=begins, ends_at=begins + timedelta(hours=hours_each),
                                       number=i + 1))
    badge_services.checkpoints_ensure(forum=forum)
    return forum, sessions


def checkin_staff(forum):
    """The forum's check-in staff member (one per forum: making users hashes passwords, which is slow)."""
    member = TeamMember.objects.filter(forum=forum, role="checkin").select_related("user").first()
    return member.user if member else TeamMemberFactory(forum=forum, role="checkin").user


def attend(registration, sessions, *, staff=None):
    """Scan the attendee's badge at each session's checkpoint (and so at the forum)."""
    staff = staff or checkin_staff(registration.forum)
    badge = badge_services.badge_issue(registration=registration)
    for session in sessions:
        checkpoint = Checkpoint.objects.get(session=session)
        scan = badge_services.check_in_badge(token=badge.token, checkpoint=checkpoint, staff=staff)
        assert scan.outcome == "admitted", scan.outcome
    return staff


def admit_at_door(registration, *, staff=None):
    staff = staff or checkin_staff(registration.forum)
    badge = badge_services.badge_issue(registration=registration)
    door = Checkpoint.objects.get(forum=registration.forum, kind=Checkpoint.Kind.DOOR)
    assert badge_services.check_in_badge(token=badge.token, checkpoint=door, staff=staff).outcome == "admitted"
