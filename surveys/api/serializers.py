from rest_framework import serializers

from ..models import Question, Survey


class SurveyQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "order", "kind", "text_ar", "text_en", "required", "choices"]
        read_only_fields = ["id", "order"]


class SurveySerializer(serializers.ModelSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "session", "title_ar", "title_en", "intro_ar", "intro_en", "is_anonymous", "status",
                  "reminder_after_days", "closes_at", "invitations_sent_at", "questions"]
        read_only_fields = ["id", "status", "invitations_sent_at", "questions"]

    def validate_session(self, session):
        forum = self.context["forum"]
        if session is not None and session.forum_id != forum.pk:
            raise serializers.ValidationError("This session belongs to another forum.")
        return session


class CopyQuestionsSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="The id of a survey of a forum whose team you are in.")


class SurveyStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Survey.Status.choices)


class SurveyQuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    kind = serializers.CharField(source="question.kind")
    text = serializers.CharField(source="question.text")
    answered = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    mean = serializers.FloatField(allow_null=True)
    nps = serializers.IntegerField(allow_null=True)
    texts = serializers.ListField(child=serializers.CharField())


class SurveyResultsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.IntegerField(allow_null=True)
    questions = SurveyQuestionResultSerializer(many=True)
