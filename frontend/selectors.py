"""Reads for the public pages, the public API and the exports.

The public never reads live agenda rows: everything about sessions comes
from the snapshot of the latest published ScheduleVersion (one query, however
big the forum). This module turns that snapshot into what the templates show,
in the visitor's language and digits.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from forum import formatting as fmt
from forum.models import Forum, Sponsorship
from forum.permissions import visible_forums
from sessions.models import Honoree, ScheduleVersion, Session, SessionItem, SessionRole
from sessions.snapshot import AgendaSnapshot

PUBLIC_STATUSES = (Forum.Status.PUBLISHED, Forum.Status.ARCHIVED)
# Rows of the agenda grid: one per five minutes.
GRID_MINUTES = 5
# Roles that chair a session, listed before the others.
CHAIR_ROLES = ("chair", "co_chair", "moderator", "mc")


# ---- forums and versions -------------------------------------------------

def forums_public(*, user) -> QuerySet[Forum]:
    """Forums the visitor may see, newest first, with what the list shows."""
    return visible_forums(user).select_related("organizer").order_by("-first_day", "id")


def forum_public_get(*, slug: str, user) -> Forum:
    """The forum if the visitor may see it; 404 otherwise (drafts are not even confirmed)."""
    if user is not None and user.is_authenticated:
        forum = visible_forums(user).filter(slug=slug).first()
    else:
        forum = Forum.objects.filter(slug=slug, status__in=PUBLIC_STATUSES).first()
    if forum is None:
        raise Http404
    return forum


def forum_home_get(*, slug: str, user) -> Forum:
    """The forum row for its home page: organizer, patron, sponsors by tier and themes in fixed queries."""
    forum = forum_public_get(slug=slug, user=user)
    return (
        Forum.objects.select_related("organizer", "organizing_department", "patron__organization")
        .prefetch_related(
            Prefetch("sponsorships", queryset=Sponsorship.objects.select_related("organization")),
            "tracks",
        )
        .get(pk=forum.pk)
    )


def version_latest_meta(*, forum: Forum) -> ScheduleVersion | None:
    """The latest published version without its snapshot (for ETags and 304s)."""
    return (
        ScheduleVersion.objects.filter(forum=forum)
        .order_by("-number")
        .only("id", "forum_id", "number", "published_at")
        .first()
    )


def public_version_by_slug(*, slug: str) -> ScheduleVersion | None:
    """For visitors: the latest version of a public forum with its forum row, in one query."""
    return (
        ScheduleVersion.objects.select_related("forum")
        .filter(forum__slug=slug, forum__status__in=PUBLIC_STATUSES)
        .defer("snapshot", "changelog")
        .order_by("-number")
        .first()
    )


def version_snapshot(*, version: ScheduleVersion) -> dict:
    return ScheduleVersion.objects.values_list("snapshot", flat=True).get(pk=version.pk)


def versions_recent(*, forum: Forum, limit: int = 5) -> list[ScheduleVersion]:
    return list(
        ScheduleVersion.objects.filter(forum=forum)
        .order_by("-number")
        .only("id", "forum_id", "number", "published_at", "changelog")[:limit]
    )


def published_paper_ids(*, forum: Forum) -> set[int]:
    """Papers whose file is public; empty until the speakers' app provides the selector."""
    try:
        from speakers.selectors import published_paper_ids as speakers_published_paper_ids
    except ImportError:
        return set()
    return set(speakers_published_paper_ids(forum=forum))


# ---- presenting a snapshot -------------------------------------------------

def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _loc(obj: dict, field: str, lang: str) -> str:
    ar = obj.get(f"{field}_ar") or ""
    en = obj.get(f"{field}_en") or ""
    if fmt.is_arabic(lang):
        return ar or en
    return en or ar


@dataclass
class Presenter:
    """Turns snapshot dicts into display dicts in one language and one digit style."""

    snapshot: AgendaSnapshot
    lang: str
    digits: str
    paper_ids: frozenset = frozenset()

    def __post_init__(self):
        forum = self.snapshot["forum"]
        self.tz = ZoneInfo(forum.get("time_zone") or "Asia/Riyadh")
        self.halls = {h["id"]: h for h in self.snapshot.get("halls", [])}
        self.tracks = {t["id"]: t for t in self.snapshot.get("tracks", [])}
        self.people = self.snapshot.get("people", {})
        self.hall_order = {h["id"]: (h.get("order", 0), h["id"]) for h in self.snapshot.get("halls", [])}
        # A 300-session agenda names the same people, labels, days and times again and again:
        # each is worked out (and each label translated) once per page, not once per mention.
        self._labels: dict = {}
        self._people: dict = {}
        self._clocks: dict = {}
        self._dates: dict = {}

    def label(self, choices, value: str) -> str:
        key = (choices, value)
        if key not in self._labels:
            self._labels[key] = _label(choices, value)
        return self._labels[key]

    def clock(self, moment: datetime) -> str:
        if moment not in self._clocks:
            self._clocks[moment] = fmt.clock(moment, self.digits)
        return self._clocks[moment]

    def date_label(self, day) -> str:
        if day not in self._dates:
            self._dates[day] = fmt.dual_date(day, self.lang, self.digits)
        return self._dates[day]

    def n(self, value) -> str:
        return fmt.digits_for(value, self.digits)

    def when(self, value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def person(self, person_id, role: str | None = None) -> dict:
        base = self._people.get(person_id)
        if base is None:
            raw = self.people.get(str(person_id), {})
            if fmt.is_arabic(self.lang):
                name = raw.get("display_name_ar") or raw.get("display_name_en", "")
            else:
                name = raw.get("display_name_en") or raw.get("display_name_ar", "")
            position, organization = _loc(raw, "position", self.lang), _loc(raw, "organization", self.lang)
            sep = "، " if fmt.is_arabic(self.lang) else ", "
            base = self._people[person_id] = {
                "id": person_id,
                "name": name,
                "where": sep.join(x for x in (position, organization) if x),
                "plain_name": _loc(raw, "full_name", self.lang),
                "position": position,
                "organization": organization,
                "bio": _loc(raw, "bio", self.lang),
            }
        # A new dict each time: pages may add to what they are given.
        return {**base, "role": role, "role_label": self.label(SessionRole.Role, role) if role else ""}

    def hall_name(self, hall_id) -> str:
        hall = self.halls.get(hall_id)
        return _loc(hall, "name", self.lang) if hall else ""

    def session(self, s: dict) -> dict:
        starts, ends = self.when(s["starts_at"]), self.when(s["ends_at"])
        roles = sorted(s.get("roles", []), key=lambda r: (r["role"] not in CHAIR_ROLES, r.get("order", 0)))
        people = [self.person(r["person_id"], r["role"]) for r in roles]
        items = []
        search = [s.get("title_ar", ""), s.get("title_en", "")]
        for p in people:
            raw = self.people.get(str(p["id"]), {})
            search += [raw.get("full_name_ar", ""), raw.get("full_name_en", "")]
        for item in sorted(s.get("items", []), key=lambda i: (i.get("order", 0), i["id"])):
            paper = item.get("paper")
            presenter = self.person(item["presenter_id"]) if item.get("presenter_id") else None
            paper_view = None
            if paper:
                paper_view = {
                    "id": paper["id"],
                    "title": _loc(paper, "title", self.lang),
                    "speakers": [self.person(pid) for pid in paper.get("speaker_ids", []) if pid is not None],
                    "published": paper["id"] in self.paper_ids,
                }
                search += [paper.get("title_ar", ""), paper.get("title_en", "")]
                for sp in paper_view["speakers"]:
                    raw = self.people.get(str(sp["id"]), {})
                    search += [raw.get("full_name_ar", ""), raw.get("full_name_en", "")]
            title = _loc(item, "title", self.lang) or (paper_view["title"] if paper_view else "")
            items.append({
                "id": item["id"],
                "kind": item["kind"],
                "kind_label": self.label(SessionItem.Kind, item["kind"]),
                "title": title or self.label(SessionItem.Kind, item["kind"]),
                "presenter": presenter,
                "duration": self.n(item["duration_minutes"]) if item.get("duration_minutes") else "",
                "paper": paper_view,
            })
        if presenter_names := [i["presenter"] for i in items if i["presenter"]]:
            for p in presenter_names:
                raw = self.people.get(str(p["id"]), {})
                search += [raw.get("full_name_ar", ""), raw.get("full_name_en", "")]
        honorees = []
        for h in sorted(s.get("honorees", []), key=lambda h: h.get("order", 0)):
            name = self.person(h["person_id"])["name"] if h.get("person_id") else _loc(h, "organization", self.lang)
            honorees.append({
                "name": name,
                "person_id": h.get("person_id"),
                "reason": self.label(Honoree.Reason, h["reason"]),
                "gift": self.label(Honoree.Gift, h["gift"]),
            })
        track = self.tracks.get(s.get("track_id"))
        number = s.get("number")
        return {
            "id": s["id"],
            "number": number,
            "number_label": self.n(number) if number else "",
            "kind": s["kind"],
            "kind_label": self.label(Session.Kind, s["kind"]),
            "title": _loc(s, "title", self.lang),
            "description": _loc(s, "description", self.lang),
            "hall_id": s.get("hall_id"),
            "hall": self.hall_name(s.get("hall_id")),
            "track_id": s.get("track_id"),
            "track": _loc(track, "name", self.lang) if track else "",
            "track_color": track.get("color", "") if track else "",
            "starts_at": starts,
            "ends_at": ends,
            "starts_iso": starts.isoformat(),
            "ends_iso": ends.isoformat(),
            "date": starts.date().isoformat(),
            "time": f"{self.clock(starts)}–{self.clock(ends)}",  # fmt.time_range from the clocks worked out once
            "start_clock": self.clock(starts),
            "date_label": self.date_label(starts.date()),
            "cancelled": s.get("status") == Session.Status.CANCELLED,
            "chairs": [p for p in people if p["role"] in CHAIR_ROLES],
            "speakers": [p for p in people if p["role"] not in CHAIR_ROLES],
            "people": people,
            "items": items,
            "papers": [i["paper"] for i in items if i["paper"]],
            # Speeches and presentations by named people (the opening's officials, a programme of talks).
            "talks": [i for i in items if i["presenter"] and not i["paper"]],
            "honorees": honorees,
            "search": fmt.search_normalize(" ".join(x for x in search if x)),
        }

    def sessions(self) -> list[dict]:
        raw = sorted(
            self.snapshot.get("sessions", []),
            key=lambda s: (self.when(s["starts_at"]), self.hall_order.get(s.get("hall_id"), (-1, 0)), s["id"]),
        )
        return [self.session(s) for s in raw]

    def halls_list(self) -> list[dict]:
        ordered = sorted(self.snapshot.get("halls", []), key=lambda h: (h.get("order", 0), h["id"]))
        return [{"id": h["id"], "name": _loc(h, "name", self.lang)} for h in ordered]

    def tracks_list(self) -> list[dict]:
        ordered = sorted(self.snapshot.get("tracks", []), key=lambda t: (t.get("order", 0), t["id"]))
        return [{"id": t["id"], "name": _loc(t, "name", self.lang), "color": t.get("color", "")} for t in ordered]


@dataclass
class AgendaFilters:
    day: str = ""
    hall: int | None = None
    track: int | None = None
    kind: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params) -> AgendaFilters:
        def as_int(name):
            try:
                return int(params.get(name, ""))
            except (TypeError, ValueError):
                return None

        return cls(
            day=(params.get("day") or "")[:10],
            hall=as_int("hall"),
            track=as_int("track"),
            kind=(params.get("type") or "")[:20],
            q=(params.get("q") or "").strip()[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.day or self.hall or self.track or self.kind or self.q)

    def keep(self, s: dict) -> bool:
        if self.day and s["date"] != self.day:
            return False
        if self.hall and s["hall_id"] != self.hall:
            return False
        if self.track and s["track_id"] != self.track:
            return False
        if self.kind and s["kind"] != self.kind:
            return False
        if self.q and fmt.search_normalize(self.q) not in s["search"]:
            return False
        return True


def _grid(day_sessions: list[dict], halls: list[dict]) -> dict:
    """Place each session of a day on a grid: one column per hall, one row per five minutes.

    The page keeps sessions in time order, so that without the grid (phones,
    print) they read as one list; on wide screens CSS puts them side by side.
    """
    used = {s["hall_id"] for s in day_sessions}
    columns = [h for h in halls if h["id"] in used]
    col_of = {h["id"]: i + 2 for i, h in enumerate(columns)}  # column 1 holds the times
    first = min(s["starts_at"] for s in day_sessions)
    origin = first.replace(minute=(first.minute // 30) * 30, second=0, microsecond=0)

    def row(moment: datetime) -> int:
        return int((moment - origin).total_seconds() // 60 // GRID_MINUTES) + 2  # row 1 holds the hall names

    times: OrderedDict[int, str] = OrderedDict()
    for s in day_sessions:
        start_row = row(s["starts_at"])
        end_row = max(row(s["ends_at"]), start_row + 1)
        if s["hall_id"] in col_of:
            s["grid"] = f"grid-column:{col_of[s['hall_id']]};grid-row:{start_row}/{end_row}"
        else:  # a plenary without hall spans every column
            s["grid"] = f"grid-column:2/-1;grid-row:{start_row}/{end_row}"
        times.setdefault(start_row, s["start_clock"])
    return {
        "columns": [{"name": c["name"], "style": f"grid-column:{col_of[c['id']]}"} for c in columns],
        "times": [{"label": label, "style": f"grid-row:{r}"} for r, label in times.items()],
        "column_count": max(len(columns), 1),
    }


def agenda_build(*, snapshot: AgendaSnapshot, lang: str, digits: str, filters: AgendaFilters | None = None,
                 paper_ids=frozenset()) -> dict:
    """Days of the agenda, each with its sessions in time order and their places on the hall grid."""
    presenter = Presenter(snapshot, lang, digits, frozenset(paper_ids))
    sessions = presenter.sessions()
    halls = presenter.halls_list()
    all_days = sorted({s["date"] for s in sessions})
    if filters is not None and filters.active:
        sessions = [s for s in sessions if filters.keep(s)]
    days = []
    for index, day in enumerate(all_days, start=1):
        todays = [s for s in sessions if s["date"] == day]
        if not todays:
            continue
        days.append({
            "date": day,
            "index": index,
            "index_label": presenter.n(index),
            "label": fmt.dual_date(day, lang, digits),
            "sessions": todays,
            "grid": _grid(todays, halls),
        })
    kinds_present = []
    for s in presenter.snapshot.get("sessions", []):
        if s["kind"] not in kinds_present:
            kinds_present.append(s["kind"])
    return {
        "days": days,
        "day_choices": [{"value": d, "label": fmt.dual_date(d, lang, digits)} for d in all_days],
        "halls": halls,
        "tracks": presenter.tracks_list(),
        "kinds": [{"value": k, "label": _label(Session.Kind, k)} for k in Session.Kind.values if k in kinds_present],
        "count": len(sessions),
        "count_label": presenter.n(len(sessions)),
        "forum": presenter.snapshot["forum"],
        "title": _loc(presenter.snapshot["forum"], "title", lang),
    }


def session_build(*, snapshot: AgendaSnapshot, session_id: int, lang: str, digits: str, paper_ids=frozenset()) -> dict | None:
    presenter = Presenter(snapshot, lang, digits, frozenset(paper_ids))
    raw = next((s for s in snapshot.get("sessions", []) if s["id"] == session_id), None)
    return presenter.session(raw) if raw else None


def speakers_build(*, snapshot: AgendaSnapshot, lang: str, digits: str, paper_ids=frozenset()) -> list[dict]:
    """Everyone with a part in a session (chairs, speakers, panelists, presenters), with their roles.

    Sorted by name; each person lists their sessions in time order.
    """
    presenter = Presenter(snapshot, lang, digits, frozenset(paper_ids))
    people: dict[int, dict] = {}

    def entry(person_id) -> dict:
        if person_id not in people:
            people[person_id] = {**presenter.person(person_id), "roles": [], "sessions": [], "papers": []}
        return people[person_id]

    for s in presenter.sessions():
        for p in s["people"]:
            e = entry(p["id"])
            if p["role_label"] not in e["roles"]:
                e["roles"].append(p["role_label"])
            e["sessions"].append({"session": s, "role": p["role_label"]})
        for item in s["items"]:
            involved = []
            if item["presenter"]:
                involved.append(item["presenter"]["id"])
            if item["paper"]:
                involved += [sp["id"] for sp in item["paper"]["speakers"]]
            for pid in dict.fromkeys(involved):
                e = entry(pid)
                if not any(x["session"]["id"] == s["id"] for x in e["sessions"]):
                    label = _("Speaker") if item["paper"] else _("Presenter")
                    e["sessions"].append({"session": s, "role": label})
                    if label not in e["roles"]:
                        e["roles"].append(label)
                if item["paper"] and all(pp["id"] != item["paper"]["id"] for pp in e["papers"]):
                    e["papers"].append({**item["paper"], "session": s})
    return sorted(people.values(), key=lambda p: (p["plain_name"] or p["name"]))


def changes_build(*, versions: list[ScheduleVersion], snapshot: AgendaSnapshot, lang: str, digits: str) -> list[dict]:
    """The changelogs of the latest versions, each entry as a sentence."""
    presenter = Presenter(snapshot, lang, digits)

    def when(value: str | None) -> str:
        if not value:
            return ""
        moment = presenter.when(value)
        return f"{fmt.gregorian_date(moment, lang, digits, weekday=True)} {fmt.clock(moment, digits)}"

    def hall(entry: dict, key: str) -> str:
        hall_id = entry.get(key)
        return presenter.hall_name(hall_id) or entry.get(key.replace("_id", "_ar"), "") or ""

    result = []
    for version in versions:
        lines = []
        for e in version.changelog or []:
            title = _loc(e, "title", lang)
            kind = e.get("type")
            if kind == "added":
                text = _("Added: “%(title)s”, %(when)s, %(hall)s.") % {
                    "title": title, "when": when(e.get("starts_at")), "hall": hall(e, "hall_id") or "—"}
            elif kind == "cancelled":
                text = _("Cancelled: “%(title)s”.") % {"title": title}
            elif kind == "restored":
                text = _("Back on the agenda: “%(title)s”.") % {"title": title}
            elif kind == "moved":
                text = _("Moved: “%(title)s” from %(old_when)s, %(old_hall)s to %(when)s, %(hall)s.") % {
                    "title": title, "old_when": when(e.get("old_starts_at")), "old_hall": hall(e, "old_hall_id") or "—",
                    "when": when(e.get("starts_at")), "hall": hall(e, "hall_id") or "—"}
            elif kind == "retitled":
                text = _("Renamed: “%(old)s” is now “%(title)s”.") % {
                    "old": _loc(e, "old_title", lang), "title": title}
            elif kind == "person_added":
                text = _("%(person)s joins “%(title)s” as %(role)s.") % {
                    "person": _loc(e, "person", lang), "title": title, "role": _label(SessionRole.Role, e.get("role", ""))}
            elif kind == "person_removed":
                text = _("%(person)s is no longer %(role)s in “%(title)s”.") % {
                    "person": _loc(e, "person", lang), "title": title, "role": _label(SessionRole.Role, e.get("role", ""))}
            elif kind == "removed":
                text = _("Removed from the agenda: “%(title)s”.") % {"title": title}
            else:
                text = title
            lines.append({"type": kind or "other", "text": text, "session_id": e.get("session_id")})
        result.append({
            "number": version.number,
            "number_label": presenter.n(version.number),
            "published_at": version.published_at,
            "published_label": f"{fmt.dual_date(version.published_at.astimezone(presenter.tz), lang, digits)} "
                               f"{fmt.clock(version.published_at.astimezone(presenter.tz), digits)}",
            "entries": lines,
        })
    return result


def clashes(sessions: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs of (not cancelled) sessions whose times overlap."""
    live = sorted((s for s in sessions if not s["cancelled"]), key=lambda s: s["starts_at"])
    pairs = []
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            if b["starts_at"] >= a["ends_at"]:
                break
            pairs.append((a, b))
    return pairs


def honors_made_build(*, session_id: int, lang: str) -> list[dict]:
    """The honors of a session already made on stage (live rows, one query): name, reason, who presented it."""
    from sessions.selectors import honor_presenters_ar, honor_presenters_en, honors_made_for_session

    arabic = not (lang or "ar").startswith("en")
    made = []
    for h in honors_made_for_session(session_id=session_id):
        if h.person_id:
            name = h.person.display_name_ar if arabic else h.person.display_name_en
        else:
            name = h.organization.name_ar if arabic else (h.organization.name_en or h.organization.name_ar)
        made.append({
            "name": name,
            "reason": _label(Honoree.Reason, h.reason),
            "gift": _label(Honoree.Gift, h.gift) if h.gift != Honoree.Gift.UNSPECIFIED else "",
            "presenters": honor_presenters_ar(h) if arabic else honor_presenters_en(h),
        })
    return made
