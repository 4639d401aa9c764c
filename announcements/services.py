"""Messages to attendees: write, check, preview, test, send now or later, through the outbox.

Placeholders are written `{name}` (the name with its honorific: «الدكتور أحمد»,
"Dr. Ahmed"), `{badge_link}` (the attendee's badge page) and `{forum}` (the
forum's title), in the language of the text they are in. Anything else in
braces is refused before sending, as is a segment with nobody in it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.mailing.rendering import RenderedEmail, render_for
from forum.mailing.services import (
    message_build,
    message_enqueue,
    messages_schedule_batch,
    messages_store,
    suppressed_addresses,
    unsubscribe_url,
)
from forum.models import Forum, honorific_name
from registration.badges.models import Admission
from registration.models import Registration, RegistrationType, WaitlistEntry
from sessions.models import Session, SessionRole

from . import tasks
from .models import Announcement, AnnouncementRecipient

log = logging.getLogger(__name__)

KIND = "announcement"
TEST_KIND = "announcement_test"
PLACEHOLDERS = ("name", "badge_link", "forum")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TEXT_FIELDS = ("subject_ar", "subject_en", "body_ar", "body_en")
SPEAKER_ROLES = (SessionRole.Role.CHAIR, SessionRole.Role.CO_CHAIR, SessionRole.Role.SPEAKER,
                 SessionRole.Role.PANELIST, SessionRole.Role.MODERATOR)
CHUNK = 500
# A delivery still "sending" after this long belongs to a worker that stopped; the sweep resumes it.
STALLED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Recipient:
    email: str
    name_ar: str
    name_en: str
    honorific: str
    language: str
    registration: Registration | None = None

    def name(self, language: str) -> str:
        return honorific_name(self.honorific, self.name_ar, self.name_en, language)


# ---- Checking ------------------------------------------------------------------------------------


def placeholders_check(*, texts: dict[str, str], segment: str) -> None:
    """Unknown placeholders, and a badge link for people who have no badge, are refused per field."""
    errors = {}
    has_badges = segment not in (Announcement.Segment.SPEAKERS, Announcement.Segment.WAITLIST)
    for field, text in texts.items():
        for name in PLACEHOLDER.findall(text or ""):
            if name.strip() not in PLACEHOLDERS:
                errors.setdefault(field, []).append(
                    _("Unknown placeholder {%(name)s}: use {name}, {badge_link} or {forum}.") % {"name": name})
            elif name.strip() == "badge_link" and not has_badges:
                errors.setdefault(field, []).append(
                    _("{badge_link} only works for registered attendees; this segment has no badges."))
    if errors:
        raise DomainError(errors=errors, code="unknown_placeholder")


def _clean(*, forum: Forum, data: dict) -> dict:
    errors = {}
    for field in ("subject_ar", "body_ar"):
        if not (data.get(field) or "").strip():
            errors[field] = [_("This is needed in Arabic.")]
    segment = data.get("segment") or Announcement.Segment.CONFIRMED
    if segment not in Announcement.Segment.values:
        errors["segment"] = [_("Unknown segment.")]
    rtype, session = data.get("registration_type"), data.get("session")
    if segment == Announcement.Segment.TYPE:
        if not isinstance(rtype, RegistrationType) or rtype.forum_id != forum.pk:
            errors["registration_type"] = [_("Choose a registration type of this forum.")]
    else:
        rtype = None
    if segment == Announcement.Segment.SESSION:
        if not isinstance(session, Session) or session.forum_id != forum.pk:
            errors["session"] = [_("Choose a session of this forum.")]
    else:
        session = None
    if errors:
        raise DomainError(errors=errors)
    texts = {f: (data.get(f) or "").strip() for f in TEXT_FIELDS}
    placeholders_check(texts=texts, segment=segment)
    return {**texts, "segment": segment, "registration_type": rtype, "session": session}


@transaction.atomic
def announcement_save(*, forum: Forum, user, data: dict, announcement: Announcement | None = None) -> Announcement:
    """Create or change a draft (or a scheduled message, which goes back to draft)."""
    cleaned = _clean(forum=forum, data=data)
    if announcement is None:
        return Announcement.objects.create(forum=forum, created_by=user, **cleaned)
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk, forum=forum)
    if announcement.status not in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
        raise DomainError(_("This message has already been sent."), field="status", code="already_sent")
    for key, value in cleaned.items():
        setattr(announcement, key, value)
    announcement.status, announcement.scheduled_at = Announcement.Status.DRAFT, None
    announcement.save()
    return announcement


# ---- Segments ------------------------------------------------------------------------------------


def _registrations(announcement: Announcement):
    qs = Registration.objects.filter(forum_id=announcement.forum_id, status=Registration.Status.CONFIRMED)
    segment = announcement.segment
    # Checked in: admitted anywhere (the door, or a session's checkpoint).
    door = Admission.objects.filter(registration=OuterRef("pk"))
    if segment == Announcement.Segment.TYPE:
        qs = qs.filter(registration_type_id=announcement.registration_type_id)
    elif segment == Announcement.Segment.CHECKED_IN:
        qs = qs.filter(Exists(door))
    elif segment == Announcement.Segment.NOT_CHECKED_IN:
        qs = qs.filter(~Exists(door))
    elif segment == Announcement.Segment.SESSION:
        qs = qs.filter(session_attendance__session_id=announcement.session_id)
    return qs.order_by("id")


def segment_recipients(announcement: Announcement) -> Iterator[Recipient]:
    """The segment's people, each address once (the first row for it wins), streamed."""
    seen: set[str] = set()
    segment = announcement.segment
    if segment == Announcement.Segment.SPEAKERS:
        rows = (SessionRole.objects.filter(session__forum_id=announcement.forum_id, role__in=SPEAKER_ROLES)
                .exclude(person__email="").select_related("person").order_by("session__starts_at", "order", "id"))
        source = (Recipient(r.person.email, r.person.full_name_ar, r.person.full_name_en,
                            r.person.honorific, r.person.preferred_language) for r in rows.iterator(CHUNK))
    elif segment == Announcement.Segment.WAITLIST:
        rows = WaitlistEntry.objects.filter(
            forum_id=announcement.forum_id,
            status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]).order_by("created_at", "id")
        source = (Recipient(w.email, w.full_name_ar, w.full_name_en, "", w.language) for w in rows.iterator(CHUNK))
    else:
        source = (Recipient(r.email, r.full_name_ar, r.full_name_en, r.honorific, r.language, r)
                  for r in _registrations(announcement).iterator(CHUNK))
    for recipient in source:
        email = recipient.email.strip().lower()
        if email and email not in seen:
            seen.add(email)
            yield recipient


def segment_count(announcement: Announcement) -> int:
    return sum(1 for _r in segment_recipients(announcement))


# ---- Rendering -----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _badge_link(recipient: Recipient, language: str) -> str:
    if recipient.registration is None:
        return ""
    with translation.override(language):
        return _absolute(reverse("registration:badges:badge", args=[recipient.registration.access_token]))


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)


def announcement_render(announcement: Announcement, recipient: Recipient, *, unsubscribe: str = "") -> RenderedEmail:
    forum = announcement.forum

    def localize(language: str) -> dict:
        values = {"name": recipient.name(language), "badge_link": _badge_link(recipient, language),
                  "forum": forum.title_en or forum.title_ar if language == "en" else forum.title_ar}
        english = language == "en" and announcement.body_en
        return {"subject": _fill(announcement.subject_en if english and announcement.subject_en
                                 else announcement.subject_ar, values),
                "body": _fill(announcement.body_en if english else announcement.body_ar, values)}

    language = recipient.language if announcement.body_en else "ar"
    return render_for("announcements/email/message", {"unsubscribe_url": unsubscribe, "forum": forum},
                      language, localize)


def announcement_preview(*, announcement: Announcement, email: str = "") -> tuple[Recipient | None, RenderedEmail | None]:
    """The message as one recipient of the segment will read it (the first one, or the one named)."""
    email = (email or "").strip().lower()
    for recipient in segment_recipients(announcement):
        if not email or recipient.email.lower() == email:
            return recipient, announcement_render(
                announcement, recipient,
                unsubscribe=unsubscribe_url(email=recipient.email, forum_id=announcement.forum_id))
    return None, None


def announcement_test_send(*, announcement: Announcement, user):
    """The message as its first recipient will read it, to the organizer's own address only."""
    if not getattr(user, "email", ""):
        raise DomainError(_("Your account has no e-mail address to send the test to."), field="test")
    recipient, rendered = announcement_preview(announcement=announcement)
    if recipient is None:
        raise DomainError(_("Nobody is in this segment."), field="segment", code="empty_segment")
    prefix = _("Test")
    return message_enqueue(to=user.email, subject=f"[{prefix}] {rendered.subject}", text_body=rendered.text,
                           html_body=rendered.html, language=recipient.language, kind=TEST_KIND,
                           related=announcement, forum=announcement.forum)


# ---- Sending -------------------------------------------------------------------------------------


@transaction.atomic
def announcement_send(*, announcement: Announcement, at=None, now=None) -> Announcement:
    """Send now, or at `at` (a time in the future). Refused for an empty segment or a bad placeholder."""
    now = now or timezone.now()
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status not in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
        raise DomainError(_("This message has already been sent."), field="status", code="already_sent")
    placeholders_check(texts={f: getattr(announcement, f) for f in TEXT_FIELDS}, segment=announcement.segment)
    if next(segment_recipients(announcement), None) is None:
        raise DomainError(_("Nobody is in this segment: choose other recipients."), field="segment",
                          code="empty_segment")
    if at is not None and at > now:
        announcement.status, announcement.scheduled_at = Announcement.Status.SCHEDULED, at
        announcement.save(update_fields=["status", "scheduled_at"])
        return announcement
    announcement.status = Announcement.Status.QUEUED
    announcement.save(update_fields=["status"])
    transaction.on_commit(lambda: _schedule(announcement.pk))
    return announcement


@transaction.atomic
def announcement_cancel(*, announcement: Announcement) -> Announcement:
    updated = Announcement.objects.filter(pk=announcement.pk, status=Announcement.Status.SCHEDULED).update(
        status=Announcement.Status.DRAFT, scheduled_at=None)
    if not updated:
        raise DomainError(_("Only a scheduled message can be cancelled."), field="status", code="not_scheduled")
    announcement.refresh_from_db()
    return announcement


def _schedule(announcement_id: int) -> None:
    try:
        tasks.announcement_deliver_task.delay(announcement_id)
    except Exception:  # broker down (or, in-process, a failure): announcements_send_due picks it up
        log.exception("could not deliver announcement %s now", announcement_id)


def announcement_deliver(*, announcement_id: int, now=None) -> int:
    """Write one outbox message per recipient, in chunks, and hand each chunk to the batch sender.

    Claimed by a conditional UPDATE (queued -> sending), so two workers never
    deliver the same message; a delivery that stopped half-way (still sending
    after STALLED_AFTER) is resumed by the sweep, skipping the addresses done. Suppressed addresses
    (unsubscribed, hard-bounced) get a history row and no e-mail.
    """
    now = now or timezone.now()
    claimed = Announcement.objects.filter(
        Q(status=Announcement.Status.QUEUED)
        | Q(status=Announcement.Status.SENDING, delivery_started_at__lt=now - STALLED_AFTER),
        pk=announcement_id,
    ).update(status=Announcement.Status.SENDING, delivery_started_at=now)
    if not claimed:
        return 0
    announcement = Announcement.objects.select_related("forum").get(pk=announcement_id)
    done = set(AnnouncementRecipient.objects.filter(announcement=announcement).values_list("email", flat=True))
    skip = suppressed_addresses(forum_id=announcement.forum_id, bulk=True)
    total = len(done)
    chunk: list[Recipient] = []
    for recipient in segment_recipients(announcement):
        if recipient.email.lower() in done:
            continue
        chunk.append(recipient)
        if len(chunk) >= CHUNK:
            total += _deliver_chunk(announcement, chunk, skip)
            chunk = []
    if chunk:
        total += _deliver_chunk(announcement, chunk, skip)
    Announcement.objects.filter(pk=announcement.pk).update(
        status=Announcement.Status.SENT, sent_at=timezone.now(), recipients_count=total)
    return total


@transaction.atomic
def _deliver_chunk(announcement: Announcement, chunk: list[Recipient], skip: set[str]) -> int:
    messages, rows = [], []
    for recipient in chunk:
        email = recipient.email.lower()
        row = AnnouncementRecipient(announcement=announcement, email=email, name=recipient.name("ar"),
                                    language=recipient.language, registration=recipient.registration)
        if email in skip:
            row.skipped = "suppressed"
        else:
            rendered = announcement_render(announcement, recipient,
                                           unsubscribe=unsubscribe_url(email=email, forum_id=announcement.forum_id))
            messages.append(message_build(to=email, subject=rendered.subject, text_body=rendered.text,
                                          html_body=rendered.html, language=recipient.language, kind=KIND,
                                          related=announcement, forum=announcement.forum, bulk=True))
        rows.append(row)
    ids = messages_store(messages)
    sent_rows = [row for row in rows if not row.skipped]
    for row, message_id in zip(sent_rows, ids, strict=True):
        row.message_id = message_id
    AnnouncementRecipient.objects.bulk_create(rows)
    messages_schedule_batch(ids, per_second=settings.OUTBOX_BULK_PER_SECOND)
    return len(rows)


def announcements_send_due(*, now=None) -> int:
    """Scheduled messages whose time has come, and deliveries whose task was lost or stopped."""
    now = now or timezone.now()
    Announcement.objects.filter(status=Announcement.Status.SCHEDULED, scheduled_at__lte=now).update(
        status=Announcement.Status.QUEUED)
    due = list(Announcement.objects.filter(
        Q(status=Announcement.Status.QUEUED)
        | Q(status=Announcement.Status.SENDING, delivery_started_at__lt=now - STALLED_AFTER)
    ).values_list("pk", flat=True))
    for pk in due:
        announcement_deliver(announcement_id=pk, now=now)
    return len(due)
