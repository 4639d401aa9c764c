"""Prayer times at the venue, computed by adhanpy and corrected by hand.

The agenda is built around prayer times: a session should not run through
one. Each forum day has five prayer times at the venue's coordinates, with
the calculation method chosen on the forum (Umm al-Qura for Saudi venues).
An organizer may override any of them for a day (PrayerTimeOverride).

A prayer is treated as a window of PRAYER_WINDOW_MINUTES from its time (the
call, the wait for the iqama and the prayer itself); a prayer break inserted
in one step covers exactly that window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from forum.formatting import hijri_parts
from forum.models import Forum

from .models import Prayer, PrayerTimeOverride

PRAYER_WINDOW_MINUTES = 20

# Forum.PrayerMethod value -> adhanpy CalculationMethod member name.
_METHODS = {
    "umm_al_qura": "UMM_AL_QURA",
    "muslim_world_league": "MUSLIM_WORLD_LEAGUE",
    "egyptian": "EGYPTIAN",
    "karachi": "KARACHI",
    "dubai": "DUBAI",
    "kuwait": "KUWAIT",
    "qatar": "QATAR",
    "north_america": "NORTH_AMERICA",
}


@dataclass(frozen=True)
class PrayerTime:
    day: date
    prayer: str
    at: datetime  # aware, in the forum's time zone
    source: str  # "computed" or "override"
    computed_at: datetime | None

    @property
    def window_end(self) -> datetime:
        return self.at + timedelta(minutes=PRAYER_WINDOW_MINUTES)

    @property
    def label(self) -> str:
        return prayer_label(self.prayer)


def prayer_label(prayer: str) -> str:
    return str(Prayer(prayer).label)


def prayer_break_title(prayer: str) -> str:
    labels = {
        "fajr": pgettext("prayer break", "Fajr prayer"),
        "dhuhr": pgettext("prayer break", "Dhuhr prayer"),
        "asr": pgettext("prayer break", "Asr prayer"),
        "maghrib": pgettext("prayer break", "Maghrib prayer"),
        "isha": pgettext("prayer break", "Isha prayer"),
    }
    return labels.get(prayer, _("Prayer break"))


@lru_cache(maxsize=2048)
def _computed(latitude: float, longitude: float, method: str, day: date, tz_name: str) -> dict[str, datetime]:
    from adhanpy.calculation.CalculationMethod import CalculationMethod
    from adhanpy.PrayerTimes import PrayerTimes

    tz = ZoneInfo(tz_name)
    times = PrayerTimes(
        (latitude, longitude),
        datetime(day.year, day.month, day.day),
        calculation_method=CalculationMethod[_METHODS.get(method, "UMM_AL_QURA")],
        time_zone=tz,
    )
    result = {prayer: getattr(times, prayer).astimezone(tz) for prayer in Prayer.values}
    if method == "umm_al_qura" and _is_ramadan(day):
        # Umm al-Qura keeps Isha 90 minutes after Maghrib, and 120 in Ramadan.
        result["isha"] += timedelta(minutes=30)
    return result


def _is_ramadan(day: date) -> bool:
    try:
        return hijri_parts(day)[1] == 9
    except (OverflowError, ValueError):
        return False


def computed_prayer_times(*, forum: Forum, day: date) -> dict[str, datetime]:
    """The five computed times for a day, or {} when the venue has no coordinates."""
    if forum.latitude is None or forum.longitude is None:
        return {}
    return _computed(float(forum.latitude), float(forum.longitude), forum.prayer_method, day, forum.time_zone)


def prayer_times_for_forum(*, forum: Forum, overrides: list[PrayerTimeOverride] | None = None) -> list[PrayerTime]:
    """Every prayer time of every forum day, overrides applied, in time order (one query for overrides)."""
    if overrides is None:
        overrides = list(PrayerTimeOverride.objects.filter(forum=forum))
    by_key = {(o.day, o.prayer): o for o in overrides}
    tz = forum.tzinfo
    result: list[PrayerTime] = []
    for day in forum.days:
        computed = computed_prayer_times(forum=forum, day=day)
        for prayer in Prayer.values:
            override = by_key.get((day, prayer))
            computed_at = computed.get(prayer)
            if override is not None:
                at = datetime.combine(day, override.time, tzinfo=tz)
                result.append(PrayerTime(day, prayer, at, "override", computed_at))
            elif computed_at is not None:
                result.append(PrayerTime(day, prayer, computed_at, "computed", computed_at))
    result.sort(key=lambda p: p.at)
    return result


def local_time(value: datetime, tz) -> time:
    return value.astimezone(tz).time()
