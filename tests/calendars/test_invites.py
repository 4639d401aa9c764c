"""The attendee's confirmation calendar and the speaker portal's download."""

import icalendar
import pytest
import vobject

from calendars import invites
from calendars.models import CalendarSettings
from sessions import ics
from tests.factories import ForumFactory, UserFactory
from tests.forum.mailing.factories import RegistrationFactory

from .factories import publish, star

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def parse(data: bytes):
    vobject.readOne(data.decode("utf-8"))
    return icalendar.Calendar.from_ical(data)


def test_attendee_confirmation_is_the_forum_as_one_event(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    registration = RegistrationFactory(forum=agenda.forum, full_name_ar="نورة السبيعي", language="ar")
    cal = parse(invites.attendee_confirmation_ics(registration=registration))
    assert cal["METHOD"] == "PUBLISH"
    [event] = cal.walk("VEVENT")
    assert event["UID"] == ics.forum_uid(agenda.forum.pk)
    assert event.decoded("DTSTART") == agenda.forum.first_day
    assert event["ATTENDEE"].params["CN"] == "نورة السبيعي"
    assert str(event["ATTENDEE"]) == f"mailto:{registration.email}"
    assert event["ORGANIZER"].params["CN"] == agenda.forum.organizer.name_ar
    assert "فندق برج الساعة" in event["LOCATION"]


def test_attendee_confirmation_one_event_per_day_when_set(agenda, django_capture_on_commit_callbacks):
    CalendarSettings.objects.create(forum=agenda.forum, forum_event_per_day=True)
    publish(agenda.forum, django_capture_on_commit_callbacks)
    registration = RegistrationFactory(forum=agenda.forum)
    cal = parse(invites.attendee_confirmation_ics(registration=registration))
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [
        ics.forum_uid(agenda.forum.pk, day) for day in agenda.forum.days]
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == agenda.forum.time_zone


def test_attendee_confirmation_includes_starred_published_sessions(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    user = UserFactory()
    registration = RegistrationFactory(forum=agenda.forum, user=user, email=user.email)
    star(user, agenda.moved)
    cal = parse(invites.attendee_confirmation_ics(registration=registration))
    found = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert found == {ics.forum_uid(agenda.forum.pk), ics.session_uid(agenda.forum.pk, agenda.moved.pk)}


def test_attendee_confirmation_before_publication_has_the_forum_only():
    forum = ForumFactory()
    registration = RegistrationFactory(forum=forum)
    cal = parse(invites.attendee_confirmation_ics(registration=registration))
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [ics.forum_uid(forum.pk)]


def test_person_sessions_ics_has_their_sessions_with_roles(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    cal = parse(invites.person_sessions_ics(forum=agenda.forum, person=agenda.chair))
    [event] = cal.walk("VEVENT")
    assert event["UID"] == ics.session_uid(agenda.forum.pk, agenda.moved.pk)
    assert event["ATTENDEE"].params["ROLE"] == "CHAIR"
    assert "دورك: رئيس الجلسة" in str(event["DESCRIPTION"])
