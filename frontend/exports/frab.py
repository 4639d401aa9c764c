"""The frab/Fahrplan schedule (schedule.xml and schedule.json) of a published agenda.

Conference apps (Giggity, ConfClerk, EventFahrplan) and the c3voc tools read
this format. It is built from the published snapshot only. GUIDs are uuid5
of stable ids, so an app that imported version 1 updates its entries in place
when it reads version 2.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree

from sessions.snapshot import AgendaSnapshot

GENERATOR = {"name": "quality-forums", "version": "1.0"}
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
TIMESLOT = "00:05"
# Our session kinds in the words conference apps know.
EVENT_TYPES = {
    "papers": "talk",
    "keynote": "talk",
    "presentations": "talk",
    "symposium": "discussion",
    "workshop": "workshop",
    "opening": "ceremony",
    "closing": "ceremony",
    "honoring": "ceremony",
    "film": "screening",
    "break": "break",
    "prayer": "break",
}
CHAIR_FIRST = ("chair", "co_chair", "moderator", "mc", "speaker", "panelist")
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


def _guid(kind: str, *parts) -> str:
    base = settings.SITE_URL.rstrip("/")
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{kind}/" + "/".join(str(p) for p in parts)))


def session_guid(forum_id: int, session_id: int) -> str:
    return _guid("forums", forum_id, "sessions", session_id)


def person_guid(person_id: int) -> str:
    return _guid("people", person_id)


def room_guid(forum_id: int, hall_id: int | None) -> str:
    return _guid("forums", forum_id, "halls", hall_id if hall_id is not None else "plenary")


def acronym(slug: str) -> str:
    """frab acronyms allow no hyphen after the first character (schema.json) and need four characters."""
    text = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return text.ljust(4, "_")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _loc(obj: dict, field: str, lang: str) -> str:
    ar, en = obj.get(f"{field}_ar") or "", obj.get(f"{field}_en") or ""
    return (en or ar) if lang.startswith("en") else (ar or en)


def schedule_build(*, snapshot: AgendaSnapshot, version: int, lang: str, base_url: str, forum_url: str,
                   cancelled_label: str, plenary_label: str, published_paper_url=None) -> dict:
    """The schedule as plain data shared by the XML and JSON writers.

    `published_paper_url(paper_id)` returns the download URL of a published
    paper or None.
    """
    forum = snapshot["forum"]
    tz = ZoneInfo(forum.get("time_zone") or "Asia/Riyadh")
    halls = {h["id"]: h for h in snapshot.get("halls", [])}
    hall_rank = {h["id"]: (h.get("order", 0), h["id"]) for h in snapshot.get("halls", [])}
    tracks = {t["id"]: t for t in snapshot.get("tracks", [])}
    people = snapshot.get("people", {})
    code = acronym(forum["slug"])

    def when(value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)

    def room_name(hall_id) -> str:
        return _loc(halls[hall_id], "name", lang) if hall_id in halls else plenary_label

    first, last = date.fromisoformat(forum["first_day"]), date.fromisoformat(forum["last_day"])
    days: dict[date, list[dict]] = {first + timedelta(days=n): [] for n in range((last - first).days + 1)}
    events = []
    for s in snapshot.get("sessions", []):
        starts, ends = when(s["starts_at"]), when(s["ends_at"])
        minutes = max(int((ends - starts).total_seconds() // 60), 0)
        roles = sorted(s.get("roles", []), key=lambda r: (
            CHAIR_FIRST.index(r["role"]) if r["role"] in CHAIR_FIRST else 99, r.get("order", 0)))
        persons, seen = [], set()
        for r in roles:
            pid = r["person_id"]
            if pid in seen or str(pid) not in people:
                continue
            seen.add(pid)
            raw = people[str(pid)]
            persons.append({"id": pid, "guid": person_guid(pid), "name": _loc(raw, "display_name", lang)})
        for item in s.get("items", []):
            for pid in [item.get("presenter_id")] + list((item.get("paper") or {}).get("speaker_ids", [])):
                if pid is None or pid in seen or str(pid) not in people:
                    continue
                seen.add(pid)
                persons.append({"id": pid, "guid": person_guid(pid), "name": _loc(people[str(pid)], "display_name", lang)})
        papers = [i["paper"] for i in s.get("items", []) if i.get("paper")]
        attachments = []
        for paper in papers:
            url = published_paper_url(paper["id"]) if published_paper_url else None
            if url:
                attachments.append({"type": "paper", "url": url, "title": _loc(paper, "title", lang)})
        title = _loc(s, "title", lang)
        cancelled = s.get("status") == "cancelled"
        if cancelled:
            title = f"{cancelled_label}: {title}"
        track = tracks.get(s.get("track_id"))
        abstract = "\n".join(_loc(p, "title", lang) for p in papers)
        event = {
            "id": s["id"],
            "guid": session_guid(forum["id"], s["id"]),
            "date": starts.isoformat(),
            "end": ends.isoformat(),
            "start": starts.strftime("%H:%M"),
            "duration": _hhmm(minutes),
            "room": room_name(s.get("hall_id")),
            "hall_id": s.get("hall_id"),
            "slug": f"{code}-session-{s['id']}",
            "url": f"{forum_url}sessions/{s['id']}/",
            "title": title,
            "subtitle": "",
            "track": _loc(track, "name", lang) if track else "",
            "type": EVENT_TYPES.get(s["kind"], "other"),
            "language": "ar",
            "abstract": abstract,
            "description": _loc(s, "description", lang),
            "persons": persons,
            "links": [],
            "attachments": attachments,
            "_starts": starts,
            "_ends": ends,
        }
        events.append(event)
        days.setdefault(starts.date(), []).append(event)
    day_list = []
    for index, (day, todays) in enumerate(sorted(days.items()), start=1):
        todays.sort(key=lambda e: (e["_starts"], hall_rank.get(e["hall_id"], (-1, 0)), e["id"]))
        if todays:
            day_start = min(e["_starts"] for e in todays)
            day_end = max(e["_ends"] for e in todays)
        else:
            day_start = datetime.combine(day, time(0, 0), tzinfo=tz)
            day_end = datetime.combine(day, time(23, 59), tzinfo=tz)
        rooms: dict = {}
        for e in sorted(todays, key=lambda e: hall_rank.get(e["hall_id"], (-1, 0))):
            rooms.setdefault((e["room"], e["hall_id"]), [])
        for e in todays:
            rooms[(e["room"], e["hall_id"])].append(e)
        day_list.append({
            "index": index,
            "date": day.isoformat(),
            "day_start": day_start.isoformat(),
            "day_end": day_end.isoformat(),
            "rooms": [
                {"name": name, "guid": room_guid(forum["id"], hall_id), "events": evs}
                for (name, hall_id), evs in rooms.items()
            ],
        })
    ordered_halls = sorted(snapshot.get("halls", []), key=lambda h: (h.get("order", 0), h["id"]))
    return {
        "version": str(version),
        "base_url": base_url,
        "url": forum_url,
        "title": _loc(forum, "title", lang),
        "acronym": code,
        "start": forum["first_day"],
        "end": forum["last_day"],
        "days_count": len(day_list),
        "time_zone": tz.key,
        "tracks": [
            {"name": _loc(t, "name", lang), "slug": f"track-{t['id']}", "color": t.get("color") or ""}
            for t in sorted(snapshot.get("tracks", []), key=lambda t: (t.get("order", 0), t["id"]))
        ],
        "rooms": [
            {"name": _loc(h, "name", lang), "guid": room_guid(forum["id"], h["id"]), "capacity": h.get("capacity")}
            for h in ordered_halls
        ],
        "days": day_list,
    }


def _public(event: dict) -> dict:
    return {k: v for k, v in event.items() if not k.startswith("_") and k != "hall_id"}


def schedule_json(data: dict) -> bytes:
    conference = {
        "acronym": data["acronym"],
        "title": data["title"],
        "start": data["start"],
        "end": data["end"],
        "daysCount": data["days_count"],
        "timeslot_duration": TIMESLOT,
        "url": data["url"],
        "tracks": [{k: v for k, v in t.items() if v} for t in data["tracks"]],
        "rooms": [{k: v for k, v in r.items() if v is not None} for r in data["rooms"]],
        "days": [
            {
                "index": d["index"],
                "date": d["date"],
                "day_start": d["day_start"],
                "day_end": d["day_end"],
                "rooms": {r["name"]: [_public(e) for e in r["events"]] for r in d["rooms"]},
            }
            for d in data["days"]
        ],
    }
    if ZONE_NAME.search(data["time_zone"]):
        conference["time_zone_name"] = data["time_zone"]
    document = {
        "$schema": SCHEMA_URL,
        "generator": dict(GENERATOR),
        "schedule": {"version": data["version"], "base_url": data["base_url"], "conference": conference},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _text(parent, tag: str, value, **attrs):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v not in (None, "")})
    if value not in (None, ""):
        element.text = str(value)
    return element


def schedule_xml(data: dict, *, url: str) -> bytes:
    root = etree.Element("schedule")
    etree.SubElement(root, "generator", {"name": GENERATOR["name"], "version": GENERATOR["version"]})
    _text(root, "url", url)
    _text(root, "version", data["version"])
    conference = etree.SubElement(root, "conference")
    _text(conference, "title", data["title"])
    _text(conference, "acronym", data["acronym"])
    _text(conference, "start", data["start"])
    _text(conference, "end", data["end"])
    _text(conference, "days", data["days_count"])
    _text(conference, "timeslot_duration", TIMESLOT)
    _text(conference, "base_url", data["base_url"])
    _text(conference, "url", data["url"])
    _text(conference, "time_zone_name", data["time_zone"])
    for track in data["tracks"]:
        _text(conference, "track", track["name"], name=track["name"], color=track["color"], slug=track["slug"])
    for day in data["days"]:
        day_el = etree.SubElement(root, "day", {
            "index": str(day["index"]), "date": day["date"], "start": day["day_start"], "end": day["day_end"]})
        for room in day["rooms"]:
            room_el = etree.SubElement(day_el, "room", {"name": room["name"], "guid": room["guid"]})
            for e in room["events"]:
                ev = etree.SubElement(room_el, "event", {"id": str(e["id"]), "guid": e["guid"]})
                _text(ev, "date", e["date"])
                _text(ev, "start", e["start"])
                _text(ev, "duration", e["duration"])
                _text(ev, "room", e["room"])
                _text(ev, "slug", e["slug"])
                _text(ev, "url", e["url"])
                _text(ev, "title", e["title"])
                _text(ev, "subtitle", e["subtitle"])
                _text(ev, "track", e["track"])
                _text(ev, "type", e["type"])
                _text(ev, "language", e["language"])
                _text(ev, "abstract", e["abstract"])
                _text(ev, "description", e["description"])
                persons = etree.SubElement(ev, "persons")
                for p in e["persons"]:
                    _text(persons, "person", p["name"], id=p["id"], guid=p["guid"])
                etree.SubElement(ev, "links")
                attachments = etree.SubElement(ev, "attachments")
                for a in e["attachments"]:
                    _text(attachments, "attachment", a["title"], href=a["url"], type=a["type"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
