"""Reads of the agenda shared by pages, the API and exports.

The public never reads live rows: it reads the snapshot of the latest
published ScheduleVersion, a single query whatever the size of the forum.
`agenda_snapshot_build` makes that snapshot (and the organizers' live
preview) from the rows in a fixed number of queries.
"""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, QuerySet

from forum.models import Forum, Person

from .models import GiftItem, Honoree, ScheduleVersion, Session, SessionItem, SessionRole
from .snapshot import AgendaSnapshot

SNAPSHOT_SCHEMA = 1


def sessions_for_forum(*, forum: Forum) -> QuerySet[Session]:
    """Live sessions with everything the agenda shows, prefetched."""
    return (
        Session.objects.filter(forum=forum)
        .select_related("hall", "track")
        .prefetch_related(
            Prefetch("roles", queryset=SessionRole.objects.select_related("person__organization")),
            Prefetch(
                "items",
                queryset=SessionItem.objects.select_related("presenter__organization", "paper").prefetch_related(
                    "paper__speakers"
                ),
            ),
            Prefetch(
                "honorees",
                queryset=Honoree.objects.select_related("person__organization", "organization"),
            ),
        )
        .order_by("starts_at", "hall__order", "hall_id", "id")
    )


def _person(person: Person) -> dict:
    org = person.organization
    return {
        "id": person.pk,
        "honorific": person.honorific,
        "titles_ar": person.titles_ar,
        "titles_en": person.titles_en,
        "full_name_ar": person.full_name_ar,
        "full_name_en": person.full_name_en,
        "display_name_ar": person.display_name_ar,
        "display_name_en": person.display_name_en,
        "position_ar": person.position_ar,
        "position_en": person.position_en,
        "organization_ar": org.name_ar if org else "",
        "organization_en": (org.name_en or org.name_ar) if org else "",
        "bio_ar": person.bio_ar,
        "bio_en": person.bio_en,
        "has_photo": bool(person.photo),
    }


def agenda_snapshot_build(*, forum: Forum) -> AgendaSnapshot:
    """The agenda as plain data (JSON-ready), in the shape stored in ScheduleVersion.snapshot.

    Times are ISO 8601 in the forum's time zone. People are listed once under
    "people" and referred to by id.
    """
    tz = forum.tzinfo
    forum = Forum.objects.select_related("organizer", "organizing_department", "patron__organization").get(pk=forum.pk)
    people: dict[str, dict] = {}

    def ref(person: Person | None) -> int | None:
        if person is None:
            return None
        people.setdefault(str(person.pk), _person(person))
        return person.pk

    sessions = []
    for s in sessions_for_forum(forum=forum):
        items = []
        for item in s.items.all():
            paper = getattr(item, "paper", None)
            items.append(
                {
                    "id": item.pk,
                    "order": item.order,
                    "kind": item.kind,
                    "title_ar": item.title_ar,
                    "title_en": item.title_en,
                    "presenter_id": ref(item.presenter),
                    "duration_minutes": item.duration_minutes,
                    "paper": None
                    if paper is None
                    else {
                        "id": paper.pk,
                        "title_ar": paper.title_ar,
                        "title_en": paper.title_en,
                        "speaker_ids": [ref(p) for p in paper.speakers.all()],
                    },
                }
            )
        sessions.append(
            {
                "id": s.pk,
                "number": s.number,
                "kind": s.kind,
                "title_ar": s.title_ar,
                "title_en": s.title_en,
                "description_ar": s.description_ar,
                "description_en": s.description_en,
                "hall_id": s.hall_id,
                "track_id": s.track_id,
                "starts_at": s.starts_at.astimezone(tz).isoformat(),
                "ends_at": s.ends_at.astimezone(tz).isoformat(),
                "status": s.status,
                "roles": [{"person_id": ref(r.person), "role": r.role, "order": r.order} for r in s.roles.all()],
                "items": items,
                "honorees": [
                    {
                        "person_id": ref(h.person),
                        "organization_ar": h.organization.name_ar if h.organization else "",
                        "organization_en": (h.organization.name_en or h.organization.name_ar) if h.organization else "",
                        "reason": h.reason,
                        "gift": h.gift,
                        "order": h.order,
                    }
                    for h in s.honorees.all()
                ],
            }
        )
    organizer = forum.organizer
    department = forum.organizing_department
    return {
        "schema": SNAPSHOT_SCHEMA,
        "forum": {
            "id": forum.pk,
            "slug": forum.slug,
            "title_ar": forum.title_ar,
            "title_en": forum.title_en,
            "edition": forum.edition,
            "time_zone": forum.time_zone,
            "first_day": forum.first_day.isoformat(),
            "last_day": forum.last_day.isoformat(),
            "venue_name_ar": forum.venue_name_ar,
            "venue_name_en": forum.venue_name_en,
            "organizer_ar": organizer.name_ar,
            "organizer_en": organizer.name_en or organizer.name_ar,
            "department_ar": department.name_ar if department else "",
            "department_en": (department.name_en or department.name_ar) if department else "",
            "patron_id": ref(forum.patron),
        },
        "halls": [
            {"id": h.pk, "name_ar": h.name_ar, "name_en": h.name_en, "capacity": h.capacity, "order": h.order}
            for h in forum.halls.all()
        ],
        "tracks": [
            {"id": t.pk, "name_ar": t.name_ar, "name_en": t.name_en, "color": t.color, "order": t.order}
            for t in forum.tracks.all()
        ],
        "people": people,
        "sessions": sessions,
    }


def schedule_version_latest(*, forum: Forum) -> ScheduleVersion | None:
    """The version the public sees, or None before the first publication."""
    return ScheduleVersion.objects.filter(forum=forum).order_by("-number").first()


def schedule_versions(*, forum: Forum) -> QuerySet[ScheduleVersion]:
    return ScheduleVersion.objects.filter(forum=forum).order_by("-number").defer("snapshot")


# ---- For organizers: the changelog in words, prayer times per day -------------------------------


def _when(value: str | None, tz) -> str:
    if not value:
        return ""
    from datetime import datetime

    moment = datetime.fromisoformat(value)
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%Y-%m-%d %H:%M")


def changelog_entry_text(entry: dict, *, tz=None) -> str:
    """One changelog entry as a sentence in the active language (the stored entry stays data)."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    english = (get_language() or "ar").startswith("en")

    def pick(key: str) -> str:
        arabic, other = entry.get(f"{key}_ar", "") or "", entry.get(f"{key}_en", "") or ""
        return (other or arabic) if english else (arabic or other)

    title = pick("title")
    kind = entry.get("type")
    if kind == "added":
        return _("Added: “%(title)s” at %(when)s.") % {"title": title, "when": _when(entry.get("starts_at"), tz)}
    if kind == "cancelled":
        return _("Cancelled: “%(title)s”.") % {"title": title}
    if kind == "restored":
        return _("Back on the agenda: “%(title)s”.") % {"title": title}
    if kind == "removed":
        return _("Removed: “%(title)s”.") % {"title": title}
    if kind == "moved":
        return _("Moved: “%(title)s” from %(old_when)s (%(old_hall)s) to %(when)s (%(hall)s).") % {
            "title": title,
            "old_when": _when(entry.get("old_starts_at"), tz),
            "old_hall": pick("old_hall") or "—",
            "when": _when(entry.get("starts_at"), tz),
            "hall": pick("hall") or "—",
        }
    if kind == "retitled":
        return _("Renamed: “%(old)s” is now “%(title)s”.") % {"old": pick("old_title"), "title": title}
    if kind in ("person_added", "person_removed"):
        from .models import SessionRole

        try:
            role = str(SessionRole.Role(entry.get("role")).label)
        except ValueError:
            role = entry.get("role", "")
        values = {"person": pick("person"), "role": role, "title": title}
        if kind == "person_added":
            return _("%(person)s joins “%(title)s” as %(role)s.") % values
        return _("%(person)s no longer takes part in “%(title)s” (%(role)s).") % values
    return title


def prayer_times_report(*, forum: Forum) -> dict:
    """Prayer times per forum day with the prayer breaks that cover each one (fixed queries)."""
    from .prayers import PRAYER_WINDOW_MINUTES, prayer_times_for_forum

    tz = forum.tzinfo
    breaks = list(
        Session.objects.filter(forum=forum, kind=Session.Kind.PRAYER)
        .exclude(status=Session.Status.CANCELLED)
        .only("id", "starts_at", "ends_at")
    )
    days: dict = {day: [] for day in forum.days}
    for p in prayer_times_for_forum(forum=forum):
        days[p.day].append(
            {
                "prayer": p.prayer,
                "label": p.label,
                "time": p.at.astimezone(tz),
                "window_ends_at": p.window_end.astimezone(tz),
                "source": p.source,
                "computed_time": p.computed_at.astimezone(tz) if p.computed_at else None,
                "prayer_break_ids": [b.pk for b in breaks if b.starts_at < p.window_end and p.at < b.ends_at],
            }
        )
    return {
        "method": forum.prayer_method,
        "window_minutes": PRAYER_WINDOW_MINUTES,
        "days": [{"day": day, "prayers": prayers} for day, prayers in days.items()],
    }


# ---- Honoring ceremony -----------------------------------------------------------------------------

# Protocol: royal highnesses, then ministers (معالي), then excellencies (سعادة), then everyone else,
# then bodies; the patron is honored last. An honoree's protocol_rank, when set, replaces this.
PROTOCOL_RANKS = {"hrh": 10, "hh": 15, "excellency": 20, "saada": 30}
RANK_OTHERS = 50
RANK_BODIES = 60
RANK_PATRON = 900


def honor_protocol_rank(honoree: Honoree) -> int:
    if honoree.protocol_rank is not None:
        return honoree.protocol_rank
    if honoree.reason == Honoree.Reason.PATRON:
        return RANK_PATRON
    if honoree.person_id is None:
        return RANK_BODIES
    return PROTOCOL_RANKS.get(honoree.person.honorific, RANK_OTHERS)


def honorees_for_ceremony(*, forum: Forum) -> list[Honoree]:
    """Every honor of the forum with what the run sheet prints, in three queries whatever their number."""
    return list(
        Honoree.objects.filter(forum=forum)
        .select_related("person__organization", "organization", "session", "presented_by",
                        "presented_by_organization", "gift_item")
        .prefetch_related(Prefetch("presenters", queryset=Person.objects.order_by("full_name_ar")))
    )


def honors_in_protocol_order(honorees: list[Honoree]) -> list[Honoree]:
    """By honoring moment (sessions in time order, honors outside a session last), then by protocol."""
    far = (1, None)

    def key(h: Honoree):
        moment = (0, h.session.starts_at) if h.session_id else far
        return (moment[0], moment[1].timestamp() if moment[1] else 0, h.session_id or 0,
                honor_protocol_rank(h), h.order, h.pk)

    return sorted(honorees, key=key)


def honor_presenters_ar(honoree: Honoree) -> str:
    """Who presents the honor, in Arabic: people, a body and/or a group in words; "" when nobody is named."""
    names = [p.display_name_ar for p in ([honoree.presented_by] if honoree.presented_by_id else [])]
    names += [p.display_name_ar for p in honoree.presenters.all() if p.pk != honoree.presented_by_id]
    if honoree.presented_by_organization_id:
        names.append(honoree.presented_by_organization.name_ar)
    if honoree.presented_by_group_ar:
        names.append(honoree.presented_by_group_ar)
    return " و".join(names) if len(names) <= 2 else "، ".join(names[:-1]) + " و" + names[-1]


def honor_presenters_en(honoree: Honoree) -> str:
    names = [p.display_name_en for p in ([honoree.presented_by] if honoree.presented_by_id else [])]
    names += [p.display_name_en for p in honoree.presenters.all() if p.pk != honoree.presented_by_id]
    if honoree.presented_by_organization_id:
        org = honoree.presented_by_organization
        names.append(org.name_en or org.name_ar)
    if honoree.presented_by_group_en or honoree.presented_by_group_ar:
        names.append(honoree.presented_by_group_en or honoree.presented_by_group_ar)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def honoree_name_ar(honoree: Honoree) -> str:
    return honoree.person.display_name_ar if honoree.person_id else honoree.organization.name_ar


def honoree_title_ar(honoree: Honoree) -> str:
    """Position and organization of an honored person, as announced."""
    if not honoree.person_id:
        return ""
    person = honoree.person
    org = person.organization.name_ar if person.organization_id else ""
    return "، ".join(x for x in (person.position_ar, org) if x)


def honor_announcement_ar(honoree: Honoree) -> str:
    """The words the master of ceremonies says: as written by the organizers, or composed from the honor."""
    if honoree.announcement_ar.strip():
        return honoree.announcement_ar.strip()
    presenters = honor_presenters_ar(honoree)
    title = honoree_title_ar(honoree)
    who = honoree_name_ar(honoree) + (f"، {title}" if title else "")
    if presenters:
        return f"يتفضّل {presenters} بتكريم {who}."
    return f"تكريم {who}."


def gift_inventory(*, forum: Forum) -> list[GiftItem]:
    """The forum's gifts with how many honors each is assigned to (`assigned`), in one query."""
    return list(GiftItem.objects.filter(forum=forum).annotate(assigned=Count("honorees")).order_by("kind", "name_ar"))


def honors_made_for_session(*, session_id: int) -> list[Honoree]:
    """Honors of a session already made on stage, for its public page (one query)."""
    return list(
        Honoree.objects.filter(session_id=session_id, status=Honoree.Status.DONE)
        .select_related("person", "organization").order_by("done_at", "order", "id")
    )


def honors_made_stamp(*, forum_id: int) -> tuple:
    """Changes whenever an honor of the forum is marked done or undone: part of the public pages' cache keys."""
    row = Honoree.objects.filter(forum_id=forum_id, status=Honoree.Status.DONE).aggregate(n=Count("id"), last=Max("done_at"))
    return (row["n"], row["last"].timestamp() if row["last"] else 0)
