"""Reads for calendars: which snapshot, which sessions for whom, which SEQUENCE."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.apps import apps
from django.db.models import Q

from forum.models import Forum, Person

from .models import CalendarSettings, FeedToken

# Changes that alter an event as a calendar sees it: each raises its SEQUENCE.
SEQUENCE_RAISING = frozenset({"moved", "retitled", "cancelled", "restored", "removed"})


def published_snapshot(*, forum: Forum) -> dict | None:
    """The latest published agenda, or None before the first publication."""
    from sessions.selectors import schedule_version_latest

    version = schedule_version_latest(forum=forum)
    return version.snapshot if version else None


def calendar_settings(*, forum: Forum) -> CalendarSettings:
    """The forum's settings, defaults if never saved (nothing is written by reading)."""
    try:
        return forum.calendar_settings
    except CalendarSettings.DoesNotExist:
        return CalendarSettings(forum=forum)


def sequences_for_forum(*, forum: Forum, up_to_number: int | None = None) -> dict[int, int]:
    """SEQUENCE of each session as published: how many times it changed in a way calendars see.

    Counted from the changelogs of every published version (one query), so it
    only grows and is the same for a public export, a feed and an invite.
    """
    from sessions.models import ScheduleVersion

    versions = ScheduleVersion.objects.filter(forum=forum)
    if up_to_number is not None:
        versions = versions.filter(number__lte=up_to_number)
    counts: dict[int, int] = defaultdict(int)
    for changelog in versions.values_list("changelog", flat=True):
        seen: set[int] = set()
        for entry in changelog or []:
            # Several changes to one session in one publication raise it once.
            if entry.get("type") in SEQUENCE_RAISING and entry["session_id"] not in seen:
                seen.add(entry["session_id"])
                counts[entry["session_id"]] += 1
    return dict(counts)


def session_ids_of_person(snapshot: dict, person_id: int) -> list[int]:
    return [s["id"] for s in snapshot.get("sessions", []) if any(r["person_id"] == person_id for r in s["roles"])]


def starred_model():
    """frontend.StarredSession (user, session), or None while it does not exist yet."""
    try:
        return apps.get_model("frontend", "StarredSession")
    except LookupError:
        return None


def starred_session_ids(*, user, forum: Forum) -> set[int]:
    model = starred_model()
    if model is None or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(model.objects.filter(user=user, session__forum=forum).values_list("session_id", flat=True))


def users_who_starred(*, session_ids) -> dict[int, list]:
    """{session_id: [user, …]} for users with an e-mail address."""
    model = starred_model()
    result: dict[int, list] = defaultdict(list)
    if model is None or not session_ids:
        return result
    rows = model.objects.filter(session_id__in=list(session_ids)).select_related("user").exclude(user__email="")
    for row in rows:
        result[row.session_id].append(row.user)
    return result


def language_of_user(*, user, forum: Forum) -> str:
    """A person's stated preference, else the language of their registration, else Arabic."""
    person = Person.objects.filter(user=user).only("preferred_language").first()
    if person is not None:
        return person.preferred_language or "ar"
    Registration = apps.get_model("registration", "Registration")
    registration = Registration.objects.filter(forum=forum, user=user).order_by("-created_at").only("language").first()
    return (registration.language if registration else "") or "ar"


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

