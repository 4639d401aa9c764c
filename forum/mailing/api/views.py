"""The forum's outbox for its organizers: what was sent, what failed, and "resend".

Recipients' addresses are personal data: owners and editors only
(`can_view_personal_data`); other team members are refused, and people
outside the team do not learn that a draft forum exists.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedReadOnlyViewSet

from .. import services
from ..models import OutgoingMessage
from .serializers import OutgoingMessageSerializer


class OutboxPermission(permissions.BasePermission):
    message = _("Only the forum's owners and editors see its outgoing e-mail.")

    def has_permission(self, request, view):
        forum = view.forum
        if not (forum.is_public or forum_permissions.can_view_drafts(request.user, forum)):
            raise Http404
        return forum_permissions.can_view_personal_data(request.user, forum)


class OutgoingMessageViewSet(ForumScopedReadOnlyViewSet):
    serializer_class = OutgoingMessageSerializer
    permission_classes = [OutboxPermission]
    queryset = OutgoingMessage.objects.all()
    filterset_fields = ["status", "kind"]
    search_fields = ["to", "subject"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")

    @extend_schema(request=None, responses=OutgoingMessageSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        message = services.message_resend(message=self.get_object())
        return Response(self.get_serializer(message).data)
