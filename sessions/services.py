"""Every write to the agenda goes through here: the API, the builder page and
the admin's actions call the same functions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from forum.errors import DomainError, StaleObject
from forum.models import Forum

from .models import ScheduleVersion, Session
from .selectors import agenda_snapshot_build, schedule_version_latest
from .signals import schedule_published

SESSION_FIELDS = (
    "number", "kind", "title_ar", "title_en", "description_ar", "description_en", "hall", "track",
    "starts_at", "ends_at", "status", "expected_audience",
)


def _check_session(*, forum: Forum, data: dict) -> None:
    starts_at: datetime = data["starts_at"]
    ends_at: datetime = data["ends_at"]
    if ends_at <= starts_at:
        raise DomainError(_("The session must end after it starts."), field="ends_at", code="ends_before_start")
    for key in ("hall", "track"):
        obj = data.get(key)
        if obj is not None and obj.forum_id != forum.pk:
            raise DomainError(_("This belongs to another forum."), field=key, code="other_forum")


@transaction.atomic
def session_create(*, forum: Forum, **data) -> Session:
    """Create a session in a forum. The end must come after the start."""
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    _check_session(forum=forum, data=data)
    session = Session(forum=forum, **data)
    session.full_clean(exclude=["forum"], validate_constraints=False)
    session.save()
    return session


@transaction.atomic
def session_update(*, session: Session, expected_lock_version: int | None = None, **changes) -> Session:
    """Change a session. A save based on an older read is refused (409), never merged."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    current = Session.objects.select_for_update().get(pk=session.pk)
    if expected_lock_version is not None and current.lock_version != expected_lock_version:
        raise StaleObject(
            _("Someone else changed this session while you were editing it. Reload it and apply your change again."),
            field="lock_version",
        )
    data = {field: getattr(current, field) for field in SESSION_FIELDS}
    data.update(changes)
    _check_session(forum=current.forum, data=data)
    for field, value in changes.items():
        setattr(current, field, value)
    current.lock_version = F("lock_version") + 1
    current.save()
    current.refresh_from_db()
    return current


def session_cancel(*, session: Session, expected_lock_version: int | None = None) -> Session:
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
                    starts_at=s["starts_at"], ends_at=s["ends_at"], hall_id=s["hall_id"],
                    hall_ar=halls.get(s["hall_id"], {}).get("name_ar", ""),
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
