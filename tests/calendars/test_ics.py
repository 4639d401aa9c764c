"""Every .ics parses with icalendar and with vobject and says what RFC 5545/5546 need."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.conf import settings

from sessions import ics
from sessions.selectors import agenda_snapshot_build
from tests.factories import ForumFactory, HallFactory, PersonFactory, SessionFactory, SessionRoleFactory

pytestmark = pytest.mark.django_db

VIENNA = ZoneInfo("Europe/Vienna")


def parse_both(data: bytes):
    """(icalendar calendar, vobject calendar): both must accept the file."""
    cal = icalendar.Calendar.from_ical(data)
    vcal = vobject.readOne(data.decode("utf-8"))
    return cal, vcal


def events(cal):
    return list(cal.walk("VEVENT"))


def test_calendar_request_has_the_itip_properties(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    session = next(s for s in snapshot["sessions"] if s["id"] == agenda.moved.pk)
    attendee = {"email": agenda.speaker.email, "name": agenda.speaker.display_name_ar,
                "person_id": agenda.speaker.pk}
    data = ics.to_bytes(ics.calendar_from_snapshot(snapshot, [session], method="REQUEST", attendee=attendee,
                                                   sequences={session["id"]: 4}))
    cal, vcal = parse_both(data)
    assert cal["METHOD"] == "REQUEST" and vcal.method.value == "REQUEST"
    [event] = events(cal)
    assert event["UID"] == ics.session_uid(agenda.forum.pk, agenda.moved.pk)
    assert event["SEQUENCE"] == 4
    assert isinstance(event.decoded("DTSTAMP"), datetime)
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:forum@example.org"
    assert organizer.params["CN"] == agenda.forum.organizer.name_ar
    attendee_prop = event["ATTENDEE"]
    assert str(attendee_prop) == f"mailto:{agenda.speaker.email}"
    assert attendee_prop.params["CN"] == agenda.speaker.display_name_ar
    assert "القاعة الكبرى" in event["LOCATION"] and "فندق برج الساعة" in event["LOCATION"]
    assert "Grand hall" in event["LOCATION"]
    summary = str(event["SUMMARY"])
    assert summary.index("الجلسة الأولى") < summary.index("First session")
    description = str(event["DESCRIPTION"])
    assert description.index("دورك: متحدث") < description.index("Your role: Speaker")
    assert str(event["URL"]) == f"{settings.SITE_URL}/forums/{agenda.forum.slug}/sessions/{agenda.moved.pk}/"
    assert event["STATUS"] == "CONFIRMED"
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Asia/Riyadh"
    assert event["DTSTART"].params["TZID"] == "Asia/Riyadh"
    # Riyadh is UTC+3 all year: 10:00 there is 07:00 UTC, in both parsers.
    assert event.decoded("DTSTART").astimezone(UTC).hour == 7
    [vevent] = vcal.vevent_list
    assert vevent.dtstart.value.astimezone(UTC).hour == 7
    assert vevent.uid.value == event["UID"]


def test_calendar_chair_is_attendee_role_chair(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    session = next(s for s in snapshot["sessions"] if s["id"] == agenda.moved.pk)
    data = ics.to_bytes(ics.calendar_from_snapshot(
        snapshot, [session], method="REQUEST",
        attendee={"email": agenda.chair.email, "name": "x", "person_id": agenda.chair.pk},
    ))
    cal, _ = parse_both(data)
    [event] = events(cal)
    assert event["ATTENDEE"].params["ROLE"] == "CHAIR"
    assert "دورك: رئيس الجلسة" in str(event["DESCRIPTION"])


def test_calendar_cancelled_session_is_status_cancelled(agenda):
    agenda.cancelled.status = "cancelled"
    agenda.cancelled.save()
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    cal, vcal = parse_both(ics.to_bytes(ics.calendar_from_snapshot(snapshot, method="PUBLISH")))
    status = {str(e["UID"]): str(e["STATUS"]) for e in events(cal)}
    assert status[ics.session_uid(agenda.forum.pk, agenda.cancelled.pk)] == "CANCELLED"
    assert status[ics.session_uid(agenda.forum.pk, agenda.moved.pk)] == "CONFIRMED"
    assert len(vcal.vevent_list) == 3


def test_calendar_cancel_method_cancels_every_event(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    data = ics.to_bytes(ics.calendar_from_snapshot(
        snapshot, snapshot["sessions"][:1], method="CANCEL",
        attendee={"email": "a@example.org", "name": "A"}, sequences={snapshot["sessions"][0]["id"]: 3},
    ))
    cal, vcal = parse_both(data)
    assert cal["METHOD"] == "CANCEL"
    [event] = events(cal)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 3


def test_calendar_request_without_attendee_is_refused(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    with pytest.raises(ValueError):
        ics.calendar_from_snapshot(snapshot, method="REQUEST")
    with pytest.raises(ValueError):
        ics.calendar_from_snapshot(snapshot, method="REFRESH")


def test_calendar_times_across_vienna_dst_change():
    """25 Oct 2026: clocks go back 03:00 CEST -> 02:00 CET. A 01:30–03:30 session lasts three hours."""
    forum = ForumFactory(time_zone="Europe/Vienna", first_day=date(2026, 10, 24), last_day=date(2026, 10, 25))
    hall = HallFactory(forum=forum)
    before = SessionFactory(forum=forum, hall=hall, starts_at=datetime(2026, 10, 24, 10, tzinfo=VIENNA),
                            ends_at=datetime(2026, 10, 24, 11, tzinfo=VIENNA))
    across = SessionFactory(forum=forum, hall=hall, starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=VIENNA),
                            ends_at=datetime(2026, 10, 25, 3, 30, tzinfo=VIENNA))
    after = SessionFactory(forum=forum, hall=hall, starts_at=datetime(2026, 10, 25, 10, tzinfo=VIENNA),
                           ends_at=datetime(2026, 10, 25, 11, tzinfo=VIENNA))
    snapshot = agenda_snapshot_build(forum=forum)
    data = ics.to_bytes(ics.calendar_from_snapshot(snapshot, method="PUBLISH", include_forum_event=True))
    cal, vcal = parse_both(data)

    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Vienna"
    offsets = {(c.name, c["TZOFFSETTO"].td) for c in tz.subcomponents}
    assert ("STANDARD", timedelta(hours=1)) in offsets and ("DAYLIGHT", timedelta(hours=2)) in offsets

    expected = {
        before.pk: (datetime(2026, 10, 24, 8, tzinfo=UTC), datetime(2026, 10, 24, 9, tzinfo=UTC)),
        across.pk: (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
        after.pk: (datetime(2026, 10, 25, 9, tzinfo=UTC), datetime(2026, 10, 25, 10, tzinfo=UTC)),
    }
    by_uid = {ics.session_uid(forum.pk, pk): times for pk, times in expected.items()}
    for event in events(cal):
        if event["UID"] in by_uid:
            assert event["DTSTART"].params["TZID"] == "Europe/Vienna"
            assert (event.decoded("DTSTART"), event.decoded("DTEND")) == by_uid[event["UID"]]
    for vevent in vcal.vevent_list:
        if vevent.uid.value in by_uid:
            start, end = by_uid[vevent.uid.value]
            assert vevent.dtstart.value.astimezone(UTC) == start
            assert vevent.dtend.value.astimezone(UTC) == end
            # The wall-clock time written in the file is Vienna's.
            assert vevent.dtstart.value.tzinfo is not None
    across_event = next(e for e in events(cal) if e["UID"] == ics.session_uid(forum.pk, across.pk))
    assert across_event["DTSTART"].to_ical() == b"20261025T013000"
    assert across_event["DTEND"].to_ical() == b"20261025T033000"
    assert (across_event.decoded("DTEND").astimezone(UTC) - across_event.decoded("DTSTART").astimezone(UTC)
            == timedelta(hours=3))


def test_calendar_forum_event_whole_or_per_day(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    whole, _ = parse_both(ics.to_bytes(ics.calendar_from_snapshot(snapshot, [], include_forum_event=True)))
    [event] = events(whole)
    assert event["UID"] == ics.forum_uid(agenda.forum.pk)
    assert event.decoded("DTSTART") == agenda.forum.first_day
    assert event.decoded("DTEND") == agenda.forum.last_day + timedelta(days=1)

    per_day, vcal = parse_both(ics.to_bytes(ics.calendar_from_snapshot(
        snapshot, [], include_forum_event=True, forum_event_per_day=True)))
    days = events(per_day)
    assert [e["UID"] for e in days] == [ics.forum_uid(agenda.forum.pk, d) for d in agenda.forum.days]
    # Each day runs from its first session to its last.
    assert days[0].decoded("DTSTART").hour == 10 and days[0].decoded("DTEND").hour == 12
    assert len(vcal.vevent_list) == 2


def test_calendar_uid_is_stable_across_versions(agenda):
    first = agenda_snapshot_build(forum=agenda.forum)
    agenda.moved.title_ar = "عنوان جديد"
    agenda.moved.save()
    second = agenda_snapshot_build(forum=agenda.forum)
    uids = [{str(e["UID"]) for e in events(icalendar.Calendar.from_ical(
        ics.to_bytes(ics.calendar_from_snapshot(s))))} for s in (first, second)]
    assert uids[0] == uids[1]


def test_calendar_person_names_and_items_in_description():
    forum = ForumFactory()
    session = SessionFactory(forum=forum)
    speaker = PersonFactory(honorific="doctor", full_name_ar="هند القحطاني", full_name_en="Hind Alqahtani")
    SessionRoleFactory(session=session, person=speaker, role="panelist")
    snapshot = agenda_snapshot_build(forum=forum)
    cal, _ = parse_both(ics.to_bytes(ics.calendar_from_snapshot(snapshot)))
    description = str(events(cal)[0]["DESCRIPTION"])
    assert "مشارك في الندوة: الدكتور هند القحطاني" in description
    assert "Panelist: Dr. Hind Alqahtani" in description
