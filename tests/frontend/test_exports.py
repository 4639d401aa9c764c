"""frab schedule.xml/json validated against the c3voc schemas, and the iCalendar exports."""

import json
from pathlib import Path

import icalendar
import jsonschema
import pytest
from django.conf import settings
from lxml import etree

from sessions.services import schedule_publish, session_update

from .factories import big_agenda, small_agenda

pytestmark = pytest.mark.django_db

FORMATS = Path(settings.BASE_DIR).parent / "shared" / "formats"


@pytest.fixture(scope="module")
def xsd():
    return etree.XMLSchema(etree.parse(str(FORMATS / "schedule.xml.xsd")))


@pytest.fixture(scope="module")
def json_schema():
    return json.loads((FORMATS / "schedule.schema.json").read_text(encoding="utf-8"))


def _validate_json(document, schema):
    jsonschema.validate(document, schema, cls=jsonschema.Draft6Validator, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_schedule_xml_is_valid_against_the_frab_xsd(client, xsd, prefix):
    d = small_agenda()
    response = client.get(f"{prefix}/forums/{d['forum'].slug}/schedule.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    xsd.assertValid(document)
    events = document.findall("day/room/event")
    assert len(events) == 4
    assert [day.get("index") for day in document.findall("day")] == ["1", "2"]
    assert document.findtext("version") == "1"
    first = next(e for e in events if e.get("id") == str(d["first"].pk))
    assert first.findtext("start") == "10:30"
    assert first.findtext("duration") == "01:30"
    names = [p.text for p in first.findall("persons/person")]
    assert len(names) == 2
    cancelled = next(e for e in events if e.get("id") == str(d["cancelled"].pk))
    assert "جلسة ملغاة" in cancelled.findtext("title") or "cancelled session" in cancelled.findtext("title")


def test_schedule_json_is_valid_against_the_frab_json_schema(client, json_schema):
    d = small_agenda()
    response = client.get(f"/forums/{d['forum'].slug}/schedule.json")
    assert response.status_code == 200
    document = response.json()
    _validate_json(document, json_schema)
    conference = document["schedule"]["conference"]
    assert conference["daysCount"] == 2
    assert conference["time_zone_name"] == "Asia/Riyadh"
    rooms = conference["days"][0]["rooms"]
    assert set(rooms) == {"القاعة الكبرى", "قاعة الياسمين"}
    event = next(e for e in rooms["القاعة الكبرى"] if e["id"] == d["first"].pk)
    assert event["date"] == "2018-10-29T10:30:00+03:00"
    assert event["duration"] == "01:30"


def test_big_forum_exports_are_valid(client, xsd, json_schema):
    d = big_agenda(sessions=60, people=120)
    slug = d["forum"].slug
    xsd.assertValid(etree.fromstring(client.get(f"/forums/{slug}/schedule.xml").content))
    document = client.get(f"/en/forums/{slug}/schedule.json").json()
    _validate_json(document, json_schema)
    assert sum(len(evs) for day in document["schedule"]["conference"]["days"] for evs in day["rooms"].values()) == 60


def test_frab_guids_stay_the_same_across_versions(client):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/schedule.json"

    def guids():
        days = client.get(url).json()["schedule"]["conference"]["days"]
        return {e["id"]: e["guid"] for day in days for evs in day["rooms"].values() for e in evs}

    before = guids()
    session_update(session=d["first"], title_ar="عنوان جديد")
    schedule_publish(forum=d["forum"])
    after = guids()
    assert before == after
    assert len(set(before.values())) == len(before)


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(cal):
    return [c for c in cal.walk("VEVENT")]


def test_forum_calendar_has_every_session_vtimezone_stable_uids_and_cancelled_status(client):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda.ics"
    cal = _calendar(client.get(url))
    events = _events(cal)
    assert len(events) == 4
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Riyadh"]
    by_uid = {str(e["UID"]): e for e in events}
    cancelled = next(e for e in events if "جلسة ملغاة" in str(e["SUMMARY"]))
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(next(e for e in events if "حفل الافتتاح" in str(e["SUMMARY"]))["STATUS"]) == "CONFIRMED"
    # A new version keeps the UIDs, so calendars update entries in place.
    session_update(session=d["first"], title_ar="عنوان معدّل")
    schedule_publish(forum=d["forum"])
    again = {str(e["UID"]): e for e in _events(_calendar(client.get(url)))}
    assert set(again) == set(by_uid)


def test_session_hall_track_and_person_calendars_hold_their_sessions(client):
    d = small_agenda()
    slug = d["forum"].slug
    assert len(_events(_calendar(client.get(f"/forums/{slug}/sessions/{d['first'].pk}/calendar.ics")))) == 1
    side = d["halls"][1]
    hall_events = _events(_calendar(client.get(f"/forums/{slug}/halls/{side.pk}/calendar.ics")))
    assert {str(e["SUMMARY"]).split(" / ")[0] for e in hall_events} == {"حوار مع رؤساء البلديات", "جلسة ملغاة"}
    track_events = _events(_calendar(client.get(f"/forums/{slug}/tracks/{d['track'].pk}/calendar.ics")))
    assert len(track_events) == 1
    person_events = _events(_calendar(client.get(f"/forums/{slug}/speakers/{d['speaker'].pk}/calendar.ics")))
    assert len(person_events) == 1
    assert client.get(f"/forums/{slug}/halls/999999/calendar.ics").status_code == 404
    assert client.get(f"/forums/{slug}/sessions/999999/calendar.ics").status_code == 404


def test_my_agenda_calendar_holds_the_starred_ids(client):
    d = small_agenda()
    slug = d["forum"].slug
    ids = f"{d['first'].pk},{d['second'].pk},999999,abc"
    events = _events(_calendar(client.get(f"/forums/{slug}/my-agenda.ics?ids={ids}")))
    assert len(events) == 2


def test_exports_answer_304_to_a_repeat_with_the_etag(client):
    d = small_agenda()
    for url in (f"/forums/{d['forum'].slug}/schedule.xml", f"/forums/{d['forum'].slug}/agenda.ics"):
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_my_agenda_calendar_of_a_signed_in_user_holds_their_server_stars(client):
    from sessions.models import StarredSession
    from tests.factories import UserFactory

    d = small_agenda()
    user = UserFactory()
    StarredSession.objects.create(user=user, session=d["second"])
    client.force_login(user)
    events = _events(_calendar(client.get(f"/forums/{d['forum'].slug}/my-agenda.ics")))
    assert [str(e["SUMMARY"]).split(" / ")[0] for e in events] == ["حوار مع رؤساء البلديات"]


def test_exports_of_a_draft_forum_are_404_for_outsiders(client):
    from tests.factories import ForumFactory, UserFactory

    d = small_agenda(ForumFactory(status="draft"))
    client.force_login(UserFactory())
    slug = d["forum"].slug
    for url in (f"/forums/{slug}/schedule.xml", f"/forums/{slug}/schedule.json", f"/forums/{slug}/agenda.ics",
                f"/forums/{slug}/halls/{d['halls'][0].pk}/calendar.ics", f"/forums/{slug}/my-agenda.ics"):
        assert client.get(url).status_code == 404, url
