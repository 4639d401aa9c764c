"""The changes of a publication in words, for the e-mail that carries the .ics files.

Called with a language active-to-be; every sentence goes through gettext.
Dates carry the Hijri (Umm al-Qura) date beside the Gregorian one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _

from forum import formatting as fmt
from sessions import ics
from sessions.snapshot import AgendaSnapshot


def _lang(language: str) -> str:
    return "en" if (language or "ar").startswith("en") else "ar"


def when(starts_at: str, ends_at: str, tz: ZoneInfo, language: str) -> str:
    """«الأحد 25 أكتوبر 2026م (14 ربيع الآخر 1448هـ)، 10:00–11:00»."""
    lang = _lang(language)
    start: datetime = ics.local_time(starts_at, tz)
    end: datetime = ics.local_time(ends_at, tz)
    try:
        hijri_text = fmt.hijri_date(start.date(), lang, digits="latn")
    except (ValueError, OverflowError):  # outside the Umm al-Qura tables
        hijri_text = ""
    day = fmt.gregorian_date(start.date(), lang, digits="latn", weekday=True)
    if hijri_text:
        day += f" ({hijri_text})"
    times = f"{start:%H:%M}–{end:%H:%M}"
    zone = start.tzname() or ""
    if zone.isalpha():  # CET/CEST say something; "+03" does not
        times += f" {zone}"
    # Isolated, so that the digits keep their order inside Arabic text.
    return f"{day}{'، ' if lang == 'ar' else ', '}\u2068{times}\u2069"


def _hall(snapshot: AgendaSnapshot | None, hall_id, language: str) -> str:
    for hall in (snapshot or {}).get("halls", []):
        if hall["id"] == hall_id:
            return (hall.get("name_en") or hall["name_ar"]) if _lang(language) == "en" else hall["name_ar"]
    return ""


def _title(data: dict, language: str, prefix: str = "") -> str:
    ar, en = data.get(f"{prefix}title_ar", ""), data.get(f"{prefix}title_en", "")
    return (en or ar) if _lang(language) == "en" else (ar or en)


def _roles(session: dict, person, language: str) -> str:
    if person is None:
        return ""
    index = 1 if _lang(language) == "en" else 0
    names = [ics.ROLE_NAMES.get(r["role"], (r["role"], r["role"]))[index]
             for r in session.get("roles", []) if r["person_id"] == person.pk]
    return ("، " if index == 0 else ", ").join(names)


def describe(change: dict, snapshot: AgendaSnapshot, language: str, person=None) -> str:
    """One sentence for one session's change as it concerns this recipient."""
    with translation.override(_lang(language)):
        return _describe(change, snapshot, language, person)


def _describe(change: dict, snapshot: AgendaSnapshot, language: str, person) -> str:
    session, action, entries = change["session"], change["action"], change["entries"]
    tz = ZoneInfo(snapshot["forum"].get("time_zone") or "Asia/Riyadh")
    types = {e["type"] for e in entries}
    title = _title(session, language)
    place = _hall(snapshot, session.get("hall_id"), language)
    at = when(session["starts_at"], session["ends_at"], tz, language)
    roles = _roles(session, person, language)
    where = f"{at}{'، ' if _lang(language) == 'ar' else ', '}{place}" if place else at

    if action == "cancel":
        if "removed" in types:
            return _("The session “%(title)s” has been removed from the agenda.") % {"title": title}
        if "cancelled" in types:
            return _("The session “%(title)s” (%(when)s) has been cancelled.") % {"title": title, "when": at}
        return _("You no longer take part in the session “%(title)s” (%(when)s).") % {"title": title, "when": at}
    if action == "invite":
        if "restored" in types:
            text = _("The session “%(title)s” is back on the agenda: %(where)s.") % {"title": title, "where": where}
        elif not entries:
            text = _("“%(title)s”: %(where)s.") % {"title": title, "where": where}
        else:
            text = _("You have been added to the session “%(title)s”: %(where)s.") % {"title": title,
                                                                                       "where": where}
        if roles:
            text += " " + _("Your role: %(roles)s.") % {"roles": roles}
        return text
    parts = []
    for entry in entries:
        if entry["type"] == "moved":
            old_at = when(entry["old_starts_at"], entry["old_ends_at"], tz, language)
            old_place = _hall(snapshot, entry.get("old_hall_id"), language) or entry.get("old_hall_ar", "")
            old_where = f"{old_at}{'، ' if _lang(language) == 'ar' else ', '}{old_place}" if old_place else old_at
            parts.append(_("The session “%(title)s” has moved: it was %(old)s; it is now %(new)s.")
                         % {"title": title, "old": old_where, "new": where})
        elif entry["type"] == "retitled":
            parts.append(_("The session “%(old)s” is now called “%(title)s”.")
                         % {"old": _title(entry, language, "old_"), "title": title})
    if not parts:
        parts.append(_("Your part in the session “%(title)s” has changed: %(roles)s.")
                     % {"title": title, "roles": roles or "—"})
    return " ".join(parts)
