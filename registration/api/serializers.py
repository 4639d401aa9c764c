from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from forum.models import Honorific
from invoicing.services import seller_ready_errors

from .. import selectors, services
from ..models import (
    EMAIL_MAX_LENGTH,
    INVITE_CODE_MAX_USES,
    InviteCode,
    Payment,
    Question,
    Registration,
    RegistrationSettings,
    RegistrationType,
    WaitlistEntry,
)


class RegistrationTypeSerializer(serializers.ModelSerializer):
    total_minor = serializers.IntegerField(read_only=True)
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = RegistrationType
        fields = [
            "id", "code", "name_ar", "name_en", "category", "badge_color", "pricing", "price", "currency",
            "vat_rate", "total_minor", "capacity", "seats_taken", "seats_left", "requires_approval", "is_active",
            "order",
        ]
        read_only_fields = ["seats_taken"]

    def validate(self, attrs):
        pricing = attrs.get("pricing", getattr(self.instance, "pricing", RegistrationType.Pricing.FREE))
        price = attrs.get("price", getattr(self.instance, "price", 0))
        if pricing == RegistrationType.Pricing.PAID and not price:
            raise serializers.ValidationError({"price": [_("A paid type needs a price.")]})
        if pricing == RegistrationType.Pricing.PAID and (errors := seller_ready_errors(forum=self.context["forum"])):
            raise serializers.ValidationError(errors)
        if "capacity" in attrs and (messages := services.capacity_errors(
                attrs["capacity"], seats_taken=getattr(self.instance, "seats_taken", 0))):
            raise serializers.ValidationError({"capacity": messages})
        forum = self.context["forum"]
        code = attrs.get("code")
        if code and RegistrationType.objects.filter(forum=forum, code=code).exclude(pk=getattr(self.instance, "pk", None)).exists():
            raise serializers.ValidationError({"code": [_("This code is already used in this forum.")]})
        return attrs


class RegistrationSettingsSerializer(serializers.ModelSerializer):
    """Field types only; the rules (ranges, capacity not below the seats taken) are the service's."""

    class Meta:
        model = RegistrationSettings
        fields = ["is_open", "capacity", "hold_minutes", "waitlist_enabled", "claim_hours", "seats_taken"]
        read_only_fields = ["seats_taken"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "kind", "label_ar", "label_en", "help_ar", "help_en", "choices", "required", "is_active",
                  "order"]

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", Question.Kind.TEXT))
        choices = attrs.get("choices", getattr(self.instance, "choices", []))
        if kind == Question.Kind.CHOICE:
            if not isinstance(choices, list) or not choices or not all(
                isinstance(c, dict) and c.get("value") not in (None, "") and c.get("label_ar") for c in choices
            ):
                raise serializers.ValidationError(
                    {"choices": [_("A choice question needs options, each with a value and an Arabic label.")]}
                )
        return attrs


class RegistrationSummaryRowSerializer(serializers.Serializer):
    """One registration type's counts (selectors.registration_summary), for the schema."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True)
    seats_taken = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    pending = serializers.IntegerField()
    awaiting_approval = serializers.IntegerField()
    waiting = serializers.IntegerField()


class RegistrationCreateSerializer(serializers.Serializer):
    registration_type = serializers.IntegerField()
    honorific = serializers.ChoiceField(choices=Honorific.choices, required=False, default="")
    academic_title = serializers.ChoiceField(choices=Honorific.choices, required=False, default="")
    full_name_ar = serializers.CharField(max_length=255)
    full_name_en = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    organization_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="ar")
    invite_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    buyer_vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                             help_text="A VAT number of the paying organization: standard tax invoice.")
    buyer_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict,
                                    help_text="Keyed q<question id>.")


# What the hot path checks is read off RegistrationCreateSerializer's own fields, so the two cannot drift.
_CREATE_FIELDS = RegistrationCreateSerializer._declared_fields
_CREATE_TEXT_LIMITS = {name: field.max_length for name, field in _CREATE_FIELDS.items()
                       if type(field) is serializers.CharField}
_CREATE_CHOICES = {name: frozenset(field.choices) for name, field in _CREATE_FIELDS.items()
                   if isinstance(field, serializers.ChoiceField)}
_CREATE_DEFAULTS = {name: field.default for name, field in _CREATE_FIELDS.items()
                    if field.default is not empty and not callable(field.default)}
_email_valid = EmailValidator()


def _plain_text(value, limit: int | None = None) -> str | None:
    """`value` trimmed as a DRF CharField would, or None when the field itself must judge it."""
    if type(value) is not str:
        return None
    value = value.strip()
    if (limit is not None and len(value) > limit) or "\x00" in value:
        return None
    # Lone surrogates are refused by the field; they are never printable, so most text skips the scan.
    if not value.isprintable() and any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        return None
    return value


def registration_create_values(data) -> dict | None:
    """RegistrationCreateSerializer's validated data for a plain, well-formed body, or None.

    Registering is the public hot path, and building the serializer (DRF
    deep-copies its fields for every instance) cost more CPU than the rest of
    the request's Python. This accepts only what the serializer certainly
    accepts, and returns what it would (a test holds the two equal on a corpus
    of inputs); anything else returns None and goes through the serializer,
    which gives the field-level errors in the client's language.
    """
    if type(data) is not dict or not data.keys() <= _CREATE_FIELDS.keys():
        return None
    type_id = data.get("registration_type")
    if type(type_id) is not int:
        return None
    values = {"registration_type": type_id}
    for name, limit in _CREATE_TEXT_LIMITS.items():
        if name in data:
            value = _plain_text(data[name], limit)
            if value is None:
                return None
            values[name] = value
    if not values.get("full_name_ar"):
        return None
    email = _plain_text(data.get("email"), EMAIL_MAX_LENGTH)
    if not email:
        return None
    try:
        _email_valid(email)
    except DjangoValidationError:
        return None
    values["email"] = email
    for name, allowed in _CREATE_CHOICES.items():
        if name in data:
            if type(data[name]) is not str or data[name] not in allowed:
                return None
            values[name] = data[name]
    answers = data.get("answers", {})
    if type(answers) is not dict:
        return None
    clean_answers = {}
    for key, value in answers.items():
        clean_answers[key] = _plain_text(value)
        if clean_answers[key] is None:
            return None
    values["answers"] = clean_answers
    for name, default in _CREATE_DEFAULTS.items():
        values.setdefault(name, default)
    return values


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["stripe_payment_intent_id", "amount_minor", "currency", "status", "amount_refunded_minor",
                  "succeeded_at"]


class RegistrationSerializer(serializers.ModelSerializer):
    registration_type_code = serializers.CharField(source="registration_type.code", read_only=True)
    category = serializers.CharField(source="registration_type.category", read_only=True)
    payment = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    organizer_view = True

    class Meta:
        model = Registration
        fields = [
            "id", "reference", "status", "registration_type", "registration_type_code", "category", "honorific",
            "academic_title", "full_name_ar", "full_name_en", "email", "phone", "position", "organization_name", "language",
            "amount_minor", "currency", "hold_expires_at", "created_at", "confirmed_at", "cancelled_at",
            "payment", "answers",
        ]

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, obj):
        try:
            return PaymentSerializer(obj.payment).data
        except Payment.DoesNotExist:
            return None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_answers(self, obj):
        answers = getattr(obj, "new_answers", None)
        if answers is None:
            answers = obj.answers.all()
        request = self.context.get("request")
        file_url = None
        if self.organizer_view and request is not None and "forum" in self.context:
            # Organizers get the download link (their personal-data permission is checked there).
            file_url = selectors.answer_file_url_builder(request, self.context["forum"])

        def shown(answer):
            if not answer.file:
                return answer.value
            return file_url(answer) if file_url else answer.file.name

        return {f"q{a.question_id}": shown(a) for a in answers}


class OwnRegistrationSerializer(RegistrationSerializer):
    """What the attendee sees through their own link, plus what the payment page needs."""

    organizer_view = False

    forum = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    access_token = serializers.CharField(read_only=True)

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "forum", "access_token"]


class InviteCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = InviteCode
        fields = ["id", "code", "registration_type", "max_uses", "uses", "expires_at", "note", "batch", "created_at"]


class InviteCodesBulkSerializer(serializers.Serializer):
    registration_type = serializers.IntegerField()
    count = serializers.IntegerField(min_value=1, max_value=5000)
    max_uses = serializers.IntegerField(min_value=1, max_value=INVITE_CODE_MAX_USES, default=1)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class WaitlistJoinSerializer(serializers.Serializer):
    registration_type = serializers.IntegerField()
    full_name_ar = serializers.CharField(max_length=255)
    full_name_en = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="ar")


class WaitlistEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = WaitlistEntry
        fields = ["id", "registration_type", "full_name_ar", "full_name_en", "email", "phone", "status",
                  "offered_at", "offer_expires_at", "registration", "created_at"]


_DATETIME = serializers.DateTimeField()  # DRF's own formatting (local time zone, ISO 8601), read-only use


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def own_registration_created(registration: Registration, *, answers) -> dict:
    """OwnRegistrationSerializer's output for a registration just created, built by hand.

    Registering is the public hot path: a ModelSerializer builds its ~25 fields
    anew for every instance, which cost more CPU than the registration's SQL.
    A new registration has no payment yet and exactly the answers just saved.
    The fields and their formats are OwnRegistrationSerializer's (a test holds
    the two equal), so clients see one shape whichever path answered.
    """
    rtype = registration.registration_type
    return {
        "id": registration.pk,
        "reference": registration.reference,
        "status": registration.status,
        "registration_type": rtype.pk,
        "registration_type_code": rtype.code,
        "category": rtype.category,
        "honorific": registration.honorific,
        "academic_title": registration.academic_title,
        "full_name_ar": registration.full_name_ar,
        "full_name_en": registration.full_name_en,
        "email": registration.email,
        "phone": registration.phone,
        "position": registration.position,
        "organization_name": registration.organization_name,
        "language": registration.language,
        "amount_minor": registration.amount_minor,
        "currency": registration.currency,
        "hold_expires_at": _datetime(registration.hold_expires_at),
        "created_at": _datetime(registration.created_at),
        "confirmed_at": _datetime(registration.confirmed_at),
        "cancelled_at": _datetime(registration.cancelled_at),
        "payment": None,
        "answers": {f"q{a.question_id}": (a.file.name if a.file else a.value) for a in answers},
        "forum": registration.forum.slug,
        "access_token": registration.access_token,
    }
