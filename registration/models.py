"""Registration: who may come to a forum, how many, and on what terms.

Seats are counted in `seats_taken` counters on the forum's RegistrationSettings
and on each RegistrationType. Every status change that takes or frees a seat
updates the counters in the same transaction, with a conditional UPDATE that
PostgreSQL re-checks under the row lock, so the counters never pass the
capacity (CheckConstraints back that). A waiting-list offer keeps the freed
seat for the person it is offered to until the claim link expires.

Badges and check-in live in registration.badges (see its models)."""

import secrets
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Person, Titled

# Money rounding is invoicing's, so what is charged is what the invoice adds up to.
from invoicing.money import amount_display, from_minor, to_minor, vat_minor  # noqa: F401 (amount_display: re-exported)
from speakers.storage import private_storage

# Forms and serializers accept no more than these columns hold (tests/test_field_limits.py).
EMAIL_MAX_LENGTH = 254
INVITE_CODE_MAX_USES = 100_000


def answer_upload_to(instance, filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:10]
    return f"registration/answers/{secrets.token_hex(16)}{suffix}"


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
    # Seats held by pending, awaiting-approval and confirmed registrations and open waiting-list offers.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)

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
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="registration_type_not_oversold",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="registration_type_currency_iso"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def is_paid(self) -> bool:
        return self.pricing == self.Pricing.PAID

    @property
    def is_invitation_only(self) -> bool:
        return self.pricing == self.Pricing.INVITATION

    @property
    def vat_amount(self) -> Decimal:
        """VAT on the price, rounded to the currency's smallest unit (halalas; fils for the dinars)."""
        return from_minor(vat_minor(to_minor(self.price, self.currency), self.vat_rate), self.currency)

    @property
    def total_price(self) -> Decimal:
        return self.price + self.vat_amount

    @property
    def total_minor(self) -> int:
        """The price with VAT in the currency's smallest unit (halalas for SAR), as the invoice adds it up."""
        net = to_minor(self.price, self.currency)
        return net + vat_minor(net, self.vat_rate)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class RegistrationSettings(models.Model):
    """Forum-wide registration rules: overall capacity, how long an unpaid seat is held, the waiting list."""

    forum = models.OneToOneField(Forum, on_delete=models.CASCADE, related_name="registration_settings")
    is_open = models.BooleanField(_("registration open"), default=True)
    capacity = models.PositiveIntegerField(_("forum capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    hold_minutes = models.PositiveSmallIntegerField(
        _("minutes an unpaid registration holds its seat"), default=30
    )
    waitlist_enabled = models.BooleanField(_("waiting list"), default=True)
    claim_hours = models.PositiveSmallIntegerField(_("hours to claim a seat offered from the waiting list"), default=24)
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="registration_settings_not_oversold",
            ),
            models.CheckConstraint(condition=Q(hold_minutes__gte=1), name="registration_settings_hold_positive"),
            models.CheckConstraint(condition=Q(claim_hours__gte=1), name="registration_settings_claim_positive"),
        ]

    def __str__(self) -> str:
        return str(self.forum)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


def new_invite_code() -> str:
    return new_reference() + new_reference()[:4]


class InviteCode(models.Model):
    """A code that opens an invitation-only type, usable `max_uses` times until it expires."""

    registration_type = models.ForeignKey(RegistrationType, on_delete=models.CASCADE, related_name="invite_codes")
    code = models.CharField(_("code"), max_length=32, unique=True, default=new_invite_code)
    max_uses = models.PositiveIntegerField(_("use limit"), default=1)
    uses = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    note = models.CharField(_("note (e.g. who it was sent to)"), max_length=255, blank=True)
    batch = models.CharField(_("batch"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invite code")
        verbose_name_plural = _("invite codes")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="invite_code_max_uses_positive"),
            models.CheckConstraint(condition=Q(uses__lte=F("max_uses")), name="invite_code_not_overused"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)


class Registration(Titled):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (seat released)")
        REJECTED = "rejected", _("Rejected")

    # Statuses that hold a seat against the capacity.
    SEAT_HOLDING = (Status.PENDING, Status.AWAITING_APPROVAL, Status.CONFIRMED)

    # Every index is written on every registration, the public hot path, so there is
    # none that another one already covers (see Meta) and none for LIKE searches.
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="registrations", db_index=False)
    registration_type = models.ForeignKey(
        RegistrationType, on_delete=models.PROTECT, related_name="registrations", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=12, default=new_reference)
    access_token = models.CharField(max_length=64, default=new_access_token, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations", db_index=False
    )
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=255)
    full_name_en = models.CharField(_("full name (English)"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX_LENGTH)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    organization_name = models.CharField(_("organization"), max_length=255, blank=True)
    # The optional buyer block of a paid registration: with a VAT number the invoice is a standard tax invoice.
    buyer_vat_number = models.CharField(_("VAT number (for a tax invoice to an organization)"), max_length=20,
                                        blank=True)
    buyer_address = models.CharField(_("billing address"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    amount_minor = models.PositiveIntegerField(_("amount (smallest unit)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="SAR")
    hold_expires_at = models.DateTimeField(_("seat held until"), null=True, blank=True)
    invite_code = models.ForeignKey(
        InviteCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations",
        verbose_name=_("invite code"), db_index=False,
    )
    cancel_reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["forum", "status"]),  # also serves lookups by forum alone
            models.Index(fields=["registration_type", "status"]),
            # Most registrations have no user, person or invite code: only rows that do are indexed.
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="registration_user_idx"),
            models.Index(fields=["person"], condition=Q(person__isnull=False), name="registration_person_idx"),
            models.Index(fields=["invite_code"], condition=Q(invite_code__isnull=False),
                         name="registration_invite_code_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="registration_reference_unique"),
            models.UniqueConstraint(fields=["access_token"], name="registration_access_token_unique"),
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

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING

    @property
    def full_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ar").startswith("en"):
            return self.full_name_en or self.full_name_ar
        return self.full_name_ar


class WaitlistEntry(models.Model):
    """Someone waiting for a seat of a type. A freed seat is offered, and held, until `offer_expires_at`."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        CLAIMED = "claimed", _("Claimed")
        LAPSED = "lapsed", _("Offer lapsed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="waitlist")
    registration_type = models.ForeignKey(RegistrationType, on_delete=models.CASCADE, related_name="waitlist")
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=255)
    full_name_en = models.CharField(_("full name (English)"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX_LENGTH)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    claim_token = models.CharField(max_length=64, unique=True, default=new_access_token, editable=False)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["registration_type", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "email"], condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_live_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False), name="waitlist_offer_has_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name_ar} ({self.get_status_display()})"


class Question(BilingualMixin, models.Model):
    """A custom question on the registration form of a forum."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes / no")
        PHONE = "phone", _("Phone number")
        FILE = "file", _("File")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="registration_questions")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    label_ar = models.CharField(_("question (Arabic)"), max_length=255)
    label_en = models.CharField(_("question (English)"), max_length=255, blank=True)
    help_ar = models.CharField(_("help (Arabic)"), max_length=255, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=255, blank=True)
    # For choice questions: [{"value": "...", "label_ar": "...", "label_en": "..."}, ...]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    is_active = models.BooleanField(_("shown"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "label_ar"], name="question_unique_label_per_forum"),
        ]

    def __str__(self) -> str:
        return self.label_ar

    @property
    def label(self) -> str:
        return self.localized("label")

    @property
    def help_text(self) -> str:
        return self.localized("help")

    def choice_label(self, value: str) -> str:
        for choice in self.choices or []:
            if str(choice.get("value")) == str(value):
                return self._pick(choice)
        return value

    def choice_options(self) -> list[tuple[str, str]]:
        return [(str(c.get("value")), self._pick(c)) for c in self.choices or []]

    @staticmethod
    def _pick(choice: dict) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ar").startswith("en"):
            return choice.get("label_en") or choice.get("label_ar") or str(choice.get("value"))
        return choice.get("label_ar") or choice.get("label_en") or str(choice.get("value"))


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"), blank=True)
    # Attendees' files are personal data: kept in the private storage (never
    # under MEDIA_URL) and under a name the attendee does not choose.
    file = models.FileField(_("file"), upload_to=answer_upload_to, storage=private_storage, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="answer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value or self.file.name}"


class Payment(models.Model):
    """The one Stripe PaymentIntent of a paid registration, stored before the browser sees it."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Awaiting payment")
        SUCCEEDED = "succeeded", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        CANCELED = "canceled", _("Cancelled")

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="payment")
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True)
    client_secret = models.CharField(max_length=255, editable=False)
    amount_minor = models.PositiveIntegerField(_("amount (smallest unit)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT)
    amount_refunded_minor = models.PositiveIntegerField(_("refunded (smallest unit)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded_minor__lte=F("amount_minor")), name="payment_refund_not_above_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.stripe_payment_intent_id

    @property
    def is_paid(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.PARTIALLY_REFUNDED)


class Refund(models.Model):
    class Reason(models.TextChoices):
        CANCELLATION = "cancellation", _("Registration cancelled")
        LATE_PAYMENT = "late_payment", _("Paid after the seat was released")
        REJECTED = "rejected", _("Registration rejected")
        DASHBOARD = "dashboard", _("Made in the Stripe dashboard")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount_minor = models.PositiveIntegerField(_("amount (smallest unit)"))
    reason = models.CharField(_("reason"), max_length=14, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=20, default="succeeded")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_refund_id


class StripeEvent(models.Model):
    """A Stripe webhook event already handled: a replay or a late duplicate finds it here and stops."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"
