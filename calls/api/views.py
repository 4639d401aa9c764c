"""The call in the API. Submitters see only their own submissions, reviewers only the submissions
assigned to them (blind when the call is), organizers (owners and editors) everything."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedMixin
from forum.errors import DomainError, NotFound
from forum.models import Track
from speakers import selectors as speaker_selectors

from .. import selectors, services
from ..models import Call, Outcome, Submission
from . import serializers as s


class CallReadable(permissions.BasePermission):
    """Reads and writes follow forum visibility; each write checks its own rule in the service."""

    def has_permission(self, request, view):
        if not view.forum_readable(request.user, view.forum):
            raise Http404
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class CallMixin(ForumScopedMixin):
    permission_classes = [CallReadable]

    @cached_property
    def call(self) -> Call:
        call = Call.objects.select_related("forum").filter(forum=self.forum).first()
        if call is None:
            raise Http404
        return call

    @property
    def is_organizer(self) -> bool:
        return forum_permissions.can_edit_forum(self.request.user, self.forum)

    def require_organizer(self):
        if not self.is_organizer:
            raise Http404  # not even confirmed to exist

    def person(self):
        person = speaker_selectors.person_for_user(self.request.user)
        if person is None:
            raise NotFound(_("Sign in with the link the call page e-mails you."))
        return person


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class CallViewSet(CallMixin, viewsets.GenericViewSet):
    """The forum's call: public reading; the organizers set it up."""

    serializer_class = s.CallSerializer
    queryset = Call.objects.none()  # one call per forum: see `call`
    pagination_class = None

    @extend_schema(responses=s.CallSerializer)
    def current(self, request, *args, **kwargs):
        """The forum's call (one per forum)."""
        return Response(s.CallSerializer(self.call).data)

    @extend_schema(request=s.CallWriteSerializer, responses=s.CallSerializer)
    @action(detail=False, methods=["put"], url_path="setup")
    def setup(self, request, *args, **kwargs):
        self.require_organizer()
        serializer = s.CallWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = services.call_save(forum=self.forum, user=request.user, **serializer.validated_data)
        return Response(s.CallSerializer(call).data)

    @extend_schema(request=s.CallSubmissionTypeSerializer, responses=s.CallSubmissionTypeSerializer)
    @action(detail=False, methods=["post"], url_path="types")
    def types(self, request, *args, **kwargs):
        self.require_organizer()
        serializer = s.CallSubmissionTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stype = services.type_save(call=self.call, user=request.user, **serializer.validated_data)
        return Response(s.CallSubmissionTypeSerializer(stype).data, status=201)

    @extend_schema(request=s.CallSignInSerializer, responses={202: None, 429: None})
    @action(detail=False, methods=["post"], url_path="sign-in", permission_classes=[])
    def sign_in(self, request, *args, **kwargs):
        if not self.forum_readable(request.user, self.forum):
            raise Http404
        serializer = s.CallSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.sign_in_link_send(call=self.call, email=data["email"], name=data.get("name", ""), ip=_ip(request),
                                   honeypot=data.get("website", ""))
        return Response(status=202)

    @extend_schema(request=s.CallBulkAssignSerializer, responses=s.CallBulkAssignResultSerializer)
    @action(detail=False, methods=["post"], url_path="assign")
    def assign(self, request, *args, **kwargs):
        self.require_organizer()
        serializer = s.CallBulkAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        theme = serializer.validated_data.get("theme")
        if theme is not None and theme.forum_id != self.forum.pk:
            raise DomainError(_("Choose one of this forum's themes."), field="theme", code="other_forum")
        return Response(services.reviewers_assign_bulk(call=self.call, user=request.user, theme=theme))

    @extend_schema(request=None, responses=s.CallReleaseResultSerializer)
    @action(detail=False, methods=["post"], url_path="release")
    def release(self, request, *args, **kwargs):
        self.require_organizer()
        return Response({"released": services.decisions_release(call=self.call, user=request.user)})

    @extend_schema(responses=s.CallThemeRankingSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="ranking")
    def ranking(self, request, *args, **kwargs):
        self.require_organizer()
        return Response(s.CallThemeRankingSerializer(selectors.ranking(call=self.call), many=True).data)

    @extend_schema(responses=s.CallStatisticsSerializer)
    @action(detail=False, methods=["get"], url_path="statistics")
    def statistics(self, request, *args, **kwargs):
        self.require_organizer()
        return Response(s.CallStatisticsSerializer(selectors.statistics(call=self.call)).data)

    @extend_schema(responses=s.CallUnscheduledSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="unscheduled")
    def unscheduled(self, request, *args, **kwargs):
        self.require_organizer()
        papers = selectors.accepted_unscheduled(forum=self.forum)
        return Response(s.CallUnscheduledSerializer(papers, many=True).data)

    @extend_schema(responses=s.CallAssignmentSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="reviews", permission_classes=[permissions.IsAuthenticated])
    def reviews(self, request, *args, **kwargs):
        """The submissions assigned to the signed-in reviewer, and no others."""
        if not self.forum_readable(request.user, self.forum):
            raise Http404
        assignments = selectors.assignments_for_reviewer(user=request.user, call=self.call)
        return Response(s.CallAssignmentSerializer(assignments, many=True,
                                               context={"blind": self.call.blind_review}).data)

    @extend_schema(request=s.CallTemplateSerializer, responses=s.CallTemplateSerializer)
    @action(detail=False, methods=["get", "put"], url_path=r"templates/(?P<outcome>[a-z]+)")
    def templates(self, request, outcome: str, *args, **kwargs):
        self.require_organizer()
        if outcome not in Outcome.values:
            raise Http404
        if request.method == "PUT":
            serializer = s.CallTemplateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.template_save(call=self.call, outcome=outcome, user=request.user, **serializer.validated_data)
        return Response(s.CallTemplateSerializer(services.template_for(self.call, outcome)).data)

    @extend_schema(request=s.CallReviewersSerializer, responses=s.CallReviewersSerializer)
    @action(detail=False, methods=["put"], url_path=r"themes/(?P<theme_id>\d+)/reviewers")
    def theme_reviewers(self, request, theme_id: str, *args, **kwargs):
        self.require_organizer()
        theme = get_object_or_404(Track, pk=theme_id, forum=self.forum)
        serializer = s.CallReviewersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.theme_reviewers_set(call=self.call, theme=theme, user=request.user,
                                            reviewers=serializer.validated_data["reviewers"])
        return Response({"reviewers": [r.reviewer_id for r in rows]})


class SubmissionViewSet(CallMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Submissions: the submitter's own (drafts included); organizers see every submitted one."""

    serializer_class = s.CallSubmissionSerializer
    permission_classes = [CallReadable, permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    queryset = Submission.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Submission.objects.none()
        if self.is_organizer:
            return selectors.submissions_for_organizers(call=self.call)
        person = speaker_selectors.person_for_user(self.request.user)
        return selectors.submissions_for_person(person=person, call=self.call)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organizer": self.is_organizer}

    def _own(self, pk) -> Submission:
        person = self.person()
        return get_object_or_404(Submission, pk=pk, call=self.call, submitter=person)

    def _save(self, request, submission=None, status=200):
        serializer = s.CallSubmissionWriteSerializer(data=request.data, partial=submission is not None)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)  # the service refuses another call's type or forum's theme
        try:
            submission = services.submission_save(
                call=self.call, person=self.person(), submission=submission, upload=data.pop("file", None),
                honeypot=data.pop("website", ""), ip=_ip(request), **data)
        except DomainError as exc:
            saved = getattr(exc, "submission", None)
            return Response({**exc.errors, "code": exc.code, **({"id": saved.pk} if saved else {})},
                            status=exc.status_code)
        return Response(s.CallSubmissionSerializer(Submission.objects.get(pk=submission.pk)).data, status=status)

    @extend_schema(request=s.CallSubmissionWriteSerializer, responses={201: s.CallSubmissionSerializer})
    def create(self, request, *args, **kwargs):
        return self._save(request, status=201)

    @extend_schema(request=s.CallSubmissionWriteSerializer, responses=s.CallSubmissionSerializer)
    def partial_update(self, request, pk=None, *args, **kwargs):
        return self._save(request, submission=self._own(pk))

    @extend_schema(request=None, responses=s.CallSubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, *args, **kwargs):
        sub = services.submission_submit(submission=self._own(pk), person=self.person(), ip=_ip(request))
        return Response(s.CallSubmissionSerializer(sub).data)

    @extend_schema(request=None, responses=s.CallSubmissionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, *args, **kwargs):
        sub = services.submission_withdraw(submission=self._own(pk), person=self.person())
        return Response(s.CallSubmissionSerializer(sub).data)

    @extend_schema(request=None, responses=s.CallSubmissionSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, *args, **kwargs):
        sub = services.submission_confirm(submission=self._own(pk), person=self.person())
        return Response(s.CallSubmissionSerializer(sub).data)

    def _organizer_submission(self, pk) -> Submission:
        self.require_organizer()
        return get_object_or_404(Submission.objects.select_related("call__forum", "paper"), pk=pk, call=self.call)

    @extend_schema(request=s.CallDecisionSerializer, responses=s.CallDecisionSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None, *args, **kwargs):
        sub = self._organizer_submission(pk)
        serializer = s.CallDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.submission_decide(submission=sub, outcome=serializer.validated_data["outcome"],
                                              user=request.user)
        return Response({"outcome": decision.outcome})

    @extend_schema(request=s.CallReviewerSerializer, responses=s.CallReviewerSerializer)
    @action(detail=True, methods=["post"])
    def reviewers(self, request, pk=None, *args, **kwargs):
        sub = self._organizer_submission(pk)
        serializer = s.CallReviewerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.reviewer_assign(submission=sub, reviewer=serializer.validated_data["reviewer"],
                                              user=request.user)
        return Response({"reviewer": assignment.reviewer_id}, status=201)

    @extend_schema(request=s.CallPlaceSerializer, responses=s.CallPlacedSerializer)
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None, *args, **kwargs):
        sub = self._organizer_submission(pk)
        serializer = s.CallPlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.submission_place(submission=sub, session=serializer.validated_data["session"],
                                         user=request.user)
        return Response({"item": item.pk, "session": item.session_id}, status=201)
