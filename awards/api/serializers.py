"""Shapes of the awards API. Writes are validated here for types only; rules live in the services."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    Category,
    Criterion,
    Cycle,
    FieldVisit,
    JudgeAssignment,
    Nomination,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Result,
    ScoreSheet,
    Tier,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "slug", "kind", "name_ar", "name_en", "owner", "description_ar", "description_en",
                  "rules_ar", "rules_en", "blind_judging", "aggregation", "trim", "divergence_threshold"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "category", "parent", "name_ar", "name_en", "description_ar", "description_en", "weight",
                  "max_score", "order"]


class CategorySerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "cycle", "kind", "group_ar", "group_en", "name_ar", "name_en", "eligibility_ar",
                  "eligibility_en", "winners", "order", "criteria"]


class CriterionUpdateSerializer(CriterionSerializer):
    """A criterion's own fields; where it sits (category, parent) is fixed once it exists."""

    class Meta(CriterionSerializer.Meta):
        read_only_fields = ["category", "parent"]


class CategoryUpdateSerializer(CategorySerializer):
    class Meta(CategorySerializer.Meta):
        read_only_fields = ["cycle"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["id", "category", "name_ar", "name_en", "required", "order"]


class RequiredDocumentUpdateSerializer(RequiredDocumentSerializer):
    class Meta(RequiredDocumentSerializer.Meta):
        read_only_fields = ["category"]


class AwardQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "category", "label_ar", "label_en", "required", "max_length", "order"]


class AwardQuestionUpdateSerializer(AwardQuestionSerializer):
    class Meta(AwardQuestionSerializer.Meta):
        read_only_fields = ["category"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "cycle", "name_ar", "name_en", "min_score", "honored"]


class CycleSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Cycle
        fields = ["id", "programme", "number", "year_label", "is_public", "nominations_open", "nominations_close",
                  "screening_ends", "judging_ends", "visits_end", "results_date", "ceremony_date", "forum",
                  "ceremony_session", "results", "published_at", "illustrative_note"]


class CycleWriteSerializer(serializers.ModelSerializer):
    """Types only; the timeline's order and the ceremony rule are the services'."""

    number = serializers.IntegerField(required=False, min_value=1, max_value=32767)

    class Meta:
        model = Cycle
        fields = ["number", "year_label", "is_public", "nominations_open", "nominations_close", "screening_ends",
                  "judging_ends", "visits_end", "results_date", "ceremony_date", "forum", "ceremony_session",
                  "chair", "illustrative_note"]
        validators = []  # the cycle's constraints are checked by the services, each on its field


# Roles are plain text here (owner, staff, judge, assessor, committee), checked by the service: a second
# "role" enum would collide in the schema with the forum team's.
class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.CharField(read_only=True)

    class Meta:
        model = ProgrammeMember
        fields = ["id", "user", "email", "role"]


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.CharField(max_length=10, help_text="owner, staff, judge, assessor or committee")


class TierRowSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=100, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    min_score = serializers.CharField(max_length=20, allow_blank=True)
    honored = serializers.BooleanField(required=False, default=True)


class TiersSerializer(serializers.Serializer):
    tiers = TierRowSerializer(many=True)


class CycleDetailSerializer(CycleSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    tiers = TierSerializer(many=True, read_only=True)

    class Meta(CycleSerializer.Meta):
        fields = [*CycleSerializer.Meta.fields, "categories", "tiers"]


class JudgeAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = JudgeAssignment
        fields = ["id", "category", "judge"]


class NominationSerializer(serializers.ModelSerializer):
    nominee = serializers.CharField(source="nominee_name_ar", read_only=True)
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "reference", "cycle", "category", "nominee", "nominee_person", "nominee_organization",
                  "applicant", "title", "answers", "status", "submitted_at", "extended_until", "return_deadline",
                  "screening_reason"]
        read_only_fields = ["cycle", "nominee_person", "nominee_organization", "applicant", "status",
                            "submitted_at", "extended_until", "return_deadline", "screening_reason"]


class BlindNominationSerializer(serializers.ModelSerializer):
    """What a judge of a blind programme sees: no names, no organizations, no applicant."""

    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "reference", "cycle", "category", "answers", "status"]


class NominationCreateSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    nominee_name_ar = serializers.CharField(required=False, allow_blank=True, max_length=255,
                                            help_text="Individual categories: someone else than yourself.")
    nominee_name_en = serializers.CharField(required=False, allow_blank=True, max_length=255)
    nominee_email = serializers.EmailField(required=False, allow_blank=True)
    organization_name_ar = serializers.CharField(required=False, allow_blank=True, max_length=255,
                                                 help_text="Institutional categories: the nominated body.")
    organization_name_en = serializers.CharField(required=False, allow_blank=True, max_length=255)


class NominationSaveSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class DocumentUploadSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    file = serializers.FileField()


class ScreenSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["eligible", "ineligible", "returned"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)  # as every reason of the app
    complete_by = serializers.DateTimeField(required=False, allow_null=True)


class NominationExtensionSerializer(serializers.Serializer):
    until = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SheetInputSerializer(serializers.Serializer):
    points = serializers.CharField(required=False, allow_blank=True)
    parts = serializers.DictField(child=serializers.CharField(), required=False)
    comment = serializers.CharField(required=False, allow_blank=True)


class ScoresInputSerializer(serializers.Serializer):
    sheets = serializers.DictField(child=SheetInputSerializer(), help_text="Top-level criterion id -> its sheet.")


class ScoreSheetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreSheet
        fields = ["id", "nomination", "criterion", "points", "max_points", "weight", "comment", "updated_at"]


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldVisit
        fields = ["id", "nomination", "starts_at", "ends_at", "address", "assessors", "status", "report",
                  "score_adjustment", "adjustment_reason", "reported_at"]
        read_only_fields = ["status", "report", "score_adjustment", "adjustment_reason", "reported_at"]


class VisitReportSerializer(serializers.Serializer):
    report = serializers.CharField(allow_blank=True)
    checks = serializers.DictField(child=serializers.DictField(), required=False,
                                   help_text='Criterion id -> {"confirmed": true|false|null, "note": "…"}.')
    score_adjustment = serializers.CharField(required=False, allow_blank=True)
    adjustment_reason = serializers.CharField(required=False, allow_blank=True)


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()
    caption = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ResultSerializer(serializers.ModelSerializer):
    nominee = serializers.CharField(source="nomination.nominee_name_ar", read_only=True)
    category_name = serializers.CharField(source="category.name_ar", read_only=True)
    tier_name = serializers.CharField(source="tier.name_ar", read_only=True, default=None)

    class Meta:
        model = Result
        fields = ["id", "nomination", "nominee", "category", "category_name", "judges", "judged_score",
                  "adjustment", "score", "rank", "tied", "divergent", "spread", "tier", "tier_name", "is_winner",
                  "honor_order"]


class PublicResultSerializer(serializers.ModelSerializer):
    nominee = serializers.CharField(source="nomination.nominee_name_ar", read_only=True)
    category_name = serializers.CharField(source="category.name_ar", read_only=True)
    tier_name = serializers.CharField(source="tier.name_ar", read_only=True, default=None)

    class Meta:
        model = Result
        fields = ["nominee", "category_name", "score", "rank", "tied", "tier_name", "is_winner"]


class VerifiedResultSerializer(PublicResultSerializer):
    programme = serializers.CharField(source="cycle.programme.name_ar", read_only=True)
    cycle = serializers.IntegerField(source="cycle.number", read_only=True)
    published_at = serializers.DateTimeField(source="cycle.published_at", read_only=True)

    class Meta(PublicResultSerializer.Meta):
        fields = [*PublicResultSerializer.Meta.fields, "programme", "cycle", "published_at"]


class OrderSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField())


class EmailSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class ProgressCellSerializer(serializers.Serializer):
    nomination = serializers.IntegerField()
    judge = serializers.IntegerField()
    state = serializers.CharField()


class JudgeEntrySerializer(serializers.Serializer):
    nomination = serializers.IntegerField(source="nomination.pk")
    reference = serializers.CharField(source="nomination.reference")
    category = serializers.IntegerField(source="nomination.category_id")
    scored = serializers.IntegerField()
    criteria = serializers.IntegerField()
    done = serializers.BooleanField()
