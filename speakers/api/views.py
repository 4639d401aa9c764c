"""The speakers API: thin over speakers.services and speakers.selectors."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import formatting as fmt
from forum import permissions as forum_permissions
from forum.api.base import ForumPermission, ForumScopedMixin, ForumScopedViewSet, TeamOnlyMixin
from forum.api.parsers import JSONParser
from sessions.models import SessionRole
from speakers import selectors, services
from speakers.models import Invitation, ProceedingsJob, ReviewAssignment, ReviewCriterion, WorkingPaper

from . import serializers


class PaperSettingsView(TeamOnlyMixin, ForumScopedMixin, APIView):
    """A forum's paper settings: the team reads them, owners and editors change them."""

    permission_classes = [ForumPermission]

    @extend_schema(responses=serializers.PaperSettingsSerializer)
    def get(self, request, forum_slug):
        return Response(serializers.PaperSettingsSerializer(selectors.paper_settings_for(forum=self.forum)).data)

    @extend_schema(request=serializers.PaperSettingsSerializer, responses=serializers.PaperSettingsSerializer)
    def put(self, request, forum_slug):
        current = selectors.paper_settings_for(forum=self.forum)
        serializer = serializers.PaperSettingsSerializer(current, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        updated = services.paper_settings_update(forum=self.forum, user=request.user, **serializer.validated_data)
        return Response(serializers.PaperSettingsSerializer(updated).data)

    patch = put


class InvitationViewSet(TeamOnlyMixin, ForumScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Invitations of a forum. Creating one e-mails the person their personal link."""

    queryset = Invitation.objects.select_related("person")
    serializer_class = serializers.InvitationSerializer
    filterset_fields = ["status", "role", "session"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.invitation_create(
            forum=self.forum, session=data["session"], person=data["person"], role=data.get("role", "speaker"),
            invited_by=self.request.user, paper_title_ar=data.get("paper_title_ar", ""),
            paper_title_en=data.get("paper_title_en", ""), message=data.get("message", ""),
        )

    @extend_schema(request=None, responses=serializers.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, forum_slug, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


class PaperAccess(ForumPermission):
    """Reads follow forum visibility; writes are checked by the services (speakers upload their own)."""

    def has_permission(self, request, view):
        forum = view.forum
        if not view.forum_readable(request.user, forum):
            from django.http import Http404

            raise Http404
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class PaperViewSet(ForumScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Papers: the team sees all; a speaker their own, a chair their session's, a reviewer those assigned."""

    queryset = WorkingPaper.objects.none()
    serializer_class = serializers.PaperSerializer
    permission_classes = [PaperAccess]
    filterset_fields = ["status", "session"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkingPaper.objects.none()
        qs = WorkingPaper.objects.filter(forum=self.forum).prefetch_related("speakers", "files__uploaded_by")
        user = self.request.user
        if forum_permissions.can_view_drafts(user, self.forum):
            # Papers still under the open call's review are the call's, not yet the team's.
            return selectors.team_papers(forum=self.forum).prefetch_related(
                "speakers", "files__uploaded_by").order_by("id")
        if not user.is_authenticated:
            return qs.none()
        person = selectors.person_for_user(user)
        visible = Q(reviews__reviewer=user)
        if person is not None:
            chaired = SessionRole.objects.filter(person=person, role__in=selectors.CHAIR_ROLES).values("session_id")
            visible |= Q(speakers=person) | Q(session_id__in=chaired)
        return qs.filter(visible).distinct().order_by("id")

    def _editable(self, paper):
        if not forum_permissions.can_edit_forum(self.request.user, self.forum):
            self.permission_denied(self.request, message="Only the forum's owners and editors may do this.")

    @extend_schema(request={"multipart/form-data": serializers.UploadSerializer},
                   responses={201: serializers.PaperFileSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def files(self, request, forum_slug, pk=None):
        """Upload a new version of the paper or of its slides."""
        paper = self.get_object()
        serializer = serializers.UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stored = services.paper_file_upload(
            paper=paper, user=request.user, upload=serializer.validated_data["file"],
            role=serializer.validated_data["role"],
        )
        return Response(serializers.PaperFileSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.PaperSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, forum_slug, pk=None):
        paper = self.get_object()
        self._editable(paper)
        serializer = serializers.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paper = services.paper_decide(paper=paper, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(paper).data)

    @extend_schema(request=serializers.ExtensionSerializer, responses=serializers.PaperSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, forum_slug, pk=None):
        paper = self.get_object()
        self._editable(paper)
        serializer = serializers.ExtensionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paper = services.paper_extension_grant(
            paper=paper, until=serializer.validated_data["until"], granted_by=request.user
        )
        return Response(self.get_serializer(paper).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def reviews(self, request, forum_slug, pk=None):
        """Scores side by side for the team; a reviewer sees others' only after submitting their own."""
        paper = self.get_object()
        if not (forum_permissions.can_view_drafts(request.user, self.forum)
                or selectors.user_reviews_paper(request.user, paper)):
            from django.http import Http404

            raise Http404
        return Response(serializers.reviews_data(selectors.paper_reviews(paper=paper, for_user=request.user)))


class ReviewCriterionViewSet(TeamOnlyMixin, ForumScopedViewSet):
    queryset = ReviewCriterion.objects.all()
    serializer_class = serializers.ReviewCriterionSerializer

    def perform_create(self, serializer):
        serializer.instance = services.criterion_create(forum=self.forum, user=self.request.user,
                                                        **serializer.validated_data)


class ReviewAssignmentViewSet(TeamOnlyMixin, ForumScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                              viewsets.ReadOnlyModelViewSet):
    queryset = ReviewAssignment.objects.select_related("reviewer")
    serializer_class = serializers.ReviewAssignmentSerializer
    filterset_fields = ["paper", "reviewer"]

    def get_queryset(self):
        return ReviewAssignment.objects.filter(paper__forum=self.forum).select_related("reviewer").order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.review_assign(
            paper=serializer.validated_data["paper"], reviewer=serializer.validated_data["reviewer"],
            assigned_by=self.request.user,
        )


class MyReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in reviewer's assignments, and submitting one."""

    serializer_class = serializers.MyReviewSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReviewAssignment.objects.none()
        return selectors.reviews_for_reviewer(user=self.request.user)

    @extend_schema(request=serializers.ReviewSubmitSerializer, responses=serializers.MyReviewSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = self.get_object()
        serializer = serializers.ReviewSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scores = {int(k): v for k, v in serializer.validated_data["scores"].items() if str(k).isdigit()}
        assignment = services.review_submit(
            assignment=assignment, user=request.user, scores=scores, comment=serializer.validated_data["comment"]
        )
        return Response(self.get_serializer(assignment).data)


class MyInvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in person's invitations, and replying to one."""

    serializer_class = serializers.InvitationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        person = selectors.person_for_user(self.request.user)
        if person is None:
            return Invitation.objects.none()
        return selectors.invitations_for_person(person=person)

    @extend_schema(request=serializers.ReplySerializer, responses=serializers.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        invitation = self.get_object()
        serializer = serializers.ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_respond(
            invitation=invitation, person=invitation.person, accept=serializer.validated_data["accept"]
        )
        return Response(self.get_serializer(invitation).data)


class RemindersView(TeamOnlyMixin, ForumScopedMixin, APIView):
    permission_classes = [ForumPermission]

    @extend_schema(request=None, responses=dict)
    def post(self, request, forum_slug):
        return Response({"sent": services.reminders_send(forum=self.forum, user=request.user)})


class ProceedingsViewSet(TeamOnlyMixin, ForumScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Proceedings builds: POST starts one in the background; GET shows progress."""

    queryset = ProceedingsJob.objects.select_related("forum")
    serializer_class = serializers.ProceedingsJobSerializer

    def create(self, request, *args, **kwargs):
        job = services.proceedings_request(forum=self.forum, user=request.user,
                                           digits=fmt.digits_of_request(request))
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)


