"""sessions.ics.to_bytes folds lines itself: the same text as icalendar's own to_ical()."""

import icalendar
import pytest

from sessions import ics
from tests.frontend.factories import big_agenda, small_agenda

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", [
    "",
    "x" * 73, "x" * 74, "x" * 75, "x" * 200,
    "ملتقى الجودة والتميز " * 12,
    "a" * 72 + "é" + "b" * 80,
    "a" * 73 + "\\" + ",rest" * 30,
    "a" * 73 + "^" + "n" * 30,
    "\\" * 160,
    "ب" * 36 + "\\" + ";" + "ج" * 50,
    "😀" * 40,
])
def test_to_bytes_folds_a_line_as_icalendar_does(text):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//")
    event = icalendar.Event()
    event.add("summary", text)
    event.add("description", "x " + text)
    event.add("x-raw", icalendar.vText(text))
    cal.add_component(event)
    assert ics.to_bytes(cal) == cal.to_ical()


def test_to_bytes_of_a_forum_calendar_is_icalendars_text():
    for forum_data in (small_agenda(), big_agenda(sessions=60, people=180)):
        snapshot = forum_data["version"].snapshot
        cal = ics.calendar_from_snapshot(snapshot, method="PUBLISH", base_url="https://example.org",
                                         include_forum_event=True, forum_event_per_day=True)
        text = ics.to_bytes(cal)
        assert text == cal.to_ical()
        assert max(len(line) for line in text.split(b"\r\n")) <= 75
