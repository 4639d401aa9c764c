"""Badges and check-in.

A forum has an Ed25519 signing key; every confirmed registration gets a
Badge whose QR code carries a short token signed with it, so a scanner that
holds the public key can tell a real badge from a forged one without the
network. At the door or a session a Checkpoint admits a badge at most once
(per day at the door, once per session): the rule is on the data, in
Admission's unique constraints. Every scan, whatever its outcome, is kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum
from registration.models import Registration
from sessions.models import Session


class BadgeSettings(models.Model):
    """Per-forum choices for printed badges."""

    class Format(models.TextChoices):
        CR80 = "cr80", _("Card (CR80, 54 × 85.6 mm)")
        A6 = "a6", _("A6 (105 × 148 mm)")

    forum = models.OneToOneField(Forum, on_delete=models.CASCADE, related_name="badge_settings")
    paper_format = models.CharField(_("badge format"), max_length=4, choices=Format.choices, default=Format.CR80)
    # Validity of the tokens: from this many days before the forum to this
    # many days after, so a badge printed for one edition is refused at the next.
    valid_days_before = models.PositiveSmallIntegerField(_("valid days before the forum"), default=30)
    valid_days_after = models.PositiveSmallIntegerField(_("valid days after the forum"), default=1)

    class Meta:
        verbose_name = _("badge settings")
        verbose_name_plural = _("badge settings")

    def __str__(self) -> str:
        return f"{self.forum} — {self.get_paper_format_display()}"


class SigningKey(models.Model):
    """A forum's Ed25519 key pair. The private half is stored encrypted (see signing.py) and never served."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="badge_signing_keys")
    key_id = models.PositiveSmallIntegerField(_("key number"))
    public_key = models.BinaryField(_("public key (raw 32 bytes)"))
    private_key_encrypted = models.BinaryField(editable=False)
    is_active = models.BooleanField(_("signs new badges"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("badge signing key")
        verbose_name_plural = _("badge signing keys")
        ordering = ["forum", "key_id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "key_id"], name="badge_signing_key_unique_id"),
            models.UniqueConstraint(
                fields=["forum"], condition=Q(is_active=True), name="badge_signing_key_one_active"
            ),
            models.CheckConstraint(condition=Q(key_id__gte=1, key_id__lte=255), name="badge_signing_key_id_byte"),
        ]

    def __str__(self) -> str:
        return f"{self.forum.slug} #{self.key_id}"


class Badge(models.Model):
    """One issued token. Re-issuing revokes the old badge and creates a new one."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="badges")
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="badges")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="badges")
    token = models.CharField(_("token"), max_length=200, unique=True)
    category = models.CharField(_("badge category"), max_length=12)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(revoked_at__isnull=True), name="badge_one_live_per_registration"
            ),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="badge_valid_window"),
        ]
        indexes = [models.Index(fields=["forum", "revoked_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.registration}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Checkpoint(BilingualMixin, models.Model):
    """Where badges are scanned: a door of the forum, or a session (for attendance)."""

    class Kind(models.TextChoices):
        DOOR = "door", _("Forum entrance")
        SESSION = "session", _("Session")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="checkpoints")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DOOR)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="checkpoints", verbose_name=_("session")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["forum", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="session", session__isnull=False) | Q(kind="door", session__isnull=True)),
                name="checkpoint_session_iff_kind_session",
            ),
            models.UniqueConstraint(
                fields=["forum", "name_ar"], condition=Q(kind="door"), name="checkpoint_unique_door_name"
            ),
            models.UniqueConstraint(
                fields=["session"], condition=Q(session__isnull=False), name="checkpoint_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Admission(models.Model):
    """A person let in. At most once a day at the forum's doors, once per session: enforced here."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="admissions")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="admissions")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="admissions")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="admissions")
    day = models.DateField(_("day"))
    admitted_at = models.DateTimeField(_("admitted at"))
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="badge_admissions"
    )

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["-admitted_at"]
        constraints = [
            # Two door scanners at once: the second insert fails here.
            models.UniqueConstraint(
                fields=["registration", "day"], condition=Q(session__isnull=True), name="admission_once_per_day_at_door"
            ),
            models.UniqueConstraint(
                fields=["registration", "session"], condition=Q(session__isnull=False), name="admission_once_per_session"
            ),
        ]
        indexes = [models.Index(fields=["checkpoint", "admitted_at"])]

    def __str__(self) -> str:
        return f"{self.registration} @ {self.checkpoint}"


class Scan(models.Model):
    """Every scan as it happened, with who scanned it. A retried request (same nonce) is the same scan."""

    class Outcome(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        ALREADY_ADMITTED = "already_admitted", _("Already admitted")
        REVOKED = "revoked", _("Badge revoked")
        WRONG_FORUM = "wrong_forum", _("Not for this forum")
        INVALID_SIGNATURE = "invalid_signature", _("Invalid badge (signature check failed)")
        NOT_YET_VALID = "not_yet_valid", _("Badge not valid yet")
        EXPIRED = "expired", _("Badge no longer valid")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="badge_scans")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="scans")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badge_scans")
    client_nonce = models.CharField(max_length=64, blank=True)
    token = models.CharField(max_length=300)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    badge = models.ForeignKey(Badge, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="badge_scans"
    )
    # The admission this scan made, or the earlier one it ran into.
    admission = models.ForeignKey(Admission, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    scanned_at = models.DateTimeField(_("received at"), auto_now_add=True)
    client_scanned_at = models.DateTimeField(_("scanned at (scanner's clock)"), null=True, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-scanned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "client_nonce"], condition=~Q(client_nonce=""), name="scan_unique_client_nonce"
            ),
        ]
        indexes = [models.Index(fields=["forum", "scanned_at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} @ {self.checkpoint}"


class SessionAttendance(models.Model):
    """Who attended which session; filled from session checkpoints, read by certificates."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="session_attendance")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    admission = models.OneToOneField(Admission, on_delete=models.CASCADE, related_name="attendance")
    attended_at = models.DateTimeField(_("attended at"))

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendance")
        ordering = ["session", "attended_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="session_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.registration} — {self.session}"


class BulkPrintJob(models.Model):
    """A background job that prints many badges N-up on A4."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Printing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Order(models.TextChoices):
        ORGANIZATION = "organization", _("By organization")
        NAME = "name", _("By name")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="badge_print_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    order_by = models.CharField(_("sorted"), max_length=12, choices=Order.choices, default=Order.ORGANIZATION)
    # Filters: {"registration_type": id, "category": "vip", "ids": [..]}.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="badges/print/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("badge print job")
        verbose_name_plural = _("badge print jobs")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="print_job_done_le_total")]

    def __str__(self) -> str:
        return f"{self.forum.slug} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (self.done * 100 // self.total if self.total else 0)
