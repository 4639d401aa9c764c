"""Ready-made calendars for the other parts of the system.

- `attendee_confirmation_ics(registration=...)`: attached to the registration
  confirmation e-mail (the forum, and each session the attendee starred);
- `person_sessions_ics(forum=..., person=...)`: a speaker's or chair's own
  sessions, for the speaker portal's download;
- `personal_feed_ics(token)` / `team_feed_ics(forum)`: the subscribed feeds;
- `add_to_calendar_links(snapshot, session)`: the .ics, Google and Outlook
  links for one session, for the agenda pages.

Everything the public or a participant receives comes from the latest
*published* snapshot; only the organizers' team feed reads the live agenda.
"""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from forum.models import Forum, Person
from sessions import ics
from sessions.snapshot import AgendaSnapshot, SnapshotSession

from . import selectors


def attendee_of_person(person: Person) -> dict:
    return {
        "email": person.email,
        "name": person.display_name_ar,
        "person_id": person.pk,
        "language": person.preferred_language or "ar",
    }


def _registration_attendee(registration) -> dict:
    person = getattr(registration, "person", None)
    return {
        "email": registration.email,
        "name": registration.full_name_ar or getattr(registration, "full_name_en", "") or registration.email,
        "person_id": person.pk if person is not None else None,
        "language": registration.language or "ar",
    }


def _empty_snapshot(forum: Forum) -> dict:
    """The forum alone, for calendars asked for before the agenda is published."""
    return {
        "forum": {
            "id": forum.pk, "slug": forum.slug, "title_ar": forum.title_ar, "title_en": forum.title_en,
            "time_zone": forum.time_zone, "first_day": forum.first_day.isoformat(),
            "last_day": forum.last_day.isoformat(), "venue_name_ar": forum.venue_name_ar,
            "venue_name_en": forum.venue_name_en, "organizer_ar": forum.organizer.name_ar,
            "organizer_en": forum.organizer.name_en or forum.organizer.name_ar,
        },
        "halls": [], "tracks": [], "people": {}, "sessions": [],
    }


def attendee_confirmation_ics(*, registration) -> bytes:
    """The forum (one event, or one per day as the forum's calendar settings say) and
    each published session the attendee starred, as METHOD:PUBLISH."""
    forum = registration.forum
    snapshot = selectors.published_snapshot(forum=forum) or _empty_snapshot(forum)
    starred = selectors.starred_session_ids(user=registration.user, forum=forum)
    sessions = [s for s in snapshot["sessions"] if s["id"] in starred]
    return ics.calendar_bytes(
        snapshot, sessions, method="PUBLISH", attendee=_registration_attendee(registration),
        sequences=selectors.sequences_for_forum(forum=forum, snapshot=snapshot), include_forum_event=True,
        forum_event_per_day=selectors.calendar_settings(forum=forum).forum_event_per_day,
    )


def person_sessions_ics(*, forum: Forum, person: Person) -> bytes:
    """A participant's own published sessions, with their role in each."""
    snapshot = selectors.published_snapshot(forum=forum) or _empty_snapshot(forum)
    mine = set(selectors.session_ids_of_person(snapshot, person.pk))
    return ics.calendar_bytes(
        snapshot, [s for s in snapshot["sessions"] if s["id"] in mine], method="PUBLISH",
        attendee=attendee_of_person(person) if person.email else None,
        sequences=selectors.sequences_for_forum(forum=forum, snapshot=snapshot),
    )


def personal_feed_ics(token) -> bytes:
    """What a personal feed shows: the forum and the owner's published sessions
    (their roles, and what they starred), always from the latest publication."""
    forum = token.forum
    snapshot = selectors.published_snapshot(forum=forum) or _empty_snapshot(forum)
    wanted: set[int] = set()
    person = token.person
    if person is None and token.user is not None:
        person = Person.objects.filter(user=token.user).first()
    if person is not None:
        wanted |= set(selectors.session_ids_of_person(snapshot, person.pk))
    if token.user is not None:
        wanted |= selectors.starred_session_ids(user=token.user, forum=forum)
    name = f"{forum.title_ar} — أجندتي / My agenda"
    owner = f"person-{token.person_id}" if token.person_id else f"user-{token.user_id}"
    return ics.calendar_bytes(
        snapshot, [s for s in snapshot["sessions"] if s["id"] in wanted], method="PUBLISH", name=name,
        sequences=selectors.sequences_for_forum(forum=forum, snapshot=snapshot), include_forum_event=True,
        forum_event_per_day=selectors.calendar_settings(forum=forum).forum_event_per_day,
        refresh_minutes=settings.CALENDAR_FEED_REFRESH_MINUTES, calendar_uid=ics.person_uid(forum.pk, owner),
    )


def team_feed_ics(*, forum: Forum) -> bytes:
    """The organizers' private feed: every session of the live agenda, drafts included."""
    from sessions.selectors import agenda_snapshot_build

    snapshot = agenda_snapshot_build(forum=forum)
    return ics.calendar_bytes(
        snapshot, method="PUBLISH", name=f"{forum.title_ar} — فريق التنظيم / Organizers (live)",
        sequences=selectors.sequences_for_forum(forum=forum, snapshot=snapshot),
        refresh_minutes=min(15, settings.CALENDAR_FEED_REFRESH_MINUTES), calendar_uid=ics.person_uid(forum.pk, "team"),
    )


def session_ics_url(snapshot: AgendaSnapshot, session: SnapshotSession) -> str:
    path = reverse("calendars:session_ics", kwargs={"forum_slug": snapshot["forum"]["slug"],
                                                    "session_id": session["id"]})
    return f"{settings.SITE_URL}{path}"


def _utc_stamp(value: str, tz: ZoneInfo) -> str:
    return ics.local_time(value, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def add_to_calendar_links(snapshot: AgendaSnapshot, session: SnapshotSession) -> dict[str, str]:
    """{"ics": …, "google": …, "outlook": …, "office365": …} for one session of a snapshot."""
    tz = ZoneInfo(snapshot["forum"].get("time_zone") or settings.TIME_ZONE)
    title = ics.bilingual(session.get("title_ar", ""), session.get("title_en", ""))
    location = ics.location_text(snapshot, session)
    url = ics.session_url(snapshot, session)
    details = "\n\n".join(x for x in (session.get("description_ar", ""), session.get("description_en", ""), url) if x)
    google = "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{_utc_stamp(session['starts_at'], tz)}/{_utc_stamp(session['ends_at'], tz)}",
        "details": details,
        "location": location,
        "ctz": tz.key,
    })
    outlook_params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": ics.local_time(session["starts_at"], tz).isoformat(),
        "enddt": ics.local_time(session["ends_at"], tz).isoformat(),
        "body": details,
        "location": location,
    }
    return {
        "ics": session_ics_url(snapshot, session),
        "google": google,
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook_params),
        "office365": "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(outlook_params),
    }
