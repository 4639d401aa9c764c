"""Reads for calendars: which snapshot, which sessions for whom, which SEQUENCE."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.db.models import Q

from forum.models import Forum, Person
from registration.models import Registration
from sessions.models import ScheduleVersion, StarredSession
from sessions.selectors import schedule_version_latest
from sessions.snapshot import AgendaSnapshot

from .models import CalendarSettings, FeedToken


def published_snapshot(*, forum: Forum) -> AgendaSnapshot | None:
    """The latest published agenda, or None before the first publication."""
    version = schedule_version_latest(forum=forum)
    return version.snapshot if version else None


def calendar_settings(*, forum: Forum) -> CalendarSettings:
    """The forum's settings, defaults if never saved (nothing is written by reading)."""
    try:
        return forum.calendar_settings
    except CalendarSettings.DoesNotExist:
        return CalendarSettings(forum=forum)


def published_number(*, forum: Forum) -> int:
    """Number of the latest published version (0 before the first)."""
    return ScheduleVersion.objects.filter(forum=forum).order_by("-number").values_list("number", flat=True).first() or 0


def sequences_for(snapshot: AgendaSnapshot, number: int) -> dict[int, int]:
    """SEQUENCE of every event of a calendar made from publication `number`.

    The publication's number, as the public exports do: it only grows, so a
    calendar always takes a newer copy over an older one, and an e-mailed
    update (whose SEQUENCE is at least this) over anything exported before it.
    Key 0 is the forum event.
    """
    return {0: number, **{s["id"]: number for s in snapshot.get("sessions", [])}}


def sequences_for_forum(*, forum: Forum, snapshot: AgendaSnapshot) -> dict[int, int]:
    return sequences_for(snapshot, published_number(forum=forum))


def session_ids_of_person(snapshot: AgendaSnapshot, person_id: int) -> list[int]:
    return [s["id"] for s in snapshot.get("sessions", []) if any(r["person_id"] == person_id for r in s["roles"])]


def starred_session_ids(*, user, forum: Forum) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(StarredSession.objects.filter(user=user, session__forum=forum).values_list("session_id", flat=True))


def users_who_starred(*, session_ids) -> dict[int, list]:
    """{session_id: [user, …]} for users with an e-mail address."""
    result: dict[int, list] = defaultdict(list)
    if not session_ids:
        return result
    rows = StarredSession.objects.filter(session_id__in=list(session_ids)).select_related("user").exclude(user__email="")
    for row in rows:
        result[row.session_id].append(row.user)
    return result


def languages_of_users(*, user_ids, forum: Forum) -> dict[int, str]:
    """Each user's language: their person's stated preference, else their registration's, else Arabic."""
    languages = {
        user_id: language or "ar"
        for user_id, language in Registration.objects.filter(forum=forum, user_id__in=user_ids)
        .order_by("created_at")
        .values_list("user_id", "language")
    }
    languages.update(
        Person.objects.filter(user_id__in=user_ids).exclude(preferred_language="")
        .values_list("user_id", "preferred_language")
    )
    return languages


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def feed_token_active(*, raw: str) -> FeedToken | None:
    """The live token for this secret, or None (unknown or revoked)."""
    if not raw or len(raw) > 128:
        return None
    return (
        FeedToken.objects.select_related("forum", "person", "user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def feed_tokens_of(*, forum: Forum, person: Person | None = None, user=None):
    q = Q(forum=forum, revoked_at__isnull=True)
    if person is not None:
        q &= Q(person=person)
    if user is not None:
        q &= Q(user=user)
    return FeedToken.objects.filter(q)

