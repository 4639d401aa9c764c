"""Certificates and their designs.

A certificate is a row that states what it certifies (holder, forum, kind, role or hours, date) and carries
a verification code of 128 random bits: the code is printed on the certificate as a QR code and as a short
text, and both lead to the public verification page. Correcting a certificate makes a new row with a new
code and revokes the old one, so a printed copy never changes meaning behind the reader's back.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Honorific, Person
from registration.models import Registration
from sessions.models import Session

CODE_BYTES = 16  # 128 bits: cannot be guessed or enumerated
CODE_LENGTH = 26  # base32 of 16 bytes without padding


def new_code() -> str:
    """26 characters of base32 (A–Z, 2–7): read aloud or typed without confusing 0/O or 1/I."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")


def code_normalize(text: str) -> str:
    """What a person typed (lower case, spaces, dashes) as the stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:64]


def code_grouped(code: str) -> str:
    """The printed short code: groups of four, e.g. ABCD-EFGH-…"""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class Kind(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    APPRECIATION = "appreciation", _("Appreciation")
    PARTICIPATION = "participation", _("Participation")
    AWARD = "award", _("Award")


class CertificateSettings(models.Model):
    """Per forum: who earns an attendance certificate, and the training hours printed on it."""

    class Rule(models.TextChoices):
        ADMITTED = "admitted", _("Admitted to the forum (any door or session)")
        SESSIONS = "sessions", _("At least a number of sessions")
        HOURS = "hours", _("At least a number of hours of sessions")

    forum = models.OneToOneField(Forum, on_delete=models.CASCADE, related_name="certificate_settings")
    rule = models.CharField(_("attendance rule"), max_length=10, choices=Rule.choices, default=Rule.ADMITTED)
    min_sessions = models.PositiveSmallIntegerField(_("sessions required"), default=1)
    min_hours = models.DecimalField(_("hours required"), max_digits=5, decimal_places=1, default=1)
    training_hours = models.DecimalField(
        _("training hours printed"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("Empty: the hours of the sessions the holder attended."),
    )
    notify_holders = models.BooleanField(_("e-mail holders a link"), default=True)

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings")
        constraints = [
            models.CheckConstraint(condition=Q(min_sessions__gte=1), name="certificate_settings_min_sessions"),
            models.CheckConstraint(condition=Q(min_hours__gt=0), name="certificate_settings_min_hours"),
            models.CheckConstraint(condition=Q(training_hours__isnull=True) | Q(training_hours__gt=0),
                                   name="certificate_settings_training_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.get_rule_display()}"


class CertificateDesign(BilingualMixin, models.Model):
    """How one kind of certificate of a forum looks. A forum with no design gets the default one."""

    class Background(models.TextChoices):
        NONE = "", _("None (the default frame)")
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF page")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="certificate_designs")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    title_ar = models.CharField(_("title (Arabic)"), max_length=120, blank=True,
                                help_text=_("Empty: «شهادة حضور» and the like, by kind."))
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    statement_ar = models.CharField(_("statement (Arabic)"), max_length=300, blank=True,
                                    help_text=_("The sentence before the holder's name; empty: by kind."))
    statement_en = models.CharField(_("statement (English)"), max_length=300, blank=True)
    background = models.FileField(_("background"), upload_to="certificates/backgrounds/", blank=True)
    background_kind = models.CharField(_("background type"), max_length=5, choices=Background.choices, blank=True,
                                       default="", editable=False)
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#14532d")
    show_logos = models.BooleanField(_("print the forum's and organizer's logos"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")
        ordering = ["forum", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "kind"], name="certificate_design_one_per_kind"),
            models.CheckConstraint(condition=Q(accent_color__regex=r"^#[0-9A-Fa-f]{6}$"),
                                   name="certificate_design_color_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.get_kind_display()}"


class Signatory(models.Model):
    """One of the one to three people who sign a design."""

    design = models.ForeignKey(CertificateDesign, on_delete=models.CASCADE, related_name="signatories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    honorific = models.CharField(_("honorific"), max_length=20, choices=Honorific.choices, blank=True, default="")
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    signature = models.ImageField(_("signature image"), upload_to="certificates/signatures/", blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["design", "order", "id"]

    def __str__(self) -> str:
        return self.name_ar


class Certificate(models.Model):
    """One issued certificate. Its code is the only way to it from outside."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=new_code, editable=False)
    # What the certificate is for, so issuing twice is the same certificate:
    # "registration:12", "person:5:session:7:speaker", "award:3"…
    subject = models.CharField(max_length=120, editable=False)
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="certificates")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates")
    # What is printed, frozen at issue time.
    honorific = models.CharField(_("honorific"), max_length=20, choices=Honorific.choices, blank=True, default="")
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    role_ar = models.CharField(_("role or reason (Arabic)"), max_length=400, blank=True)
    role_en = models.CharField(_("role or reason (English)"), max_length=400, blank=True)
    hours = models.DecimalField(_("training hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=255, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("replaced by"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "kind", "subject"], condition=Q(revoked_at__isnull=True),
                                    name="certificate_one_live_per_subject"),
            models.CheckConstraint(condition=~Q(name_ar="") & ~Q(name_en=""), name="certificate_holder_named"),
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gt=0), name="certificate_hours_positive"),
        ]
        indexes = [models.Index(fields=["forum", "kind", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.name_ar}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def short_code(self) -> str:
        return code_grouped(self.code)

    @property
    def titles_ar(self) -> str:
        from forum.models import HONORIFIC_AR

        return HONORIFIC_AR.get(self.honorific, "")

    @property
    def titles_en(self) -> str:
        from forum.models import HONORIFIC_EN

        return HONORIFIC_EN.get(self.honorific, "")

    @property
    def display_name_ar(self) -> str:
        return f"{self.titles_ar} {self.name_ar}".strip()

    @property
    def display_name_en(self) -> str:
        return f"{self.titles_en} {self.name_en}".strip()


class CertificateBatch(models.Model):
    """A background job that issues certificates to a group and prints them into one PDF, with progress."""

    class Scope(models.TextChoices):
        ELIGIBLE_ATTENDEES = "attendees", _("All eligible attendees")
        SPEAKERS = "speakers", _("All speakers, chairs, panelists and moderators")
        SESSION = "session", _("Everyone taking part in a session")
        HONOREES = "honorees", _("The honorees")
        TEAM = "team", _("A list of people (organizing team, volunteers)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Issuing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="certificate_batches")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.CharField(_("who"), max_length=10, choices=Scope.choices)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Scope "team": the people, with the role printed for all of them, and the kind (empty: participation).
    person_ids = models.JSONField(default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, blank=True, default="")
    role_ar = models.CharField(_("role (Arabic)"), max_length=255, blank=True)
    role_en = models.CharField(_("role (English)"), max_length=255, blank=True)
    notify = models.BooleanField(_("e-mail each holder"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    parts = models.PositiveIntegerField(_("PDF parts joined"), default=0)
    file = models.FileField(upload_to="certificates/batches/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="certificate_batch_done_le_total"),
            models.CheckConstraint(condition=~Q(scope="session") | Q(session__isnull=False),
                                   name="certificate_batch_session_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.forum.slug} {self.get_scope_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (self.done * 100 // self.total if self.total else 0)
