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

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30


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
    """Store one message and schedule its sending for after the current commit."""
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


def message_send(*, message_id: int) -> OutgoingMessage:
    """Send one stored message once. Sent messages are never sent again."""
    with transaction.atomic():
        message = OutgoingMessage.objects.select_for_update().get(pk=message_id)
        if message.status in (OutgoingMessage.Status.SENT, OutgoingMessage.Status.SENDING):
            return message
        message.status = OutgoingMessage.Status.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])

    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=message.headers or None,
        connection=get_connection(),
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, timeouts
        failed = message.attempts >= MAX_ATTEMPTS
        message.status = OutgoingMessage.Status.GAVE_UP if failed else OutgoingMessage.Status.FAILED
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.next_attempt_at = None if failed else timezone.now() + timedelta(
            seconds=BACKOFF_BASE_SECONDS * 2 ** (message.attempts - 1)
        )
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        return message
    message.status = OutgoingMessage.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.next_attempt_at = None
    message.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])
    return message


def message_resend(*, message: OutgoingMessage) -> OutgoingMessage:
    """An organizer's "resend": queue a failed or sent message again."""
    with transaction.atomic():
        OutgoingMessage.objects.filter(pk=message.pk).update(
            status=OutgoingMessage.Status.QUEUED, next_attempt_at=None
        )
        transaction.on_commit(lambda: _schedule(message.pk))
    message.refresh_from_db()
    return message


def messages_retry_due(*, now=None) -> int:
    """Send every failed message whose backoff has passed; returns how many were tried."""
    now = now or timezone.now()
    due = list(
        OutgoingMessage.objects.filter(
            Q(status=OutgoingMessage.Status.QUEUED)
            | Q(status=OutgoingMessage.Status.FAILED, next_attempt_at__lte=now)
        ).values_list("pk", flat=True)
    )
    for pk in due:
        message_send(message_id=pk)
    return len(due)
