"""Messages to attendees over the API: owners and editors only (they carry people's addresses)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedMixin

from .. import selectors, services
from ..models import Announcement
from .serializers import AnnouncementSerializer, PreviewSerializer, RecipientSerializer, SendSerializer


class SendersOnly(permissions.BasePermission):
    message = _("Only the forum's owners and editors write to its attendees.")

    def has_permission(self, request, view):
        forum = view.forum
        if not (forum.is_public or forum_permissions.can_view_drafts(request.user, forum)):
            raise Http404
        return forum_permissions.can_send_messages(request.user, forum)


class AnnouncementViewSet(ForumScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AnnouncementSerializer
    permission_classes = [SendersOnly]
    queryset = Announcement.objects.all()

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")

    def perform_create(self, serializer):
        serializer.instance = services.announcement_save(forum=self.forum, user=self.request.user,
                                                         data=serializer.validated_data)

    @extend_schema(parameters=[OpenApiParameter("to", str, description="The recipient's e-mail (else the first)")],
                   responses=PreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, *args, **kwargs):
        recipient, rendered = services.announcement_preview(announcement=self.get_object(),
                                                            email=request.query_params.get("to", ""))
        return Response({"to": recipient.email if recipient else None,
                         "subject": rendered.subject if rendered else None,
                         "text": rendered.text if rendered else None, "html": rendered.html if rendered else None})

    @extend_schema(request=None, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        announcement = self.get_object()
        services.announcement_test_send(announcement=announcement, user=request.user)
        return Response(self.get_serializer(announcement).data)

    @extend_schema(request=SendSerializer, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, *args, **kwargs):
        announcement = self.get_object()
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_send(announcement=announcement, at=serializer.validated_data.get("at"))
        return Response(self.get_serializer(announcement).data)

    @extend_schema(responses=RecipientSerializer(many=True))
    @action(detail=True, methods=["get"])
    def recipients(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.recipients_history(announcement=self.get_object(),
                                                                   search=request.query_params.get("q", "")))
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)
