"""Registration types and registrations. Payments, waiting list and questions
are added by the registration work; badges and check-in live in
registration.badges (see its models)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Honorific, Person


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


def new_reference() -> str:
    # Short, unambiguous, easy to read over the phone: no 0/O or 1/I.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class RegistrationType(BilingualMixin, models.Model):
    class Category(models.TextChoices):
        GENERAL = "general", _("General attendee")
        VIP = "vip", _("VIP / protocol")
        SPEAKER = "speaker", _("Speaker")
        CHAIR = "chair", _("Session chair")
        ORGANIZER = "organizer", _("Organizer")
        MEDIA = "media", _("Media")
        SPONSOR = "sponsor", _("Sponsor")
        DELEGATION = "delegation", _("Government delegation")

    class Pricing(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")
        INVITATION = "invitation", _("By invitation")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="registration_types")
    code = models.SlugField(_("code"), max_length=40)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    category = models.CharField(_("badge category"), max_length=12, choices=Category.choices, default=Category.GENERAL)
    badge_color = models.CharField(_("badge colour"), max_length=7, default="#14532d")
    pricing = models.CharField(_("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.FREE)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="SAR")
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=15)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    requires_approval = models.BooleanField(_("needs an organizer's approval"), default=False)
    is_active = models.BooleanField(_("open for registration"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration type")
        verbose_name_plural = _("registration types")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "code"], name="registration_type_unique_code"),
            models.CheckConstraint(condition=Q(price__gte=0), name="registration_type_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(pricing="paid") | Q(price__gt=0), name="registration_type_paid_has_price"
            ),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="registration_type_vat_range"),
            models.CheckConstraint(condition=Q(badge_color__regex=r"^#[0-9A-Fa-f]{6}$"), name="registration_type_color_hex"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (seat released)")
        REJECTED = "rejected", _("Rejected")

    # Statuses that hold a seat against the capacity.
    SEAT_HOLDING = (Status.PENDING, Status.AWAITING_APPROVAL, Status.CONFIRMED)

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="registrations")
    registration_type = models.ForeignKey(RegistrationType, on_delete=models.PROTECT, related_name="registrations")
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference)
    access_token = models.CharField(max_length=64, unique=True, default=new_access_token, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations")
    honorific = models.CharField(_("honorific"), max_length=20, choices=Honorific.choices, blank=True, default="")
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=255)
    full_name_en = models.CharField(_("full name (English)"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    organization_name = models.CharField(_("organization"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    amount_minor = models.PositiveIntegerField(_("amount (smallest unit)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="SAR")
    hold_expires_at = models.DateTimeField(_("seat held until"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["forum", "status"]),
            models.Index(fields=["registration_type", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False), name="registration_confirmed_has_time"
            ),
            # One live registration per e-mail per forum.
            models.UniqueConstraint(
                fields=["forum", "email"],
                condition=Q(status__in=["pending", "awaiting_approval", "confirmed"]),
                name="registration_one_live_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.full_name_ar}"
