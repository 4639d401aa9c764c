"""sessions.ics.calendar_bytes writes the calendar directly: byte for byte what the icalendar builder
(`to_bytes(calendar_from_snapshot(...))`, the reference) gives for the same arguments."""

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from sessions import ics
from sessions.models import ScheduleVersion
from tests.frontend.factories import big_agenda, small_agenda

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 12, 5, 10, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Riyadh"))
BASE = "https://example.org"


def same_bytes(snapshot, sessions=None, **options) -> bytes:
    options.setdefault("stamp", STAMP)
    reference = ics.to_bytes(ics.calendar_from_snapshot(snapshot, sessions, **options))
    written = ics.calendar_bytes(snapshot, sessions, **options)
    assert written == reference
    return written


@pytest.fixture
def agenda():
    return small_agenda()


def test_calendar_bytes_of_the_300_session_agenda_is_the_builders():
    snapshot = big_agenda()["version"].snapshot
    assert len(snapshot["sessions"]) == 300
    text = same_bytes(snapshot, method="PUBLISH", base_url=BASE,
                      sequences={s["id"]: 3 for s in snapshot["sessions"]})
    assert text.count(b"BEGIN:VEVENT") == 300 and text.count(b"BEGIN:VTIMEZONE") == 1
    same_bytes(snapshot, method="PUBLISH", include_forum_event=True, forum_event_per_day=True, refresh_minutes=60)


def test_calendar_bytes_of_the_demo_forums_are_the_builders():
    call_command("seed_demo", verbosity=0)
    latest = {v.forum_id: v for v in ScheduleVersion.objects.order_by("number")}  # the last one of each forum
    assert len(latest) == 2
    for version in latest.values():
        snapshot = version.snapshot
        chair = next(r for s in snapshot["sessions"] for r in s.get("roles", []) if r["role"] == "chair")
        same_bytes(snapshot, method="PUBLISH", base_url=BASE, include_forum_event=True)
        same_bytes(snapshot, method="REQUEST", include_forum_event=True, forum_event_per_day=True,
                   attendee={"email": "chair@example.org", "name": "رئيس، الجلسة", "person_id": chair["person_id"],
                             "language": "ar"})


def attendee_of(agenda, who, *, email="p@example.org", name="Sarah Al-Qahtani", language="en"):
    return {"email": email, "name": name, "person_id": agenda[who].pk if who else None, "language": language}


@pytest.mark.parametrize("method, who, email, name, language", [
    (None, None, "", "", ""),
    ("PUBLISH", None, "", "", ""),
    ("PUBLISH", "chair", "", "طارق العمري", "ar"),  # roles in the description, no ATTENDEE line
    ("PUBLISH", "speaker", "s@example.org", "", ""),  # no CN, no LANGUAGE
    ("REQUEST", "chair", "chair@example.org", "Al-Omari, Tariq; Eng.", "ar"),  # CHAIR, CN quoted
    ("REQUEST", "speaker", "s@example.org", "SarahQ", "en"),  # REQ-PARTICIPANT, CN unquoted
    ("REQUEST", "panelist", "k@example.org", 'Khalid "the" Z\'s ^ name\nnext’', "en"),
    ("CANCEL", None, "x@example.org", "Someone Else", "ar"),  # OPT-PARTICIPANT
])
def test_calendar_bytes_with_a_method_and_an_attendee_is_the_builders(agenda, method, who, email, name, language):
    snapshot = agenda["version"].snapshot
    attendee = None if method is None else attendee_of(agenda, who, email=email, name=name, language=language)
    if attendee is not None and not email and method in ("REQUEST", "CANCEL"):
        attendee = None
    for options in ({}, {"include_forum_event": True}, {"include_forum_event": True, "forum_event_per_day": True},
                    {"refresh_minutes": 30, "calendar_uid": ics.person_uid(1, "person-12")}):
        same_bytes(snapshot, method=method, attendee=attendee, base_url=BASE, **options)


def test_calendar_bytes_of_one_session_under_cancel_is_the_builders(agenda):
    snapshot = agenda["version"].snapshot
    removed = [s for s in snapshot["sessions"] if s["id"] == agenda["first"].pk]
    text = same_bytes(snapshot, removed, method="CANCEL", attendee=attendee_of(agenda, "chair"),
                      sequences={agenda["first"].pk: 4}, name="تقويمي, mine")
    assert b"STATUS:CANCELLED" in text and b"SEQUENCE:4" in text


def test_calendar_bytes_of_a_cancelled_session_is_the_builders(agenda):
    snapshot = agenda["version"].snapshot
    assert any(s["status"] == "cancelled" for s in snapshot["sessions"])
    text = same_bytes(snapshot, method="PUBLISH", include_forum_event=True, forum_event_per_day=True)
    assert b"TRANSP:TRANSPARENT" in text


@pytest.mark.parametrize("minutes", [1, 15, 90, 1440, 1441, 10080])
def test_calendar_bytes_with_a_refresh_interval_is_the_builders(agenda, minutes):
    same_bytes(agenda["version"].snapshot, refresh_minutes=minutes, calendar_uid="team;a,b\\c")


AWKWARD = [
    "Semi;colon, comma\\back\\slash\nnew line\r\nCRLF\rCR and \\N literal",
    "ملتقى الجودة والتميز، الرياض؛ \"اقتباس\" ^ كاريت " * 4,
    "a" * 62 + "\\" + ",;" * 40,
    "x" * 63 + "é" * 30 + "😀" * 20,
    "ب" * 31 + "\\" + ";" + "ج" * 50,
    "",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_calendar_bytes_of_awkward_text_is_the_builders(agenda, text):
    snapshot = copy.deepcopy(agenda["version"].snapshot)
    forum = snapshot["forum"]
    forum.update(title_ar=text, title_en=text[::-1], venue_name_ar=text, organizer_ar=text or "منظم: أ; ب")
    for session in snapshot["sessions"]:
        session.update(title_ar=text + session["title_ar"], description_ar=text, description_en=text * 2)
    for hall in snapshot["halls"]:
        hall["name_en"] = text + hall["name_en"]
    for track in snapshot["tracks"]:
        track["name_ar"] = text
    for person in snapshot["people"].values():
        person["display_name_ar"] = text + person.get("display_name_ar", "")
    attendee = attendee_of(agenda, "chair", name=text, language="ar")
    same_bytes(snapshot, method="REQUEST", attendee=attendee, include_forum_event=True, forum_event_per_day=True,
               name=text or None, base_url=BASE + "/a,b;c")


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Riyadh"])
def test_calendar_bytes_in_another_time_zone_is_the_builders(agenda, zone):
    snapshot = copy.deepcopy(agenda["version"].snapshot)
    snapshot["forum"]["time_zone"] = zone
    same_bytes(snapshot, method="PUBLISH", include_forum_event=True, forum_event_per_day=True)
    same_bytes(snapshot, method="PUBLISH", include_forum_event=True, forum_event_per_day=True)  # cached VTIMEZONE


def test_calendar_bytes_without_timed_events_has_no_vtimezone(agenda):
    snapshot = agenda["version"].snapshot
    text = same_bytes(snapshot, [], include_forum_event=True)
    assert b"VTIMEZONE" not in text and b"DTSTART;VALUE=DATE:" in text
    assert b"BEGIN:VEVENT" not in same_bytes(snapshot, [])


def test_calendar_bytes_stamps_now_in_utc_to_the_second(agenda):
    before = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    text = ics.calendar_bytes(agenda["version"].snapshot)
    after = datetime.now(ZoneInfo("UTC")) + timedelta(seconds=1)
    stamp = next(line for line in text.split(b"\r\n") if line.startswith(b"DTSTAMP:"))
    written = datetime.strptime(stamp.decode(), "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
    assert before <= written <= after


@pytest.mark.parametrize("method, attendee", [("PUBLISHED", None), ("REQUEST", None),
                                              ("CANCEL", {"email": "", "name": "x"})])
def test_calendar_bytes_with_a_bad_method_or_attendee_raises_as_the_builder(agenda, method, attendee):
    snapshot = agenda["version"].snapshot
    for build in (ics.calendar_from_snapshot, ics.calendar_bytes):
        with pytest.raises(ValueError):
            build(snapshot, method=method, attendee=attendee)


def test_calendar_bytes_without_a_hall_venue_or_track_is_the_builders(agenda):
    snapshot = copy.deepcopy(agenda["version"].snapshot)
    snapshot["forum"].update(venue_name_ar="", venue_name_en="", organizer_ar="", organizer_en="")
    for session in snapshot["sessions"]:
        session.update(hall_id=None, track_id=None)
    text = same_bytes(snapshot, method="REQUEST", attendee=attendee_of(agenda, "speaker"), include_forum_event=True)
    assert b"LOCATION" not in text and b"CATEGORIES" not in text


@pytest.mark.parametrize("role", ["co_chair", "moderator", "host"])
def test_calendar_bytes_with_other_roles_of_the_attendee_is_the_builders(agenda, role):
    snapshot = copy.deepcopy(agenda["version"].snapshot)
    for session in snapshot["sessions"]:
        session["roles"] = [{**r, "role": role} for r in session.get("roles", [])]
    same_bytes(snapshot, method="REQUEST", attendee=attendee_of(agenda, "chair"))
    same_bytes(snapshot, method="PUBLISH", attendee=attendee_of(agenda, "panelist", email=""))
