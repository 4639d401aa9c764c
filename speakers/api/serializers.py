from django.urls import reverse
from rest_framework import serializers

from speakers.models import (
    SCORE_MAX,
    SCORE_MIN,
    FileKind,
    Invitation,
    PaperFile,
    PaperSettings,
    ProceedingsJob,
    ReviewAssignment,
    ReviewCriterion,
    WorkingPaper,
)


class PaperSettingsSerializer(serializers.ModelSerializer):
    accepted_kinds = serializers.ListField(child=serializers.ChoiceField(choices=FileKind.choices), allow_empty=False)

    class Meta:
        model = PaperSettings
        fields = ["deadline", "accepted_kinds", "max_upload_mb", "review_enabled", "publication"]


class InvitationSerializer(serializers.ModelSerializer):
    person_name_ar = serializers.CharField(source="person.display_name_ar", read_only=True)
    paper_title_ar = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=500)
    paper_title_en = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Invitation
        fields = [
            "id", "session", "person", "person_name_ar", "role", "session_role", "paper", "status", "expires_at",
            "link_revoked_at", "message", "created_at", "responded_at", "paper_title_ar", "paper_title_en",
        ]
        read_only_fields = [
            "session_role", "paper", "status", "expires_at", "link_revoked_at", "created_at", "responded_at",
        ]
        # No "unique set" check: inviting again while one is pending withdraws it and sends a new
        # one (speakers.services.invitation_create), as on the dashboard.
        validators = []

    def validate_session(self, session):
        forum = self.context["forum"]
        if session.forum_id != forum.pk:
            raise serializers.ValidationError("This session belongs to another forum.")
        return session


class ReplySerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class PaperFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", default="", read_only=True)

    class Meta:
        model = PaperFile
        fields = ["id", "role", "version", "kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at",
                  "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("speakers:file_download", kwargs={"file_id": obj.pk})


class PaperSerializer(serializers.ModelSerializer):
    files = PaperFileSerializer(many=True, read_only=True)
    speaker_ids = serializers.PrimaryKeyRelatedField(source="speakers", many=True, read_only=True)

    class Meta:
        model = WorkingPaper
        fields = ["id", "title_ar", "title_en", "abstract_ar", "abstract_en", "session", "session_item",
                  "speaker_ids", "status", "decision_comment", "decided_at", "extended_until", "files"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    role = serializers.ChoiceField(choices=PaperFile.Role.choices, default=PaperFile.Role.PAPER)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accepted", "revise", "rejected"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionSerializer(serializers.Serializer):
    until = serializers.DateTimeField()


class ReviewCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCriterion
        fields = ["id", "name_ar", "name_en", "weight", "order"]


class ReviewAssignmentSerializer(serializers.ModelSerializer):
    reviewer_username = serializers.CharField(source="reviewer.username", read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = ["id", "paper", "reviewer", "reviewer_username", "assigned_at", "submitted_at"]
        read_only_fields = ["assigned_at", "submitted_at"]

    def validate_paper(self, paper):
        if paper.forum_id != self.context["forum"].pk:
            raise serializers.ValidationError("This paper belongs to another forum.")
        return paper


class ReviewSubmitSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MyReviewSerializer(serializers.ModelSerializer):
    paper_title_ar = serializers.CharField(source="paper.title_ar", read_only=True)
    paper_title_en = serializers.CharField(source="paper.title_en", read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = ["id", "paper", "paper_title_ar", "paper_title_en", "assigned_at", "submitted_at", "comment"]


def reviews_data(paper_reviews) -> dict:
    return {
        "criteria": [{"id": c.pk, "name_ar": c.name_ar, "name_en": c.name_en, "weight": c.weight}
                     for c in paper_reviews.criteria],
        "reviews": [
            {
                "id": row.assignment.pk,
                "reviewer": row.assignment.reviewer.username,
                "submitted": row.assignment.is_submitted,
                "scores": {str(k): v for k, v in row.scores.items()},
                "weighted": row.weighted,
                "comment": row.assignment.comment,
            }
            for row in paper_reviews.rows
        ],
        "average": paper_reviews.average,
    }


class ProceedingsJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ProceedingsJob
        fields = ["id", "status", "done", "total", "percent", "page_count", "error", "created_at", "finished_at",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if obj.status != ProceedingsJob.Status.DONE:
            return None
        return reverse("speakers:proceedings_download", kwargs={"forum_slug": obj.forum.slug, "job_id": obj.pk})
