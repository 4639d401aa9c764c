"""Every write to the agenda goes through here: the API, the builder page and
the admin's actions call the same functions.

A little over 600 lines: sessions, their parts and run, honorees, prayer breaks, gifts and the copy of
an edition share the same conflict checks and forum lock; to become a package by those if it grows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions
from forum.errors import DomainError, PermissionDenied, StaleObject
from forum.models import Forum, Hall, Person, TeamMember, Track

from . import conflicts
from .models import GiftItem, Honoree, PrayerTimeOverride, ScheduleVersion, Session, SessionItem, SessionRole
from .prayers import PRAYER_WINDOW_MINUTES, prayer_break_title, prayer_times_for_forum
from .selectors import agenda_snapshot_build, schedule_version_latest
from .signals import schedule_published

SESSION_FIELDS = (
    "number", "kind", "title_ar", "title_en", "description_ar", "description_en", "hall", "track",
    "starts_at", "ends_at", "status", "expected_audience",
)


def _check_session(*, forum: Forum, data: dict, session: Session | None = None) -> dict:
    """Refuse a session state that breaks an error rule; return the conflict report otherwise.

    The proposed state is checked against every other live session of the
    forum (rules in conflicts.py); errors raise ScheduleConflict, which the
    caller's transaction turns into "nothing changed".
    """
    for key in ("hall", "track"):
        obj = data.get(key)
        if obj is not None and obj.forum_id != forum.pk:
            raise DomainError(_("This belongs to another forum."), field=key, code="other_forum")
    starts_at: datetime | None = data.get("starts_at")
    ends_at: datetime | None = data.get("ends_at")
    if starts_at is None or ends_at is None:
        raise DomainError(_("A session needs a start and an end."), field="starts_at" if starts_at is None else "ends_at")
    number = data.get("number")
    if number is not None:
        taken = Session.objects.filter(forum=forum, number=number)
        if session is not None:
            taken = taken.exclude(pk=session.pk)
        if taken.exists():
            raise DomainError(_("Another session of this forum already has this number."), field="number",
                              code="duplicate_number")
    # One agenda write per forum at a time: two organizers moving two sessions into the same free
    # slot at once must not both pass the check. (The row lock is a no-op on SQLite, which
    # serializes writers anyway.)
    Forum.objects.select_for_update().filter(pk=forum.pk).first()
    slots, context = conflicts.load_slots(forum=forum)
    base = next((s for s in slots if session is not None and s.id == session.pk), None)
    candidate = conflicts.slot_from_data(session=session, data=data, base=base)
    slots = [s for s in slots if base is None or s.id != base.id] + [candidate]
    report = conflicts.check_slots(slots, context, only={candidate.id})
    if report["errors"]:
        raise conflicts.ScheduleConflict(report)
    return report


def session_check(*, forum: Forum, data: dict, session: Session | None = None,
                  expected_lock_version: int | None = None) -> dict:
    """What session_create/session_update check, without writing: for forms that must show a refusal as a
    form error (the admin). Raises StaleObject, DomainError or ScheduleConflict; returns the conflict report.

    `data` is the session's whole proposed state (SESSION_FIELDS). Run it in the transaction that then
    writes: the forum's row stays locked until that commit, so the write sees what was checked.
    """
    if session is not None:
        current = Session.objects.select_for_update().get(pk=session.pk)
        _stale_refuse(current, expected_lock_version)
    return _check_session(forum=forum, data=data, session=session)


def _stale_refuse(current: Session, expected_lock_version: int | None) -> None:
    if expected_lock_version is not None and current.lock_version != expected_lock_version:
        raise StaleObject(
            _("Someone else changed this session while you were editing it. Reload it and apply your change again."),
            field="lock_version",
        )


@transaction.atomic
def session_create(*, forum: Forum, **data) -> Session:
    """Create a session in a forum. The end must come after the start."""
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    report = _check_session(forum=forum, data=data)
    session = Session(forum=forum, **data)
    session.full_clean(exclude=["forum"], validate_constraints=False)
    session.save()
    session.conflicts = report
    return session


@transaction.atomic
def session_update(*, session: Session, expected_lock_version: int | None = None, **changes) -> Session:
    """Change a session. A save based on an older read is refused (409), never merged."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    current = Session.objects.select_for_update().get(pk=session.pk)
    _stale_refuse(current, expected_lock_version)
    data = {field: getattr(current, field) for field in SESSION_FIELDS}
    data.update(changes)
    report = _check_session(forum=current.forum, data=data, session=current)
    for field, value in changes.items():
        setattr(current, field, value)
    current.lock_version = F("lock_version") + 1
    current.save()
    current.refresh_from_db()
    current.conflicts = report
    return current


def session_cancel(*, session: Session, expected_lock_version: int | None = None) -> Session:
    """Cancel a session: it stays on the agenda, marked cancelled, and takes no part in conflicts."""
    return session_update(
        session=session, expected_lock_version=expected_lock_version, status=Session.Status.CANCELLED
    )


def _changelog(previous: dict | None, current: dict) -> list[dict]:
    """What changed between two snapshots, one entry per fact, in agenda order."""
    if previous is None:
        return []
    before = {s["id"]: s for s in previous["sessions"]}
    after = {s["id"]: s for s in current["sessions"]}
    people = {**previous.get("people", {}), **current.get("people", {})}
    halls = {h["id"]: h for h in previous.get("halls", []) + current.get("halls", [])}
    log: list[dict] = []

    def entry(kind: str, s: dict, **details) -> dict:
        return {"type": kind, "session_id": s["id"], "title_ar": s["title_ar"], "title_en": s["title_en"], **details}

    for sid, s in after.items():
        old = before.get(sid)
        if old is None:
            log.append(entry("added", s, starts_at=s["starts_at"], hall_id=s["hall_id"]))
            continue
        if old["status"] != s["status"]:
            log.append(entry("cancelled" if s["status"] == Session.Status.CANCELLED else "restored", s))
        if (old["starts_at"], old["ends_at"], old["hall_id"]) != (s["starts_at"], s["ends_at"], s["hall_id"]):
            log.append(
                entry(
                    "moved", s,
                    old_starts_at=old["starts_at"], old_ends_at=old["ends_at"], old_hall_id=old["hall_id"],
                    old_hall_ar=halls.get(old["hall_id"], {}).get("name_ar", ""),
                    old_hall_en=halls.get(old["hall_id"], {}).get("name_en", ""),
                    starts_at=s["starts_at"], ends_at=s["ends_at"], hall_id=s["hall_id"],
                    hall_ar=halls.get(s["hall_id"], {}).get("name_ar", ""),
                    hall_en=halls.get(s["hall_id"], {}).get("name_en", ""),
                )
            )
        if (old["title_ar"], old["title_en"]) != (s["title_ar"], s["title_en"]):
            log.append(entry("retitled", s, old_title_ar=old["title_ar"], old_title_en=old["title_en"]))
        old_people = {(r["person_id"], r["role"]) for r in old["roles"]}
        new_people = {(r["person_id"], r["role"]) for r in s["roles"]}
        for person_id, role in sorted(new_people - old_people, key=str):
            person = people.get(str(person_id), {})
            log.append(entry("person_added", s, person_id=person_id, role=role,
                             person_ar=person.get("display_name_ar", ""), person_en=person.get("display_name_en", "")))
        for person_id, role in sorted(old_people - new_people, key=str):
            person = people.get(str(person_id), {})
            log.append(entry("person_removed", s, person_id=person_id, role=role,
                             person_ar=person.get("display_name_ar", ""), person_en=person.get("display_name_en", "")))
    for sid, old in before.items():
        if sid not in after:
            log.append(entry("removed", old))
    return log


@transaction.atomic
def schedule_publish(*, forum: Forum, user=None) -> ScheduleVersion:
    """Freeze the agenda as the next numbered version, with its changelog against the last one.

    Versions are numbered 1, 2, 3… per forum; the forum row is locked so two
    organizers publishing at once get consecutive numbers.
    """
    Forum.objects.select_for_update().filter(pk=forum.pk).first()
    previous = schedule_version_latest(forum=forum)
    snapshot = agenda_snapshot_build(forum=forum)
    version = ScheduleVersion.objects.create(
        forum=forum,
        number=(previous.number + 1) if previous else 1,
        published_by=user if (user is not None and user.is_authenticated) else None,
        snapshot=snapshot,
        changelog=_changelog(previous.snapshot if previous else None, snapshot),
    )
    transaction.on_commit(
        lambda: schedule_published.send(sender=ScheduleVersion, version=version, previous=previous)
    )
    return version


# ---- People in a session and the run of its items ------------------------------------------


def _session_report(session: Session) -> dict:
    return conflicts.session_conflicts(session=session)


def _person_check(person: Person | None) -> None:
    if person is None:
        raise DomainError(_("Choose a person."), field="person")


def session_roles_errors(*, roles: list[tuple[int | None, str]]) -> list[str]:
    """The rules session_role_add/session_role_update keep, for a whole set of (person id, role) at once
    (a form listing a session's parts): one chair, the same person in the same role only once."""
    errors = []
    if sum(1 for _person, role in roles if role == SessionRole.Role.CHAIR) > 1:
        errors.append(_("This session already has a chair; add a co-chair instead."))
    if len(set(roles)) != len(roles):
        errors.append(_("This person already has this role in the session."))
    return errors


@transaction.atomic
def session_role_add(*, session: Session, person: Person, role: str, order: int | None = None) -> SessionRole:
    """Give a person a part in a session. One chair per session; the same person and role only once.

    Overlaps with the person's other sessions are warnings (see conflicts.py), not refusals.
    """
    _person_check(person)
    if role == SessionRole.Role.CHAIR and SessionRole.objects.filter(session=session, role=role).exists():
        raise DomainError(_("This session already has a chair; add a co-chair instead."), field="role",
                          code="one_chair")
    if SessionRole.objects.filter(session=session, person=person, role=role).exists():
        raise DomainError(_("This person already has this role in the session."), field="person", code="duplicate")
    if order is None:
        order = (SessionRole.objects.filter(session=session).aggregate(m=Max("order"))["m"] or 0) + 1
    created = SessionRole.objects.create(session=session, person=person, role=role, order=order)
    created.conflicts = _session_report(session)
    return created


@transaction.atomic
def session_role_update(*, session_role: SessionRole, **changes) -> SessionRole:
    """Change a participant's person, role or order, under the same rules as adding one."""
    unknown = set(changes) - {"person", "role", "order"}
    if unknown:
        raise TypeError(f"unknown session role fields: {sorted(unknown)}")
    current = SessionRole.objects.select_for_update().get(pk=session_role.pk)
    person = changes.get("person", current.person)
    role = changes.get("role", current.role)
    _person_check(person)
    others = SessionRole.objects.filter(session_id=current.session_id).exclude(pk=current.pk)
    if role == SessionRole.Role.CHAIR and others.filter(role=role).exists():
        raise DomainError(_("This session already has a chair; add a co-chair instead."), field="role",
                          code="one_chair")
    if others.filter(person=person, role=role).exists():
        raise DomainError(_("This person already has this role in the session."), field="person", code="duplicate")
    for key, value in changes.items():
        setattr(current, key, value)
    current.save()
    current.conflicts = _session_report(current.session)
    return current


@transaction.atomic
def session_role_remove(*, session_role: SessionRole) -> None:
    session_role.delete()


def _reorder(rows: list, ids: list[int], *, what: str) -> list:
    """Put `ids` in the given order. All of a session's rows: that order. A subset (e.g. only the
    speakers): those rows swap among the places they already hold, the others stay put."""
    if len(set(ids)) != len(ids):
        raise DomainError(_("Each %(what)s may appear only once in the new order.") % {"what": what}, field="ids")
    by_id = {row.pk: row for row in rows}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise DomainError(
            _("These do not belong to this session (maybe someone removed them): %(ids)s. Reload and try again.")
            % {"ids": ", ".join(str(i) for i in missing)},
            field="ids", code="stale",
        )
    # Normalise first, so rows created with the same default order get distinct places.
    for place, row in enumerate(rows):
        row.order = place
    places = sorted(by_id[i].order for i in ids)
    for place, row_id in zip(places, ids, strict=True):
        by_id[row_id].order = place
    return rows


@transaction.atomic
def session_roles_reorder(*, session: Session, ids: list[int]) -> list[SessionRole]:
    """Reorder the chair, speakers and panelists of a session (e.g. the speakers' running order)."""
    rows = list(SessionRole.objects.select_for_update().filter(session=session).order_by("order", "id"))
    rows = _reorder(rows, ids, what=_("participant"))
    SessionRole.objects.bulk_update(rows, ["order"])
    return sorted(rows, key=lambda r: r.order)


@transaction.atomic
def session_item_add(*, session: Session, order: int | None = None, **fields) -> SessionItem:
    """Add a step to the run of a session (anthem, recitation, speech, paper…), last unless placed."""
    if order is None:
        order = (SessionItem.objects.filter(session=session).aggregate(m=Max("order"))["m"] or 0) + 1
    item = SessionItem(session=session, order=order, **fields)
    item.full_clean(exclude=["session"], validate_constraints=False)
    item.save()
    item.conflicts = _session_report(session)
    return item


@transaction.atomic
def session_item_update(*, session_item: SessionItem, **changes) -> SessionItem:
    current = SessionItem.objects.select_for_update().get(pk=session_item.pk)
    for key, value in changes.items():
        setattr(current, key, value)
    current.full_clean(exclude=["session"], validate_constraints=False)
    current.save()
    current.conflicts = _session_report(current.session)
    return current


@transaction.atomic
def session_item_remove(*, session_item: SessionItem) -> None:
    session_item.delete()


@transaction.atomic
def session_items_reorder(*, session: Session, ids: list[int]) -> list[SessionItem]:
    """Reorder the run of a session, e.g. the opening ceremony's anthem, recitation and speeches."""
    rows = list(SessionItem.objects.select_for_update().filter(session=session).order_by("order", "id"))
    rows = _reorder(rows, ids, what=_("item"))
    SessionItem.objects.bulk_update(rows, ["order"])
    return sorted(rows, key=lambda r: r.order)


# ---- Honorees -----------------------------------------------------------------------------------


@transaction.atomic
def honoree_place(
    *, forum: Forum, session: Session | None, reason: str, person: Person | None = None,
    organization=None, gift: str = Honoree.Gift.GIFT, order: int | None = None, note: str = "",
) -> Honoree:
    """Put a person or a body on a session's honoring list (e.g. award winners on the ceremony).

    Placing someone already listed for the same moment and reason updates their
    gift, place and note instead of listing them twice, so a caller may place the
    same list again.
    """
    if (person is None) == (organization is None):
        raise DomainError(_("Choose either a person or an organization to honor, not both."), field="person")
    if session is not None and session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session", code="other_forum")
    if order is None:
        order = (Honoree.objects.filter(forum=forum, session=session).aggregate(m=Max("order"))["m"] or 0) + 1
    honoree, _created = Honoree.objects.update_or_create(
        forum=forum, session=session, reason=reason, person=person, organization=organization,
        defaults={"gift": gift, "order": order, "note": note[:255]},
    )
    return honoree


# ---- Prayer times -------------------------------------------------------------------------------


def _check_forum_day(forum: Forum, day: date) -> None:
    if not (forum.first_day <= day <= forum.last_day):
        raise DomainError(_("This day is not one of the forum's days."), field="day", code="outside_forum_days")


@transaction.atomic
def prayer_time_override_set(*, forum: Forum, day: date, prayer: str, time, note: str = "") -> PrayerTimeOverride:
    """Set a prayer time by hand for one forum day (replacing any earlier override)."""
    _check_forum_day(forum, day)
    override, _created = PrayerTimeOverride.objects.update_or_create(
        forum=forum, day=day, prayer=prayer, defaults={"time": time, "note": note}
    )
    return override


@transaction.atomic
def prayer_time_override_remove(*, override: PrayerTimeOverride) -> None:
    override.delete()


@transaction.atomic
def prayer_break_insert(
    *, forum: Forum, day: date, prayer: str, hall: Hall | None = None, minutes: int = PRAYER_WINDOW_MINUTES
) -> Session:
    """Insert a prayer break at a day's prayer time in one step (a Session of kind "prayer").

    It goes through session_create, so a hall already busy then refuses it.
    """
    _check_forum_day(forum, day)
    if not 5 <= minutes <= 120:
        raise DomainError(_("A prayer break lasts between 5 and 120 minutes."), field="minutes")
    times = [p for p in prayer_times_for_forum(forum=forum) if p.day == day and p.prayer == prayer]
    if not times:
        raise DomainError(
            _("No prayer time is known for this day: set the venue's coordinates or the time by hand."),
            field="prayer", code="no_prayer_time",
        )
    at = times[0].at
    from django.utils.translation import override as language

    with language("ar"):
        title_ar = prayer_break_title(prayer)
    with language("en"):
        title_en = prayer_break_title(prayer)
    return session_create(
        forum=forum, kind=Session.Kind.PRAYER, title_ar=title_ar, title_en=title_en, hall=hall,
        starts_at=at, ends_at=at + timedelta(minutes=minutes),
    )


# ---- A new edition --------------------------------------------------------------------------------


def _shift(value: datetime, days: int, tz) -> datetime:
    """The same wall-clock time `days` later in the forum's zone (safe across DST changes)."""
    local = value.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=tz)


@transaction.atomic
def forum_edition_copy(
    *, forum: Forum, user, slug: str, first_day: date, title_ar: str = "", title_en: str = ""
) -> Forum:
    """Copy a forum's agenda to a new edition in one step.

    The new forum is a draft, numbered as the next edition, its days shifted so
    that it starts on `first_day`. Halls, themes, the team and every scheduled
    session are copied with their chair, speakers, panelists and items; people
    are the same people. Cancelled sessions, working papers, honorees, prayer
    overrides and published versions belong to the old edition and stay there.
    """
    if Forum.objects.filter(slug=slug).exists():
        raise DomainError(_("A forum with this slug already exists."), field="slug", code="duplicate_slug")
    shift = (first_day - forum.first_day).days
    tz = forum.tzinfo
    new = Forum.objects.create(
        slug=slug,
        title_ar=title_ar or forum.title_ar,
        title_en=title_en or forum.title_en,
        edition=forum.edition + 1,
        organizer_id=forum.organizer_id,
        organizing_department_id=forum.organizing_department_id,
        patron_id=forum.patron_id,
        venue_name_ar=forum.venue_name_ar, venue_name_en=forum.venue_name_en,
        venue_address_ar=forum.venue_address_ar, venue_address_en=forum.venue_address_en,
        latitude=forum.latitude, longitude=forum.longitude, time_zone=forum.time_zone,
        first_day=first_day, last_day=forum.last_day + timedelta(days=shift),
        status=Forum.Status.DRAFT,
        description_ar=forum.description_ar, description_en=forum.description_en,
        prayer_method=forum.prayer_method, logo=forum.logo,
    )
    team = {m.user_id: m.role for m in TeamMember.objects.filter(forum=forum)}
    if user is not None and user.is_authenticated:
        team[user.pk] = TeamMember.Role.OWNER
    TeamMember.objects.bulk_create([TeamMember(forum=new, user_id=u, role=r) for u, r in team.items()])
    halls = {}
    for hall in Hall.objects.filter(forum=forum):
        halls[hall.pk] = Hall.objects.create(
            forum=new, name_ar=hall.name_ar, name_en=hall.name_en, capacity=hall.capacity, order=hall.order
        )
    tracks = {}
    for track in Track.objects.filter(forum=forum):
        tracks[track.pk] = Track.objects.create(
            forum=new, name_ar=track.name_ar, name_en=track.name_en, description_ar=track.description_ar,
            description_en=track.description_en, color=track.color, order=track.order,
        )
    old_sessions = list(
        Session.objects.filter(forum=forum).exclude(status=Session.Status.CANCELLED).prefetch_related("roles", "items")
    )
    roles, items = [], []
    for old in old_sessions:
        copy = Session.objects.create(
            forum=new, number=old.number, kind=old.kind, title_ar=old.title_ar, title_en=old.title_en,
            description_ar=old.description_ar, description_en=old.description_en,
            hall=halls.get(old.hall_id), track=tracks.get(old.track_id),
            starts_at=_shift(old.starts_at, shift, tz), ends_at=_shift(old.ends_at, shift, tz),
            expected_audience=old.expected_audience,
        )
        roles += [SessionRole(session=copy, person_id=r.person_id, role=r.role, order=r.order) for r in old.roles.all()]
        items += [
            SessionItem(session=copy, order=i.order, kind=i.kind, title_ar=i.title_ar, title_en=i.title_en,
                        presenter_id=i.presenter_id, duration_minutes=i.duration_minutes)
            for i in old.items.all()
        ]
    SessionRole.objects.bulk_create(roles)
    SessionItem.objects.bulk_create(items)
    return new


# ---- Honoring ceremony -----------------------------------------------------------------------------


HONOREE_FIELDS = (
    "session", "person", "organization", "reason", "gift", "gift_item", "presented_by", "presented_by_organization",
    "presented_by_group_ar", "presented_by_group_en", "announcement_ar", "announcement_en", "protocol_rank",
    "order", "note",
)


def honoree_check(forum: Forum, values: dict, *, honoree: Honoree | None = None) -> None:
    """The rules honoree_create/honoree_update keep (also for forms that show them as form errors)."""
    person, organization = values.get("person"), values.get("organization")
    if (person is None) == (organization is None):
        raise DomainError(_("Choose either a person or an organization to honor, not both."), field="person")
    session = values.get("session")
    if session is not None and session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session")
    gift_item = values.get("gift_item")
    if gift_item is not None and gift_item.forum_id != forum.pk:
        raise DomainError(_("This gift belongs to another forum's inventory."), field="gift_item")
    duplicate = Honoree.objects.filter(forum=forum, session=session, reason=values.get("reason", Honoree.Reason.OTHER))
    duplicate = duplicate.filter(person=person) if person is not None else duplicate.filter(organization=organization)
    if honoree is not None:
        duplicate = duplicate.exclude(pk=honoree.pk)
    if duplicate.exists():
        raise DomainError(_("This honoree is already listed for this moment."), code="duplicate")


@transaction.atomic
def honoree_create(*, forum: Forum, presenters: list[Person] | None = None, **fields) -> Honoree:
    """Add someone to be honored, with who presents it: one person, several, a body or a group in words."""
    unknown = set(fields) - set(HONOREE_FIELDS)
    if unknown:
        raise TypeError(f"unknown honoree fields: {sorted(unknown)}")
    honoree_check(forum, fields)
    if "order" not in fields:
        fields["order"] = (Honoree.objects.filter(forum=forum).aggregate(m=Max("order"))["m"] or 0) + 1
    honoree = Honoree.objects.create(forum=forum, **fields)
    if presenters:
        honoree.presenters.set(presenters)
    return honoree


@transaction.atomic
def honoree_update(*, honoree: Honoree, presenters: list[Person] | None = None, **changes) -> Honoree:
    unknown = set(changes) - set(HONOREE_FIELDS)
    if unknown:
        raise TypeError(f"unknown honoree fields: {sorted(unknown)}")
    current = Honoree.objects.select_for_update().get(pk=honoree.pk)
    values = {f: getattr(current, f) for f in ("session", "person", "organization", "reason")}
    values.update(gift_item=current.gift_item)
    values.update(changes)
    honoree_check(current.forum, values, honoree=current)
    for key, value in changes.items():
        setattr(current, key, value)
    current.save()
    if presenters is not None:
        current.presenters.set(presenters)
    return current


@transaction.atomic
def honoree_mark(*, honoree: Honoree, by, done: bool = True) -> Honoree:
    """Mark an honor as made on stage (or undo a tap made by mistake). Organizers of the forum only.

    Idempotent: marking a done honor done again keeps the first time and person.
    """
    current = Honoree.objects.select_for_update().get(pk=honoree.pk)
    if not permissions.can_edit_forum(by, current.forum_id):
        raise PermissionDenied(_("Only the organizers of this forum may run its honoring ceremony."))
    if done and current.status != Honoree.Status.DONE:
        current.status, current.done_at, current.done_by = Honoree.Status.DONE, timezone.now(), by
    elif not done:
        current.status, current.done_at, current.done_by = Honoree.Status.PLANNED, None, None
    current.save(update_fields=["status", "done_at", "done_by"])
    return current


GIFT_ITEM_FIELDS = ("kind", "name_ar", "name_en", "quantity_needed", "quantity_prepared", "needs_engraving",
                    "engraving_ar", "engraving_en", "note")


def _gift_item_check(forum: Forum, values: dict, *, item: GiftItem | None = None) -> None:
    if not (values.get("name_ar") or "").strip():
        raise DomainError(_("Name the gift in Arabic."), field="name_ar")
    same = GiftItem.objects.filter(forum=forum, name_ar=values["name_ar"].strip())
    if item is not None:
        same = same.exclude(pk=item.pk)
    if same.exists():
        raise DomainError(_("The inventory already has a gift with this name."), field="name_ar", code="duplicate")
    for field in ("quantity_needed", "quantity_prepared"):
        value = values.get(field, 0)
        if not isinstance(value, int) or value < 0 or value > 10_000:
            raise DomainError(_("Enter a whole number from 0 to 10,000."), field=field)


@transaction.atomic
def gift_item_create(*, forum: Forum, **fields) -> GiftItem:
    unknown = set(fields) - set(GIFT_ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown gift fields: {sorted(unknown)}")
    _gift_item_check(forum, fields)
    fields["name_ar"] = fields["name_ar"].strip()
    return GiftItem.objects.create(forum=forum, **fields)


@transaction.atomic
def gift_item_update(*, item: GiftItem, **changes) -> GiftItem:
    unknown = set(changes) - set(GIFT_ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown gift fields: {sorted(unknown)}")
    current = GiftItem.objects.select_for_update().get(pk=item.pk)
    values = {f: getattr(current, f) for f in GIFT_ITEM_FIELDS}
    values.update(changes)
    _gift_item_check(current.forum, values, item=current)
    for key, value in changes.items():
        setattr(current, key, value)
    current.save()
    return current
