from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from ..models import Admission, BulkPrintJob, Checkpoint, Scan


class CheckpointSerializer(serializers.ModelSerializer):
    admitted = serializers.IntegerField(read_only=True, default=0)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Checkpoint
        fields = ["id", "kind", "session", "name", "name_ar", "name_en", "is_active", "admitted"]
        read_only_fields = ["kind", "is_active"]

    def validate_session(self, session):
        if session is not None and session.forum_id != self.context["forum"].pk:
            raise serializers.ValidationError(_("This session belongs to another forum."))
        return session


class ScanRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=300, trim_whitespace=True)
    checkpoint = serializers.PrimaryKeyRelatedField(queryset=Checkpoint.objects.none())
    client_nonce = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    client_scanned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    # What an offline scanner showed at the time; a different answer now is a conflict to report.
    local_outcome = serializers.ChoiceField(choices=Scan.Outcome.choices, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forum = self.context.get("forum")  # absent only when the schema is generated
        if forum is not None:
            self.fields["checkpoint"].queryset = Checkpoint.objects.filter(forum=forum).select_related("forum", "session")


class ScanBatchSerializer(serializers.Serializer):
    scans = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=500)


def _admission(admission: Admission | None) -> dict | None:
    if admission is None:
        return None
    return {
        "at": timezone.localtime(admission.admitted_at).isoformat(),
        "checkpoint": {"id": admission.checkpoint_id, "name": admission.checkpoint.name},
    }


def scan_result(scan: Scan, *, local_outcome: str = "") -> dict:
    registration = scan.registration
    person = None
    if registration is not None:
        rtype = registration.registration_type
        person = {
            "id": registration.pk,
            "reference": registration.reference,
            # With the honorifics, as the badge shows them: staff greet «معالي الدكتور …» by title.
            "name_ar": registration.display_name_ar,
            "name_en": registration.display_name_en if registration.full_name_en else "",
            "organization": registration.organization_name,
            "category": rtype.category,
            "category_label": rtype.name,
            "color": rtype.badge_color,
        }
    result = {
        "scan_id": scan.pk,
        "outcome": scan.outcome,
        "ok": scan.outcome == Scan.Outcome.ADMITTED,
        "message": str(Scan.Outcome(scan.outcome).label),
        "checkpoint": scan.checkpoint_id,
        "client_nonce": scan.client_nonce,
        "registration": person,
        "admission": _admission(scan.admission),
    }
    if local_outcome:
        result["conflict"] = local_outcome != scan.outcome
    return result


class PrintJobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = BulkPrintJob
        fields = ["id", "order_by", "filters", "status", "total", "done", "progress_percent", "file_url",
                  "error", "created_at", "finished_at"]
        read_only_fields = ["status", "total", "done", "error", "created_at", "finished_at"]

    def get_file_url(self, job) -> str | None:
        from django.urls import reverse

        if job.status != BulkPrintJob.Status.DONE:
            return None
        return reverse("registration:badges:print_file", kwargs={"forum_slug": job.forum.slug, "job_id": job.pk})


# ---- Shapes of the answers, for the OpenAPI schema ---------------------------------


class PublicKeySerializer(serializers.Serializer):
    key_id = serializers.IntegerField()
    algorithm = serializers.CharField()
    active = serializers.BooleanField()
    public_key = serializers.CharField(help_text="Raw 32-byte Ed25519 public key, base64url without padding.")


class PublicKeysSerializer(serializers.Serializer):
    forum = serializers.IntegerField()
    keys = PublicKeySerializer(many=True)


class RevocationsSerializer(serializers.Serializer):
    forum = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    revoked_badges = serializers.ListField(child=serializers.IntegerField())


class RosterSerializer(serializers.Serializer):
    forum = serializers.IntegerField()
    registrations = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="registration id -> [name (Arabic), name (English), category, colour]",
    )


class CheckpointListSerializer(serializers.Serializer):
    checkpoints = CheckpointSerializer(many=True)
    scans = serializers.IntegerField()


class ScanPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    organization = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    color = serializers.CharField()


class ScanAdmissionCheckpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScanAdmissionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    checkpoint = ScanAdmissionCheckpointSerializer()


class ScanResultSerializer(serializers.Serializer):
    scan_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Scan.Outcome.choices)
    ok = serializers.BooleanField()
    message = serializers.CharField()
    checkpoint = serializers.IntegerField()
    client_nonce = serializers.CharField()
    registration = ScanPersonSerializer(allow_null=True)
    admission = ScanAdmissionSerializer(allow_null=True, help_text="The admission made, or the earlier one.")
    conflict = serializers.BooleanField(required=False)


class ScanRefusedSerializer(serializers.Serializer):
    """An uploaded scan refused as malformed: its nonce and the fields at fault."""

    client_nonce = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


@extend_schema_field(PolymorphicProxySerializer(
    component_name="ScanBatchItem", resource_type_field_name=None,
    serializers=[ScanResultSerializer, ScanRefusedSerializer]))
class ScanBatchItemField(serializers.DictField):
    pass


class ScanBatchResultSerializer(serializers.Serializer):
    results = serializers.ListField(child=ScanBatchItemField(), help_text="Each scan's result, or why it was refused.")
    conflicts = serializers.IntegerField()


class AttendanceCategorySerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    registered = serializers.IntegerField()
    admitted = serializers.IntegerField()


class AttendanceHourSerializer(serializers.Serializer):
    hour = serializers.DateTimeField()
    admitted = serializers.IntegerField()


class AttendanceSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    attended = serializers.IntegerField()


class AttendanceSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    admitted = serializers.IntegerField()
    scans = serializers.IntegerField()
    by_category = AttendanceCategorySerializer(many=True)
    over_time = AttendanceHourSerializer(many=True)
    sessions = AttendanceSessionSerializer(many=True)


class BadgeReissuedSerializer(serializers.Serializer):
    badge = serializers.IntegerField()
    token = serializers.CharField()
    issued_at = serializers.DateTimeField()
