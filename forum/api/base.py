"""Building blocks every app's API uses, so that permissions and errors read the same everywhere.

Forum-scoped endpoints live under /api/v1/forums/<forum_slug>/...; subclass
ForumScopedViewSet, set `queryset`, and the forum, its visibility and the
write permission are handled here:

- reading: anyone for a published/archived forum, team members for a draft
  (others get 404, so drafts are not even confirmed to exist);
- writing: owners and editors of that forum (`write_check`, override it for
  another rule, e.g. check-in staff).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from forum import permissions as forum_permissions
from forum.errors import DomainError
from forum.models import Forum


def exception_handler(exc, context):
    """DomainError -> its status with field-level messages; IntegrityError -> 409, never a 500."""
    if isinstance(exc, DomainError):
        return Response({**exc.errors, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=400)
    if isinstance(exc, IntegrityError):
        return Response(
            {"non_field_errors": [_("This conflicts with existing data (a duplicate or a broken rule).")],
             "code": "integrity"},
            status=409,
        )
    return drf_exception_handler(exc, context)


class ForumPermission(permissions.BasePermission):
    """Reads follow forum visibility; writes need the view's write_check on the forum."""

    def has_permission(self, request, view):
        forum = view.forum
        if not view.forum_readable(request.user, forum):
            raise Http404
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and view.write_check(request.user, forum))


class ForumScopedMixin:
    forum_url_kwarg = "forum_slug"
    permission_classes = [ForumPermission]

    @cached_property
    def forum(self) -> Forum:
        return get_object_or_404(Forum, slug=self.kwargs[self.forum_url_kwarg])

    def forum_readable(self, user, forum: Forum) -> bool:
        return forum.is_public or forum_permissions.can_view_drafts(user, forum)

    def write_check(self, user, forum: Forum) -> bool:
        return forum_permissions.can_edit_forum(user, forum)

    def get_queryset(self):
        return super().get_queryset().filter(forum=self.forum)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.forum_url_kwarg in self.kwargs:
            context["forum"] = self.forum
        return context


class ForumScopedViewSet(ForumScopedMixin, viewsets.ModelViewSet):
    """CRUD on one kind of row of one forum. `perform_create` sets the forum."""

    def perform_create(self, serializer):
        serializer.save(forum=self.forum)


class ForumScopedReadOnlyViewSet(ForumScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TeamOnlyMixin:
    """For data that is private to the organizing team even when the forum is published."""

    def forum_readable(self, user, forum):
        return forum_permissions.can_view_drafts(user, forum)


def require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise exceptions.PermissionDenied(message or _("You do not have permission to do this."))
