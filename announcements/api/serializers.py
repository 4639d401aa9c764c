from rest_framework import serializers

from ..models import Announcement, AnnouncementRecipient


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "subject_ar", "subject_en", "body_ar", "body_en", "segment", "registration_type", "session",
                  "status", "scheduled_at", "created_at", "sent_at", "recipients_count"]
        read_only_fields = ["id", "status", "scheduled_at", "created_at", "sent_at", "recipients_count"]
        extra_kwargs = {"registration_type": {"required": False}, "session": {"required": False}}


class SendSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="Later: schedule. Empty: now.")


class PreviewSerializer(serializers.Serializer):
    to = serializers.EmailField(allow_null=True)
    subject = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True)
    html = serializers.CharField(allow_null=True)


class RecipientSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField(source="message.sent_at", allow_null=True, read_only=True)
    attempts = serializers.IntegerField(source="message.attempts", allow_null=True, read_only=True)

    class Meta:
        model = AnnouncementRecipient
        fields = ["id", "email", "name", "language", "status", "attempts", "sent_at"]

    def get_status(self, obj) -> str:
        return obj.message.status if obj.message_id else "skipped"
