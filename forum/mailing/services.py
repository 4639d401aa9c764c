"""Write side of the outbox.

Rule: a message is stored in the same transaction as the change that causes
it, and handed to the sender only after that transaction commits. If the mail
server is down the message stays queued and is retried with backoff; the
change that caused it stands either way.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from email.mime.text import MIMEText

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError

from . import tasks
from .models import OutgoingMessage, Suppression
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
    bulk: bool = False,
    schedule: bool = True,
) -> OutgoingMessage:
    """Store one message and schedule its sending for after the current commit.

    A message given as plain text only still gets an HTML part (Arabic-first,
    right to left), so every e-mail of the system reads the same. A `bulk`
    (non-essential) message carries the one-click List-Unsubscribe headers
    (RFC 8058) and is skipped for an address unsubscribed from the forum.
    `schedule=False` leaves the sending to the caller (`messages_send_batch`)
    or to the sweep.
    """
    message = message_build(to=to, subject=subject, text_body=text_body, html_body=html_body,
                            attachments=attachments, language=language, kind=kind, related=related, forum=forum,
                            headers=headers, bulk=bulk)
    message.save()
    if schedule:
        transaction.on_commit(lambda: _schedule(message.pk))
    return message


def message_build(
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
    bulk: bool = False,
) -> OutgoingMessage:
    """An unsaved message, for `messages_store` to write many at once."""
    if not html_body:
        html_body = html_from_text(text_body, language=language, subject=subject)
    headers = dict(headers or {})
    if bulk:
        headers.update(unsubscribe_headers(email=to, forum_id=forum.pk if forum is not None else None))
    return OutgoingMessage(
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
        headers=headers,
        bulk=bulk,
    )


def messages_store(messages: list[OutgoingMessage]) -> list[int]:
    """Write built messages in one INSERT; returns their ids. The caller sends them."""
    return [m.pk for m in OutgoingMessage.objects.bulk_create(messages)]


# ---- Unsubscribe and bounces ----------------------------------------------------------------------

UNSUBSCRIBE_SALT = "mailing.unsubscribe"


def unsubscribe_token(*, email: str, forum_id: int | None) -> str:
    return signing.dumps([email.lower(), forum_id], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, email: str, forum_id: int | None) -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override("ar"):
        path = reverse("mailing:unsubscribe", args=[unsubscribe_token(email=email, forum_id=forum_id)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_headers(*, email: str, forum_id: int | None) -> dict:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(email=email, forum_id=forum_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_token_read(token: str) -> tuple[str, int | None]:
    try:
        email, forum_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise DomainError(_("This unsubscribe link is not valid."), field="token", code="bad_token") from None
    return email, forum_id


def address_unsubscribe(*, token: str) -> Suppression:
    """One click: the address receives no more non-essential mail of the forum. Idempotent."""
    email, forum_id = unsubscribe_token_read(token)
    suppression, _created = Suppression.objects.get_or_create(
        email=email, reason=Suppression.Reason.UNSUBSCRIBED, forum_id=forum_id
    )
    return suppression


def address_bounced(*, email: str, detail: str = "") -> Suppression:
    """A hard bounce (reported by the server at once, or by a bounce notice later): never written to again."""
    suppression, _created = Suppression.objects.get_or_create(
        email=email.lower(), reason=Suppression.Reason.HARD_BOUNCE, forum=None, defaults={"detail": detail[:300]}
    )
    return suppression


def suppressed_addresses(*, forum_id: int | None, bulk: bool) -> set[str]:
    """Addresses a message of this forum may not go to: bounced ones, and unsubscribed ones for bulk mail."""
    condition = Q(reason=Suppression.Reason.HARD_BOUNCE)
    if bulk:
        condition |= Q(reason=Suppression.Reason.UNSUBSCRIBED) & (Q(forum__isnull=True) | Q(forum_id=forum_id))
    return set(Suppression.objects.filter(condition).values_list("email", flat=True))


def _suppression_reason(message: OutgoingMessage) -> str | None:
    condition = Q(reason=Suppression.Reason.HARD_BOUNCE)
    if message.bulk:
        condition |= Q(reason=Suppression.Reason.UNSUBSCRIBED) & (
            Q(forum__isnull=True) | Q(forum_id=message.forum_id))
    return Suppression.objects.filter(condition, email=message.to.lower()).values_list("reason", flat=True).first()


def _hard_bounce(exc: Exception) -> str:
    """The server's refusal of the recipient itself (5xx on RCPT), which no retry will change."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        for code, text in exc.recipients.values():
            if 500 <= int(code) < 600:
                return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return ""


def _schedule(message_id: int) -> None:
    try:
        tasks.message_send_task.delay(message_id)
    except Exception:  # broker unreachable: the retry sweep picks it up later
        log.exception("could not queue outgoing message %s", message_id)


def messages_schedule_batch(message_ids: list[int], *, per_second: float = 0, chunk: int = 500) -> None:
    """After the commit, hand stored messages to the batch sender in chunks (one task per chunk)."""
    def publish():
        for start in range(0, len(message_ids), chunk):
            try:
                tasks.messages_send_batch_task.delay(message_ids[start:start + chunk], per_second)
            except Exception:  # broker unreachable: the retry sweep sends them
                log.exception("could not queue a batch of %s messages", len(message_ids[start:start + chunk]))

    if message_ids:
        transaction.on_commit(publish)


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


def _email(message: OutgoingMessage, connection=None) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id, **(message.headers or {})}
    if message.language:
        headers.setdefault("Content-Language", message.language)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers,
        connection=connection or get_connection(),
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


def message_send(*, message_id: int, connection=None) -> OutgoingMessage:
    """Send one stored message once.

    Only a queued or failed message is sent, and only by the worker that
    claimed it; a sent message is never sent again by the outbox. On failure
    it goes back to "failed" with the next attempt after a growing delay, or
    to "gave up" after MAX_ATTEMPTS, where an organizer can resend it. An
    address that hard-bounced, or (for bulk mail) unsubscribed, is skipped; a
    recipient the server refuses outright (5xx) is marked as hard-bounced.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        return OutgoingMessage.objects.get(pk=message_id)
    message = OutgoingMessage.objects.get(pk=message_id)
    reason = _suppression_reason(message)
    if reason:
        message.status = OutgoingMessage.Status.SKIPPED
        message.last_error = Suppression.Reason(reason).label
        message.next_attempt_at = None
        message.sending_since = None
        message.save(update_fields=["status", "last_error", "next_attempt_at", "sending_since"])
        return message
    try:
        _email(message, connection).send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, timeouts
        bounce = _hard_bounce(exc)
        if bounce:
            address_bounced(email=message.to, detail=bounce)
        elif connection is not None:
            connection.close()  # a shared connection in an unknown state: the next message opens a new one
        gave_up = bool(bounce) or message.attempts >= MAX_ATTEMPTS
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


def messages_send_batch(*, message_ids, per_second: float = 0) -> dict[str, int]:
    """Send many stored messages over one SMTP connection, at most `per_second` a second (0: no limit).

    Each message is claimed and recorded one by one exactly as `message_send`
    does, so a failed one is retried by the sweep after its backoff and a
    message another worker took is left alone. Returns counts per status.
    """
    interval = 1.0 / per_second if per_second else 0.0
    counts: dict[str, int] = {}
    connection = get_connection()
    next_at = time.monotonic()
    try:
        for pk in message_ids:
            if interval:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at, time.monotonic()) + interval
            try:
                connection.open()  # opened here, so sending one message does not close it
            except Exception:  # server down: message_send records the failure of each message
                pass
            status = message_send(message_id=pk, connection=connection).status
            counts[status] = counts.get(status, 0) + 1
    finally:
        connection.close()
    return counts


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


def mail_destination() -> str:
    """Where outgoing mail goes with the current settings, in words for the console."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("filebased.EmailBackend"):
        return f"written as files to {settings.EMAIL_FILE_PATH}/ (nothing is sent)"
    if backend.endswith("console.EmailBackend"):
        return "printed on this console (nothing is sent)"
    if backend.endswith("locmem.EmailBackend") or backend.endswith("dummy.EmailBackend"):
        return "kept in memory (nothing is sent)"
    if backend.endswith("smtp.EmailBackend"):
        return f"sent by SMTP through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return f"handed to {backend}"
