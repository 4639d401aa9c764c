"""The e-mail outbox: every message is stored before anything tries to send it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class OutgoingMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will retry)")
        GAVE_UP = "gave_up", _("Failed (gave up)")
        SKIPPED = "skipped", _("Not sent (unsubscribed or bounced)")

    to = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    subject = models.CharField(_("subject"), max_length=300)
    text_body = models.TextField(_("plain text"))
    html_body = models.TextField(_("HTML"), blank=True)
    # [{"filename": ..., "mimetype": ..., "content_b64": ...}]; small files only
    # (badges, .ics). Large ones are referenced, not copied.
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True, help_text=_("What the message is about."))
    # Non-essential (announcements, surveys): carries List-Unsubscribe and is not sent
    # to an address unsubscribed from the forum's messages. Transactional mail is not bulk.
    bulk = models.BooleanField(_("non-essential"), default=False)
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    forum = models.ForeignKey(
        "forum.Forum", null=True, blank=True, on_delete=models.SET_NULL, related_name="outgoing_messages"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When the current attempt started: a message left "sending" far longer
    # than any SMTP timeout belongs to a worker that died, and is recovered.
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["forum", "status"]),
            # "Was this registration's confirmation already sent?" (idempotent jobs, the sweep).
            models.Index(fields=["kind", "related_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outgoing_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(sending_since__isnull=False), name="outgoing_sending_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def is_failed(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.GAVE_UP)

    @property
    def message_id(self) -> str:
        """A stable Message-ID, so a retry after an unclear failure is recognised as the same mail."""
        from urllib.parse import urlsplit

        domain = urlsplit(settings.SITE_URL).hostname or "forum.invalid"
        return f"<outbox-{self.pk}@{domain}>"


class Suppression(models.Model):
    """An address the outbox does not write to.

    A hard bounce stops every message to the address; an unsubscribe stops the
    non-essential (bulk) messages of one forum, or of every forum when `forum`
    is empty. Transactional mail (badges, invoices, agenda changes) still goes
    to an unsubscribed address.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")

    email = models.EmailField(_("e-mail"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    forum = models.ForeignKey(
        "forum.Forum", null=True, blank=True, on_delete=models.CASCADE, related_name="mail_suppressions"
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "reason", "forum"], name="suppression_unique_per_forum"),
            models.UniqueConstraint(fields=["email", "reason"], condition=Q(forum__isnull=True),
                                    name="suppression_unique_global"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="suppression_email_lower"),
            models.CheckConstraint(condition=~Q(reason="hard_bounce") | Q(forum__isnull=True),
                                   name="suppression_bounce_is_global"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
