"""Write side of the outbox.

Rule: a message is stored in the same transaction as the change that causes
it, and handed to the sender only after that transaction commits. If the mail
server is down the message stays queued and is retried with backoff; the
change that caused it stands either way.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.mime.text import MIMEText

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError

from .models import OutgoingMessage
from .rendering import html_from_text

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
# Far longer than EMAIL_TIMEOUT: only a dead worker leaves a message this long.
STUCK_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"

    def as_json(self) -> dict:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


def message_enqueue(
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    language: str = "ar",
    kind: str = "",
    related=None,
    forum=None,
    headers: dict | None = None,
) -> OutgoingMessage:
    """Store one message and schedule its sending for after the current commit.

    A message given as plain text only still gets an HTML part (Arabic-first,
    right to left), so every e-mail of the system reads the same.
    """
    if not html_body:
        html_body = html_from_text(text_body, language=language, subject=subject)
    message = OutgoingMessage.objects.create(
        to=to,
        subject=subject[:300],
        text_body=text_body,
        html_body=html_body,
        attachments=[a.as_json() for a in attachments],
        language=language,
        kind=kind,
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        forum=forum,
        headers=headers or {},
    )
    transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id: int) -> None:
    from .tasks import send_message

    try:
        send_message.delay(message_id)
    except Exception:  # broker unreachable: the retry sweep picks it up later
        log.exception("could not queue outgoing message %s", message_id)


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at six hours."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(message_id: int, now) -> bool:
    """Move a queued or failed message to "sending" atomically; False if someone else has it.

    A conditional UPDATE instead of SELECT … FOR UPDATE so that the rule also
    holds on SQLite: of two workers racing for one message, exactly one wins.
    """
    return bool(
        OutgoingMessage.objects.filter(
            pk=message_id, status__in=[OutgoingMessage.Status.QUEUED, OutgoingMessage.Status.FAILED]
        ).update(status=OutgoingMessage.Status.SENDING, attempts=F("attempts") + 1, sending_since=now)
    )


def _email(message: OutgoingMessage) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id, **(message.headers or {})}
    if message.language:
        headers.setdefault("Content-Language", message.language)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers,
        connection=get_connection(),
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for item in message.attachments:
        content = base64.b64decode(item["content_b64"])
        mimetype = item["mimetype"]
        if mimetype.split(";")[0].strip().lower() == "text/calendar":
            email.attach(_calendar_part(item["filename"], content))
        else:
            email.attach(item["filename"], content, mimetype)
    return email


def _calendar_part(filename: str, content: bytes) -> MIMEText:
    """An .ics as iTIP wants it: text/calendar with its METHOD on the MIME type, so
    mail clients offer "accept"/"update" rather than a plain file."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    method = _ics_method(content)
    if method:
        part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _ics_method(content: bytes) -> str:
    for line in content.splitlines():
        if line.upper().startswith(b"METHOD:"):
            return line.split(b":", 1)[1].strip().decode("ascii", "ignore")
    return ""


def message_send(*, message_id: int) -> OutgoingMessage:
    """Send one stored message once.

    Only a queued or failed message is sent, and only by the worker that
    claimed it; a sent message is never sent again by the outbox. On failure
    it goes back to "failed" with the next attempt after a growing delay, or
    to "gave up" after MAX_ATTEMPTS, where an organizer can resend it.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        return OutgoingMessage.objects.get(pk=message_id)
    message = OutgoingMessage.objects.get(pk=message_id)
    try:
        _email(message).send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, timeouts
        gave_up = message.attempts >= MAX_ATTEMPTS
        message.status = OutgoingMessage.Status.GAVE_UP if gave_up else OutgoingMessage.Status.FAILED
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.next_attempt_at = None if gave_up else timezone.now() + _backoff(message.attempts)
        message.sending_since = None
        message.save(update_fields=["status", "last_error", "next_attempt_at", "sending_since"])
        log.warning("outgoing message %s failed (attempt %s): %s", message.pk, message.attempts, message.last_error)
        return message
    message.status = OutgoingMessage.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.next_attempt_at = None
    message.sending_since = None
    message.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at", "sending_since"])
    return message


@transaction.atomic
def message_resend(*, message: OutgoingMessage) -> OutgoingMessage:
    """An organizer's "resend": queue a failed (or already sent) message again, at once.

    A message being sent right now is refused: resending it could send it twice.
    The attempt counter starts again so a message that gave up gets its full
    series of retries.
    """
    updated = OutgoingMessage.objects.filter(pk=message.pk).exclude(status=OutgoingMessage.Status.SENDING).update(
        status=OutgoingMessage.Status.QUEUED, next_attempt_at=None, attempts=0
    )
    if not updated:
        raise DomainError(_("This message is being sent right now; try again in a minute."), field="status",
                          code="sending")
    transaction.on_commit(lambda: _schedule(message.pk))
    message.refresh_from_db()
    return message


def messages_recover_stuck(*, now=None) -> int:
    """Messages left "sending" by a worker that died go back to "failed", due now.

    Whether such a message reached the server is unknown; it is sent again
    with the same Message-ID so that receiving servers can drop a duplicate.
    """
    now = now or timezone.now()
    return OutgoingMessage.objects.filter(
        status=OutgoingMessage.Status.SENDING, sending_since__lt=now - STUCK_AFTER
    ).update(
        status=OutgoingMessage.Status.FAILED,
        sending_since=None,
        next_attempt_at=now,
        last_error="Interrupted while sending (worker stopped); retrying.",
    )


def messages_retry_due(*, now=None, limit: int = 500) -> int:
    """The periodic sweep: recover stuck messages, then send every queued or due failed one.

    Returns how many were tried. Queued messages are included because their
    task may never have reached the broker.
    """
    now = now or timezone.now()
    messages_recover_stuck(now=now)
    due = list(
        OutgoingMessage.objects.filter(
            Q(status=OutgoingMessage.Status.QUEUED)
            | Q(status=OutgoingMessage.Status.FAILED, next_attempt_at__lte=now)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        message_send(message_id=pk)
    return len(due)
