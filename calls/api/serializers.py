from django.contrib.auth import get_user_model
from rest_framework import serializers

from forum.models import Honorific, Track
from sessions.models import Session

from ..models import Call, CoAuthor, Outcome, Submission, SubmissionType


class CallSubmissionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubmissionType
        fields = ["id", "kind", "name_ar", "name_en", "abstract_min_words", "abstract_max_words",
                  "full_paper_required", "order"]


class CallThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name_ar", "name_en", "description_ar", "description_en"]


class CallSerializer(serializers.ModelSerializer):
    types = CallSubmissionTypeSerializer(many=True, read_only=True)
    themes = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = ["id", "title_ar", "title_en", "rules_ar", "rules_en", "opens_at", "closes_at", "blind_review",
                  "reviewers_per_submission", "confirm_by", "is_open", "types", "themes"]
        read_only_fields = ["id"]

    def get_themes(self, call) -> list[dict]:
        return CallThemeSerializer(call.forum.tracks.all(), many=True).data

    def get_is_open(self, call) -> bool:
        return call.is_open()


class CallWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["title_ar", "title_en", "rules_ar", "rules_en", "opens_at", "closes_at", "blind_review",
                  "reviewers_per_submission", "confirm_by"]


class CallSignInSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    website = serializers.CharField(required=False, allow_blank=True, help_text="Honeypot: leave empty.")


class CallCoAuthorSerializer(serializers.ModelSerializer):
    honorific = serializers.ChoiceField(choices=Honorific.choices, required=False, allow_blank=True)
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = CoAuthor
        fields = ["honorific", "full_name_ar", "full_name_en", "organization", "position", "email", "confirmed"]

    def get_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None


class CallSubmissionSerializer(serializers.ModelSerializer):
    coauthors = CallCoAuthorSerializer(many=True, read_only=True)
    submitter = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "type", "theme", "title_ar", "title_en", "abstract_ar", "abstract_en", "keywords", "status",
                  "submitter", "coauthors", "has_file", "file_kind", "submitted_at", "confirm_by", "confirmed_at",
                  "decision", "paper"]

    def get_submitter(self, obj) -> str:
        return obj.submitter.display_name

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)

    def get_decision(self, obj) -> str | None:
        """Organizers see recorded decisions; the author only once released (the status says it)."""
        decision = getattr(obj, "decision", None)
        if decision is None or not self.context.get("organizer"):
            return None
        return decision.outcome


class CallCoAuthorWriteSerializer(serializers.Serializer):
    honorific = serializers.ChoiceField(choices=Honorific.choices, required=False, allow_blank=True)
    full_name_ar = serializers.CharField(max_length=255, allow_blank=True)
    full_name_en = serializers.CharField(max_length=255, required=False, allow_blank=True)
    organization = serializers.CharField(max_length=255, required=False, allow_blank=True)
    position = serializers.CharField(max_length=255, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, allow_blank=True)


class CallSubmissionWriteSerializer(serializers.Serializer):
    type = serializers.PrimaryKeyRelatedField(queryset=SubmissionType.objects.all(), required=False)
    theme = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all(), required=False)
    title_ar = serializers.CharField(max_length=500, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=500, required=False, allow_blank=True)
    abstract_ar = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    abstract_en = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    keywords = serializers.CharField(max_length=500, required=False, allow_blank=True)
    coauthors = CallCoAuthorWriteSerializer(many=True, required=False)
    file = serializers.FileField(required=False)
    website = serializers.CharField(required=False, allow_blank=True, help_text="Honeypot: leave empty.")


class CallDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class CallReviewerSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))


class CallReviewersSerializer(serializers.Serializer):
    reviewers = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True),
                                                   many=True)


class CallBulkAssignSerializer(serializers.Serializer):
    theme = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all(), required=False, allow_null=True)


class CallBulkAssignResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    short = serializers.ListField(child=serializers.IntegerField())


class CallReleaseResultSerializer(serializers.Serializer):
    released = serializers.IntegerField()


class CallPlaceSerializer(serializers.Serializer):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all())


class CallPlacedSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    session = serializers.IntegerField()


class CallTemplateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    subject_ar = serializers.CharField(max_length=255)
    subject_en = serializers.CharField(max_length=255, required=False, allow_blank=True)
    body_ar = serializers.CharField(max_length=20000)
    body_en = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class CallAssignmentSerializer(serializers.Serializer):
    """What a reviewer sees of an assigned submission: no authors when the review is blind."""

    id = serializers.IntegerField(source="pk")
    submission = serializers.IntegerField(source="paper.submission.pk")
    paper = serializers.IntegerField(source="paper_id")
    title_ar = serializers.CharField(source="paper.submission.title_ar")
    title_en = serializers.CharField(source="paper.submission.title_en")
    abstract_ar = serializers.CharField(source="paper.submission.abstract_ar")
    abstract_en = serializers.CharField(source="paper.submission.abstract_en")
    keywords = serializers.CharField(source="paper.submission.keywords")
    theme = serializers.IntegerField(source="paper.submission.theme_id")
    submitted = serializers.BooleanField(source="is_submitted")
    authors = serializers.SerializerMethodField()

    def get_authors(self, obj) -> list[str] | None:
        if self.context.get("blind"):
            return None
        sub = obj.paper.submission
        return [sub.submitter.display_name] + [c.display_name for c in sub.coauthors.all()]


class CallRankedSerializer(serializers.Serializer):
    submission = serializers.IntegerField(source="submission.pk")
    title = serializers.CharField(source="submission.title")
    average = serializers.FloatField(allow_null=True)
    reviews_done = serializers.IntegerField()
    reviews_total = serializers.IntegerField()


class CallThemeRankingSerializer(serializers.Serializer):
    theme = serializers.IntegerField(source="theme.pk", allow_null=True, default=None)
    rows = CallRankedSerializer(many=True)


class CallCountSerializer(serializers.Serializer):
    name_ar = serializers.CharField(required=False)
    name_en = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    label = serializers.CharField(required=False)
    count = serializers.IntegerField()


class CallStatisticsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    drafts = serializers.IntegerField()
    by_state = CallCountSerializer(many=True)
    by_theme = CallCountSerializer(many=True)
    by_type = CallCountSerializer(many=True)
    by_organization = CallCountSerializer(many=True)
    reviews_total = serializers.IntegerField()
    reviews_done = serializers.IntegerField()
    decisions_unreleased = serializers.IntegerField()


class CallUnscheduledSerializer(serializers.Serializer):
    paper = serializers.IntegerField(source="pk")
    submission = serializers.SerializerMethodField()
    title_ar = serializers.CharField()
    title_en = serializers.CharField()
    speakers = serializers.SerializerMethodField()

    def get_submission(self, obj) -> int | None:
        sub = getattr(obj, "submission", None)
        return sub.pk if sub is not None else None

    def get_speakers(self, obj) -> list[str]:
        return [p.display_name for p in obj.speakers.all()]
