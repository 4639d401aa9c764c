"""Conflict checks for the agenda: the rules an organizer must see the moment a change breaks them.

Errors refuse the change:
- ``hall_double_booked``: two sessions in one hall at the same time;
- ``outside_forum_days``: a session starting before the first day or ending
  after the last day of the forum (days in the forum's time zone);
- ``ends_before_start``: a session that does not end after it starts.

Warnings are allowed and shown until resolved:
- ``person_double_booked``: one person in two overlapping sessions, in any
  role (chair, co-chair, speaker, panelist, moderator, master of ceremonies);
- ``paper_session_without_chair``: a paper session with no chair;
- ``speaker_without_paper``: a speaker of a paper session who presents no
  working paper in it;
- ``prayer_time_overlap``: a session (other than a prayer break or a break)
  running into a prayer window (see prayers.py) that no prayer break covers
  for its hall: a scheduled prayer break in the same hall, or one with no hall
  (forum-wide), holding the prayer time covers it;
- ``audience_over_capacity``: expected audience above the hall's capacity;
- ``items_exceed_session``: the items' planned durations add up to more
  than the session.

Intervals are half-open: a session ending at 10:00 and another starting at
10:00 are back to back, not overlapping. Cancelled sessions take no part.

The report shape, used by the services, the API and the builder page::

    {"errors": [Conflict], "warnings": [Conflict]}
    Conflict = {"code": str, "message": str, "session_ids": [int], ...}

with optional keys ``person_id``, ``hall_id``, ``prayer``, ``field``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum, Hall, Person

from .models import Session, SessionItem, SessionRole
from .prayers import prayer_times_for_forum

ERROR_CODES = ("hall_double_booked", "outside_forum_days", "ends_before_start")
WARNING_CODES = (
    "person_double_booked", "paper_session_without_chair", "speaker_without_paper", "prayer_time_overlap",
    "audience_over_capacity", "items_exceed_session",
)
# Kinds during which people may pray: they never warn about prayer times.
PRAYER_FREE_KINDS = frozenset({Session.Kind.PRAYER, Session.Kind.BREAK})


@dataclass
class Slot:
    """What the rules need to know about one session (saved or proposed)."""

    id: int | None
    title: str
    kind: str
    status: str
    hall_id: int | None
    starts_at: datetime
    ends_at: datetime
    expected_audience: int | None = None
    # person_id -> roles held in this session
    people: dict[int, list[str]] = field(default_factory=dict)
    items_minutes: int = 0
    paper_speaker_ids: set[int] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return self.status != Session.Status.CANCELLED

    def overlaps(self, other_start: datetime, other_end: datetime) -> bool:
        return self.starts_at < other_end and other_start < self.ends_at

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class Context:
    forum: Forum
    halls: dict[int, Hall]
    people: dict[int, Person]
    prayer_times: list


def _entry(code: str, message: str, session_ids, **extra) -> dict:
    ids = sorted({i for i in session_ids if i is not None})
    return {"code": code, "message": message, "session_ids": ids, **{k: v for k, v in extra.items() if v is not None}}


def empty_report() -> dict:
    return {"errors": [], "warnings": []}


# Who presents a working paper in each session lives in the speakers app, above this one: it registers,
# in SpeakersConfig.ready(), a reader giving (session_id, person_id) pairs of a forum in one query.
_paper_speaker_readers: dict[str, Callable[[Forum], Iterable[tuple[int, int]]]] = {}


def paper_speakers_reader_register(name: str, reader: Callable[[Forum], Iterable[tuple[int, int]]]) -> None:
    _paper_speaker_readers[name] = reader


def load_slots(*, forum: Forum) -> tuple[list[Slot], Context]:
    """Every session of the forum as a Slot, in a fixed number of queries."""
    halls = {h.pk: h for h in Hall.objects.filter(forum=forum)}
    sessions = list(Session.objects.filter(forum=forum).order_by("starts_at", "id"))
    slots = {
        s.pk: Slot(
            id=s.pk, title=s.title, kind=s.kind, status=s.status, hall_id=s.hall_id, starts_at=s.starts_at,
            ends_at=s.ends_at, expected_audience=s.expected_audience,
        )
        for s in sessions
    }
    people: dict[int, Person] = {}
    for role in SessionRole.objects.filter(session__forum=forum).select_related("person"):
        people[role.person_id] = role.person
        slots[role.session_id].people.setdefault(role.person_id, []).append(role.role)
    for session_id, minutes in SessionItem.objects.filter(session__forum=forum, duration_minutes__isnull=False).values_list(
        "session_id", "duration_minutes"
    ):
        slots[session_id].items_minutes += minutes
    for reader in _paper_speaker_readers.values():
        for session_id, person_id in reader(forum):
            slots[session_id].paper_speaker_ids.add(person_id)
    context = Context(forum=forum, halls=halls, people=people, prayer_times=prayer_times_for_forum(forum=forum))
    return list(slots.values()), context


def slot_from_data(*, session: Session | None, data: dict, base: Slot | None) -> Slot:
    """The proposed state of a session: saved facts (roles, items) plus the changed fields."""
    hall = data.get("hall")
    slot = Slot(
        id=session.pk if session is not None else None,
        title=data.get("title_en") if _english() and data.get("title_en") else data.get("title_ar", ""),
        kind=data.get("kind", Session.Kind.PAPERS),
        status=data.get("status", Session.Status.SCHEDULED),
        hall_id=hall.pk if hall is not None else None,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        expected_audience=data.get("expected_audience"),
    )
    if base is not None:
        slot.people = {k: list(v) for k, v in base.people.items()}
        slot.items_minutes = base.items_minutes
        slot.paper_speaker_ids = set(base.paper_speaker_ids)
    return slot


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ar").startswith("en")


def _fmt_time(value: datetime, tz) -> str:
    return value.astimezone(tz).strftime("%H:%M")


def check_slots(slots: list[Slot], context: Context, *, only: set | None = None) -> dict:
    """Run every rule over the slots. With `only`, keep the findings that involve those session ids.

    `only` may contain None for a session being created (not saved yet).
    """
    forum = context.forum
    tz = forum.tzinfo
    active = [s for s in slots if s.active]
    report = empty_report()

    def involved(*slots_in) -> bool:
        return only is None or any(s.id in only for s in slots_in)

    def error(*args, **kwargs):
        report["errors"].append(_entry(*args, **kwargs))

    def warning(*args, **kwargs):
        report["warnings"].append(_entry(*args, **kwargs))

    prayer_breaks = [s for s in active if s.kind == Session.Kind.PRAYER and s.ends_at > s.starts_at]
    first = datetime.combine(forum.first_day, time.min, tzinfo=tz)
    after_last = datetime.combine(forum.last_day + timedelta(days=1), time.min, tzinfo=tz)

    for s in active:
        if not involved(s):
            continue
        if s.ends_at <= s.starts_at:
            error("ends_before_start", _("“%(title)s” must end after it starts.") % {"title": s.title}, [s.id],
                  field="ends_at")
            continue
        if s.starts_at < first or s.ends_at > after_last:
            error(
                "outside_forum_days",
                _("“%(title)s” falls outside the forum's days (%(first)s to %(last)s).")
                % {"title": s.title, "first": forum.first_day.isoformat(), "last": forum.last_day.isoformat()},
                [s.id], field="starts_at" if s.starts_at < first else "ends_at",
            )
        hall = context.halls.get(s.hall_id)
        if hall is not None and hall.capacity is not None and s.expected_audience is not None \
                and s.expected_audience > hall.capacity:
            warning(
                "audience_over_capacity",
                _("“%(title)s” expects %(audience)s people but %(hall)s holds %(capacity)s.")
                % {"title": s.title, "audience": s.expected_audience, "hall": hall.name, "capacity": hall.capacity},
                [s.id], hall_id=hall.pk,
            )
        if s.items_minutes > s.minutes:
            warning(
                "items_exceed_session",
                _("The items of “%(title)s” add up to %(items)s minutes, longer than the session (%(length)s minutes).")
                % {"title": s.title, "items": s.items_minutes, "length": s.minutes},
                [s.id],
            )
        if s.kind == Session.Kind.PAPERS:
            if not any(SessionRole.Role.CHAIR in roles for roles in s.people.values()):
                warning("paper_session_without_chair", _("The paper session “%(title)s” has no chair.")
                        % {"title": s.title}, [s.id])
            for person_id, roles in s.people.items():
                if SessionRole.Role.SPEAKER in roles and person_id not in s.paper_speaker_ids:
                    warning(
                        "speaker_without_paper",
                        _("%(person)s speaks in “%(title)s” but presents no working paper in it.")
                        % {"person": _name(context, person_id), "title": s.title},
                        [s.id], person_id=person_id,
                    )
        if s.kind not in PRAYER_FREE_KINDS:
            for prayer in context.prayer_times:
                if s.overlaps(prayer.at, prayer.window_end) and not _prayer_covered(prayer, s, prayer_breaks):
                    warning(
                        "prayer_time_overlap",
                        _("“%(title)s” runs into %(prayer)s prayer (%(time)s).")
                        % {"title": s.title, "prayer": prayer.label, "time": _fmt_time(prayer.at, tz)},
                        [s.id], prayer=prayer.prayer, hall_id=s.hall_id,
                    )

    valid = [s for s in active if s.ends_at > s.starts_at]
    by_hall: dict[int, list[Slot]] = defaultdict(list)
    for s in valid:
        if s.hall_id is not None:
            by_hall[s.hall_id].append(s)
    for hall_id, hall_slots in by_hall.items():
        for a, b in _overlapping_pairs(hall_slots):
            if involved(a, b):
                hall = context.halls.get(hall_id)
                error(
                    "hall_double_booked",
                    _("%(hall)s cannot hold “%(first)s” and “%(second)s” at the same time (from %(start)s).")
                    % {"hall": hall.name if hall else "", "first": a.title, "second": b.title,
                       "start": _fmt_time(b.starts_at, tz)},
                    [a.id, b.id], hall_id=hall_id, field="hall",
                )
    by_person: dict[int, list[Slot]] = defaultdict(list)
    for s in valid:
        for person_id in s.people:
            by_person[person_id].append(s)
    for person_id, person_slots in by_person.items():
        for a, b in _overlapping_pairs(person_slots):
            if involved(a, b):
                warning(
                    "person_double_booked",
                    _("%(person)s is in two sessions at once: “%(first)s” and “%(second)s”.")
                    % {"person": _name(context, person_id), "first": a.title, "second": b.title},
                    [a.id, b.id], person_id=person_id,
                )
    return report


def _prayer_covered(prayer, session: Slot, prayer_breaks: list[Slot]) -> bool:
    """A prayer break in the session's hall, or a forum-wide one, holds the prayer time."""
    return any(
        (b.hall_id is None or b.hall_id == session.hall_id) and b.starts_at <= prayer.at < b.ends_at
        for b in prayer_breaks
    )


def _name(context: Context, person_id: int) -> str:
    person = context.people.get(person_id)
    if person is None:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            context.people[person_id] = person
    return person.display_name if person is not None else str(person_id)


def _overlapping_pairs(slots: list[Slot]):
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.ends_at, s.id or 0))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.starts_at >= a.ends_at:
                break
            yield a, b


def forum_conflicts(*, forum: Forum) -> dict:
    """Every conflict in the forum's live agenda."""
    slots, context = load_slots(forum=forum)
    return check_slots(slots, context)


def conflicts_by_session(report: dict) -> dict[int, dict]:
    """The report split per session id, for showing each session's own findings."""
    result: dict[int, dict] = defaultdict(empty_report)
    for severity in ("errors", "warnings"):
        for entry in report[severity]:
            for session_id in entry["session_ids"]:
                result[session_id][severity].append(entry)
    return result


def session_conflicts(*, session: Session) -> dict:
    slots, context = load_slots(forum=session.forum)
    return check_slots(slots, context, only={session.pk})


class ScheduleConflict(DomainError):
    """A change broke an error rule; `report` is the conflict report (errors and warnings)."""

    status_code = 400
    default_code = "conflict"

    def __init__(self, report: dict):
        self.report = report
        fields: dict[str, list[str]] = {}
        for entry in report["errors"]:
            fields.setdefault(entry.get("field") or "non_field_errors", []).append(entry["message"])
        super().__init__(errors=fields, code=self.default_code)
