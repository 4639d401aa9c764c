"""Writes of the calendar side: feed tokens, and the e-mails that keep
everyone's calendar in step with the published agenda.

Rules:
- A feed token's secret is shown once; only its hash is stored. A person (or
  user) has at most one live token per forum and scope; issuing a new one
  revokes the old, and a revoked token opens nothing.
- After each publication, every affected person receives ONE e-mail that
  lists the changes in words (Arabic first) with one .ics per session:
  METHOD:REQUEST for a new or changed session (SEQUENCE raised), METHOD:CANCEL
  for a cancelled or removed one, or one they no longer take part in.
  People with nothing changed receive nothing. The first publication invites
  every participant to their sessions.
- SEQUENCE per (recipient, session) only grows: InviteState remembers the
  last one sent, and the publication's number is a floor under it (the
  public .ics exports use that number, so an update always wins over an
  earlier download).
- A publication is announced once (PublicationNotice), even if the task runs twice.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.mailing.rendering import render_for
from forum.mailing.services import Attachment, message_enqueue
from forum.models import Forum, Person
from forum.permissions import can_view_drafts
from sessions import ics
from sessions.snapshot import AgendaSnapshot

from . import selectors, wording
from .invites import attendee_of_person
from .models import CalendarSettings, FeedToken, InviteState, PublicationNotice

log = logging.getLogger(__name__)

INVITE, UPDATE, CANCEL = "invite", "update", "cancel"


# ---- settings ----------------------------------------------------------------------------


@transaction.atomic
def calendar_settings_update(*, forum: Forum, forum_event_per_day: bool | None = None,
                             send_updates: bool | None = None) -> CalendarSettings:
    """Change how the forum appears in calendars and whether publications are e-mailed."""
    row, _created = CalendarSettings.objects.select_for_update().get_or_create(forum=forum)
    if forum_event_per_day is not None:
        row.forum_event_per_day = forum_event_per_day
    if send_updates is not None:
        row.send_updates = send_updates
    row.save()
    return row


# ---- feed tokens -------------------------------------------------------------------------


def feed_url(raw: str, *, scheme: str = "webcal") -> str:
    """The subscription address for a secret: webcal:// for calendar apps, https:// to download."""
    path = reverse("calendars:feed", kwargs={"token": raw})
    base = settings.SITE_URL
    if scheme == "webcal":
        base = "webcal://" + base.split("://", 1)[-1]
    return f"{base}{path}"


@transaction.atomic
def feed_token_issue(
    *, forum: Forum, person: Person | None = None, user=None, scope: str = FeedToken.Scope.PERSONAL
) -> tuple[FeedToken, str]:
    """Issue (or regenerate) a feed token; returns the row and the secret, shown only now.

    The team feed is for the forum's team members only.
    """
    if person is None and user is None:
        raise DomainError(_("A feed belongs to a person or a user."), field="person")
    if scope == FeedToken.Scope.TEAM:
        if user is None or not can_view_drafts(user, forum):
            raise DomainError(_("Only the organizing team has the full agenda feed."), code="permission_denied")
        person = None
    now = timezone.now()
    live = FeedToken.objects.select_for_update().filter(forum=forum, scope=scope, revoked_at__isnull=True)
    live = live.filter(person=person) if person is not None else live.filter(person__isnull=True, user=user)
    live.update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        forum=forum, scope=scope, person=person, user=user, token_hash=selectors.hash_token(raw)
    )
    return token, raw


@transaction.atomic
def feed_token_revoke(*, token: FeedToken) -> FeedToken:
    """Close a feed for good; the calendar apps that subscribed get 404 from now on."""
    FeedToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def feed_token_touch(*, token: FeedToken) -> None:
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


# ---- updates after a publication ---------------------------------------------------------


@dataclass
class Recipient:
    email: str
    language: str = "ar"
    name: str = ""
    person: Person | None = None
    # session_id -> (action, session dict, [change entries])
    sessions: dict[int, tuple[str, dict, list[dict]]] = field(default_factory=dict)

    def attendee(self) -> dict:
        if self.person is not None:
            return attendee_of_person(self.person)
        return {"email": self.email, "name": self.name or self.email, "person_id": None, "language": self.language}


def _roles(session: dict | None) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for r in (session or {}).get("roles", []):
        roles[r["person_id"]].append(r["role"])
    return roles


def _plan(snapshot: AgendaSnapshot, previous: AgendaSnapshot | None, changelog: list[dict]) -> dict[str, dict]:
    """Who gets what: {"people": {person_id: {sid: action}}, "starrers": {sid: action}}."""
    after = {s["id"]: s for s in snapshot["sessions"]}
    before = {s["id"]: s for s in previous["sessions"]} if previous else {}
    people: dict[int, dict[int, str]] = defaultdict(dict)
    starrers: dict[int, str] = {}

    if previous is None:  # first publication: invite every participant
        for s in snapshot["sessions"]:
            if s["status"] == "cancelled":
                continue
            for person_id in _roles(s):
                people[person_id][s["id"]] = INVITE
        return {"people": people, "starrers": starrers}

    by_session: dict[int, set[str]] = defaultdict(set)
    for entry in changelog:
        by_session[entry["session_id"]].add(entry["type"])
    for sid, types in by_session.items():
        new, old = after.get(sid), before.get(sid)
        new_roles, old_roles = _roles(new), _roles(old)
        gone = new is None or "cancelled" in types
        if new is not None and new["status"] == "cancelled" and "cancelled" not in types:
            continue  # changes to a session that was already cancelled concern no one
        if gone:
            for person_id in set(new_roles) | set(old_roles):
                people[person_id][sid] = CANCEL
            starrers[sid] = CANCEL
            continue
        changed = bool(types & {"moved", "retitled"})
        for person_id, roles in new_roles.items():
            if person_id not in old_roles or "restored" in types:
                people[person_id][sid] = INVITE
            elif changed or sorted(roles) != sorted(old_roles[person_id]):
                people[person_id][sid] = UPDATE
        for person_id in set(old_roles) - set(new_roles):
            people[person_id][sid] = CANCEL
        if "restored" in types:
            starrers[sid] = INVITE
        elif changed:
            starrers[sid] = UPDATE
    return {"people": people, "starrers": starrers}


def _recipients(forum: Forum, snapshot: AgendaSnapshot, previous: AgendaSnapshot | None, plan: dict, changelog: list[dict]) -> dict:
    after = {s["id"]: s for s in snapshot["sessions"]}
    before = {s["id"]: s for s in previous["sessions"]} if previous else {}
    entries: dict[int, list[dict]] = defaultdict(list)
    for entry in changelog:
        entries[entry["session_id"]].append(entry)
    recipients: dict[str, Recipient] = {}

    def add(recipient: Recipient, sid: int, action: str) -> None:
        key = recipient.email.lower()
        current = recipients.setdefault(key, recipient)
        if sid in current.sessions:  # a participant who also starred it: the role wins
            return
        session = after.get(sid) or before.get(sid)
        current.sessions[sid] = (action, session, entries.get(sid, []))

    person_rows = Person.objects.in_bulk(list(plan["people"]))
    for person_id, sessions in plan["people"].items():
        person = person_rows.get(person_id)
        if person is None or not person.email:
            continue
        recipient = Recipient(email=person.email, language=person.preferred_language or "ar",
                              name=person.display_name_ar, person=person)
        for sid, action in sessions.items():
            add(recipient, sid, action)
    starred = selectors.users_who_starred(session_ids=plan["starrers"].keys())
    users = {user.pk: user for users in starred.values() for user in users}
    people_of_users = {p.user_id: p for p in Person.objects.filter(user_id__in=list(users))}
    languages = selectors.languages_of_users(user_ids=list(users), forum=forum)
    for sid, action in plan["starrers"].items():
        for user in starred.get(sid, []):
            person = people_of_users.get(user.pk)
            recipient = Recipient(
                email=user.email, language=languages.get(user.pk, "ar"),
                name=(person.display_name_ar if person else user.get_full_name()) or user.email, person=person,
            )
            add(recipient, sid, action)
    return recipients


def _sequence(state: InviteState | None, action: str, floor: int) -> int:
    """The publication's number is the floor; past what was sent, always one more."""
    if state is None:
        return floor
    return max(floor, state.sequence + 1)


@transaction.atomic
def schedule_updates_send(*, version) -> int:
    """Queue the calendar e-mails for one published version; returns how many messages.

    Runs once per version whatever happens (a second call finds the notice and
    does nothing). The messages are stored in this transaction and go out
    after it commits, through the outbox.
    """
    from sessions.models import ScheduleVersion

    forum = version.forum
    notice, created = PublicationNotice.objects.get_or_create(version=version)
    if not created:
        return 0
    if not selectors.calendar_settings(forum=forum).send_updates:
        return 0
    previous_version = (
        ScheduleVersion.objects.filter(forum=forum, number__lt=version.number).order_by("-number").first()
    )
    snapshot = version.snapshot
    previous = previous_version.snapshot if previous_version else None
    changelog = version.changelog or []
    plan = _plan(snapshot, previous, changelog)
    recipients = _recipients(forum, snapshot, previous, plan, changelog)
    if not recipients:
        return 0
    states = {
        (s.email.lower(), s.session_id): s
        for s in InviteState.objects.select_for_update().filter(
            forum=forum, email__in=[r.email for r in recipients.values()],
            session_id__in={sid for r in recipients.values() for sid in r.sessions},
        )
    }
    published_ids = {s["id"] for s in snapshot["sessions"]}
    sent = 0
    for key, recipient in sorted(recipients.items()):
        attachments: list[Attachment] = []
        changes: list[dict] = []
        for sid, (action, session, entries) in sorted(recipient.sessions.items(), key=lambda i: i[1][1]["starts_at"]):
            state = states.get((key, sid))
            if action == CANCEL and state is not None and state.cancelled:
                continue  # already told: a second CANCEL would only confuse
            sequence = _sequence(state, action, version.number)
            method = "CANCEL" if action == CANCEL else "REQUEST"
            content = ics.calendar_bytes(
                snapshot if sid in published_ids else previous,
                [session], method=method, attendee=recipient.attendee(), sequences={sid: sequence},
            )
            attachments.append(Attachment(
                filename=f"{'cancel' if method == 'CANCEL' else 'invite'}-session-{sid}.ics",
                content=content, mimetype=f"text/calendar; method={method}",
            ))
            changes.append({"action": action, "session": session, "entries": entries, "sequence": sequence})
            if state is None:
                state = InviteState(forum=forum, session_id=sid, email=recipient.email)
                states[(key, sid)] = state
            state.sequence = sequence
            state.cancelled = action == CANCEL
            state.person = recipient.person
            state.version_number = version.number
            state.save()
        if not changes:
            continue
        _enqueue(forum=forum, version=version, recipient=recipient, changes=changes,
                 first=previous is None, snapshot=snapshot, attachments=attachments)
        sent += 1
    PublicationNotice.objects.filter(pk=notice.pk).update(messages=sent)
    return sent


def publications_announce_pending(*, within: timedelta = timedelta(days=1)) -> int:
    """The safety net: announce recent publications whose task never ran (broker down, worker died).

    Oldest first, so each person's SEQUENCE keeps growing in the order the
    versions were published. Returns how many versions were announced.
    """
    from sessions.models import ScheduleVersion

    pending = (
        ScheduleVersion.objects.filter(published_at__gte=timezone.now() - within, calendar_notice__isnull=True)
        .select_related("forum")
        .order_by("forum_id", "number")
    )
    done = 0
    for version in pending:
        try:
            schedule_updates_send(version=version)
            done += 1
        except Exception:  # one broken version must not stop the others
            log.exception("calendar updates for schedule version %s failed", version.pk)
    return done


def _enqueue(*, forum, version, recipient: Recipient, changes: list[dict], first: bool, snapshot: AgendaSnapshot,
             attachments: list[Attachment]) -> None:
    feed = None
    if recipient.person is not None and not selectors.feed_tokens_of(
        forum=forum, person=recipient.person
    ).exists():
        # The person's own subscribable calendar, issued with their first invite.
        _token, raw = feed_token_issue(forum=forum, person=recipient.person)
        feed = feed_url(raw)

    def localize(language: str) -> dict:
        return {
            "forum_title": forum.title_en or forum.title_ar if language == "en" else forum.title_ar,
            "name": recipient.person.display_name_en
            if (language == "en" and recipient.person is not None) else recipient.name,
            "lines": [wording.describe(change, snapshot, language, recipient.person) for change in changes],
        }

    email = render_for(
        "calendars/emails/invite" if first else "calendars/emails/update",
        {"feed_url": feed, "version": version.number,
         "agenda_url": ics.forum_url(snapshot)},
        recipient.language, localize,
    )
    message_enqueue(
        to=recipient.email, subject=email.subject, text_body=email.text, html_body=email.html,
        attachments=attachments, language=recipient.language,
        kind="calendar_invite" if first else "calendar_update", related=version, forum=forum,
    )
