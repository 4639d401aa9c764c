"""Surveys for the organizers' tools: the team reads (results too), owners and editors set up."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forum.api.base import ForumScopedMixin, TeamOnlyMixin
from forum.errors import DomainError

from .. import selectors, services
from ..models import Survey
from .serializers import (
    CopyQuestionsSerializer,
    SurveyQuestionSerializer,
    SurveyResultsSerializer,
    SurveySerializer,
    SurveyStatusSerializer,
)


class SurveyViewSet(TeamOnlyMixin, ForumScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SurveySerializer
    queryset = Survey.objects.prefetch_related("questions")

    def get_queryset(self):
        return super().get_queryset().order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.survey_create(forum=self.forum, **serializer.validated_data)

    @extend_schema(request=SurveyQuestionSerializer, responses=SurveyQuestionSerializer)
    @action(detail=True, methods=["post"])
    def questions(self, request, *args, **kwargs):
        survey = self.get_object()  # another forum's survey: 404 before the body is read
        serializer = SurveyQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.question_add(survey=survey, **serializer.validated_data)
        return Response(SurveyQuestionSerializer(question).data, status=201)

    @extend_schema(request=CopyQuestionsSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"], url_path="copy-questions")
    def copy_questions(self, request, *args, **kwargs):
        survey = self.get_object()
        serializer = CopyQuestionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        qs = Survey.objects.all() if request.user.is_superuser else Survey.objects.filter(
            forum__team__user=request.user)
        source = qs.filter(pk=serializer.validated_data["source"]).first()
        if source is None:
            raise DomainError(_("Choose a survey of a forum whose team you are in."), field="source")
        services.questions_copy(survey=survey, source=source)
        return Response(SurveySerializer(Survey.objects.get(pk=survey.pk), context={"forum": self.forum}).data)

    @extend_schema(request=SurveyStatusSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        survey = self.get_object()
        serializer = SurveyStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = services.survey_status_set(survey=survey, status=serializer.validated_data["status"])
        return Response(SurveySerializer(survey, context={"forum": self.forum}).data)

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Text answers containing this")],
                   responses=SurveyResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request, *args, **kwargs):
        data = selectors.survey_results(survey=self.get_object(), search=request.query_params.get("search", ""))
        return Response(SurveyResultsSerializer(data).data)
