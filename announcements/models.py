"""An organizers' message to a segment of the forum's people, and who received it.

Each recipient row points at the outbox message that carried it, so the
history shows, per person, what was sent and whether it left (sent, failed
and retried, skipped because unsubscribed or bounced).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.mailing.models import OutgoingMessage
from forum.models import Forum
from registration.models import Registration, RegistrationType
from sessions.models import Session


class Announcement(models.Model):
    class Segment(models.TextChoices):
        CONFIRMED = "confirmed", _("All confirmed attendees")
        TYPE = "type", _("One registration type")
        CHECKED_IN = "checked_in", _("Checked in")
        NOT_CHECKED_IN = "not_checked_in", _("Not checked in")
        SESSION = "session", _("Attendees of a session")
        SPEAKERS = "speakers", _("Speakers and chairs")
        WAITLIST = "waitlist", _("The waiting list")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Handed to the outbox")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("forum"))
    subject_ar = models.CharField(_("subject (Arabic)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_ar = models.TextField(_("message (Arabic)"))
    body_en = models.TextField(_("message (English)"), blank=True)
    segment = models.CharField(_("recipients"), max_length=16, choices=Segment.choices, default=Segment.CONFIRMED)
    registration_type = models.ForeignKey(RegistrationType, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("registration type"))
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("session"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("handed to the outbox"), null=True, blank=True)
    # When a worker took the delivery: one that stopped long ago is resumed by the sweep.
    delivery_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(segment="type") | Q(registration_type__isnull=False),
                                   name="announcement_type_segment_has_type"),
            models.CheckConstraint(condition=~Q(segment="session") | Q(session__isnull=False),
                                   name="announcement_session_segment_has_session"),
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                                   name="announcement_scheduled_has_time"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.subject_ar


class AnnouncementRecipient(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ar")
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(OutgoingMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skipped = models.CharField(_("not sent because"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["announcement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "email"], name="announcement_recipient_once"),
        ]

    def __str__(self) -> str:
        return self.email
