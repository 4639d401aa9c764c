from rest_framework import serializers

from ..models import OutgoingMessage


class OutgoingMessageSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    attachment_names = serializers.SerializerMethodField()

    class Meta:
        model = OutgoingMessage
        fields = ["id", "to", "subject", "kind", "language", "status", "status_display", "attempts", "last_error",
                  "next_attempt_at", "created_at", "sent_at", "attachment_names"]
        read_only_fields = fields

    def get_attachment_names(self, obj) -> list[str]:
        return [a.get("filename", "") for a in obj.attachments or []]
