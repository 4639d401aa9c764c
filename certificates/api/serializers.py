from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from forum.models import Honorific, Person
from registration.models import Registration
from sessions.models import Session

from ..models import Certificate, CertificateBatch, Kind


class CertificateSerializer(serializers.ModelSerializer):
    short_code = serializers.CharField(read_only=True)
    verification_url = serializers.SerializerMethodField()
    revoked = serializers.BooleanField(source="is_revoked", read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "kind", "code", "short_code", "verification_url", "registration", "person", "session",
                  "honorific", "name_ar", "name_en", "role_ar", "role_en", "hours", "issued_at", "revoked",
                  "revoked_at", "revoked_reason", "replaced_by"]
        read_only_fields = fields

    def get_verification_url(self, obj) -> str:
        from ..rendering import verification_url

        return verification_url(obj.code)


class CertificateIssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    registration = serializers.PrimaryKeyRelatedField(queryset=Registration.objects.none(), required=False,
                                                      allow_null=True)
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none(), required=False, allow_null=True)
    role_ar = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    role_en = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.1"), required=False, allow_null=True)
    subject = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forum = self.context.get("forum")
        if forum is not None:
            self.fields["registration"].queryset = Registration.objects.filter(forum=forum)
            self.fields["session"].queryset = Session.objects.filter(forum=forum)

    def validate(self, attrs):
        if (attrs.get("person") is None) == (attrs.get("registration") is None):
            raise serializers.ValidationError({"person": [_("Give either a person or a registration.")]})
        return attrs


class CertificateCorrectSerializer(serializers.Serializer):
    honorific = serializers.ChoiceField(choices=Honorific.choices, required=False, allow_blank=True)
    name_ar = serializers.CharField(max_length=255, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=255, required=False, allow_blank=True)
    role_ar = serializers.CharField(max_length=400, required=False, allow_blank=True)
    role_en = serializers.CharField(max_length=400, required=False, allow_blank=True)


class CertificateRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CertificateBatchSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none(), required=False, allow_null=True)

    class Meta:
        model = CertificateBatch
        fields = ["id", "scope", "session", "person_ids", "kind", "role_ar", "role_en", "notify", "status", "total",
                  "done", "parts", "progress_percent", "error", "created_at", "finished_at"]
        read_only_fields = ["status", "total", "done", "parts", "error", "created_at", "finished_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forum = self.context.get("forum")
        if forum is not None:
            self.fields["session"].queryset = Session.objects.filter(forum=forum)


class EligibilitySerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="registration.pk")
    name_ar = serializers.CharField(source="registration.full_name_ar")
    eligible = serializers.BooleanField()
    sessions = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    admitted = serializers.BooleanField()
    explanation = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    """What the certificate states, and nothing more."""

    kind = serializers.CharField()
    holder_ar = serializers.CharField(source="display_name_ar")
    holder_en = serializers.CharField(source="display_name_en")
    role_ar = serializers.CharField()
    role_en = serializers.CharField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    forum_ar = serializers.CharField(source="forum.title_ar")
    forum_en = serializers.CharField(source="forum.title_en")
    issued_at = serializers.DateTimeField()
    revoked = serializers.BooleanField(source="is_revoked")
    revoked_at = serializers.DateTimeField(allow_null=True)
