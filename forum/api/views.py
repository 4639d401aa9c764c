from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404

from forum import permissions as forum_permissions
from forum import selectors, services
from forum.models import Forum, Hall, Sponsorship, TeamMember, Track

from . import serializers
from .base import ForumScopedViewSet, TeamOnlyMixin


class IsOrganizerOrReadOnly(permissions.BasePermission):
    """The shared directory of people and bodies: organizers of any forum may edit it."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_superuser or forum_permissions.editable_forums(user).exists())
        )


class ProtectedDeleteMixin:
    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:
            raise ValidationError(
                {"non_field_errors": [_("This is still used elsewhere (a forum, a session or an honor); remove those first.")]}
            ) from None


class OrganizationViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    serializer_class = serializers.OrganizationSerializer
    permission_classes = [IsOrganizerOrReadOnly]
    filterset_fields = ["kind", "parent"]
    search_fields = ["name_ar", "name_en"]
    ordering_fields = ["name_ar", "name_en", "id"]

    def get_queryset(self):
        return selectors.organizations_all().order_by("name_ar", "id")


class PersonViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    serializer_class = serializers.PersonSerializer
    permission_classes = [IsOrganizerOrReadOnly]
    filterset_fields = ["organization", "honorific"]
    search_fields = ["full_name_ar", "full_name_en", "position_ar", "position_en", "organization__name_ar"]
    ordering_fields = ["full_name_ar", "full_name_en", "id"]

    def get_queryset(self):
        return selectors.people_visible(user=self.request.user).order_by("full_name_ar", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["show_contact"] = serializers.show_contact(self.request)
        return context

    def check_object_permissions(self, request, obj):
        # Organizers change the people of their own forums (and unplaced entries), never another
        # forum's speaker: a changed e-mail would receive that forum's invitation links.
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS and not getattr(obj, "contact_visible", False):
            self.permission_denied(request, message=_("You do not have permission to do this."))


class ForumFilter(filters.FilterSet):
    starts_after = filters.DateFilter(field_name="last_day", lookup_expr="gte")
    starts_before = filters.DateFilter(field_name="first_day", lookup_expr="lte")

    class Meta:
        model = Forum
        fields = ["status", "organizer", "edition"]


class ForumViewSet(viewsets.ModelViewSet):
    """Forums: published ones for everyone, drafts for their team. Creating one makes you its owner."""

    serializer_class = serializers.ForumSerializer
    lookup_field = "slug"
    filterset_class = ForumFilter
    search_fields = ["title_ar", "title_en", "organizer__name_ar", "venue_name_ar"]
    ordering_fields = ["first_day", "title_ar", "id"]

    def get_queryset(self):
        return selectors.forums_visible(user=self.request.user).order_by("-first_day", "id")

    def get_permissions(self):
        return [permissions.IsAuthenticatedOrReadOnly()]

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method in permissions.SAFE_METHODS:
            return
        allowed = (
            forum_permissions.can_manage_team(request.user, obj)
            if request.method == "DELETE"
            else forum_permissions.can_edit_forum(request.user, obj)
        )
        if not allowed:
            self.permission_denied(request, message=_("Only the organizers of this forum may change it."))

    def perform_create(self, serializer):
        from forum.services import forum_create

        forum = forum_create(created_by=self.request.user, **serializer.validated_data)
        serializer.instance = forum

    def perform_destroy(self, instance):
        ProtectedDeleteMixin.perform_destroy(self, instance)


class HallViewSet(ForumScopedViewSet):
    queryset = Hall.objects.all()
    serializer_class = serializers.HallSerializer
    search_fields = ["name_ar", "name_en"]
    ordering_fields = ["order", "name_ar", "capacity"]

    def perform_destroy(self, instance):
        ProtectedDeleteMixin.perform_destroy(self, instance)


class TrackViewSet(ForumScopedViewSet):
    queryset = Track.objects.all()
    serializer_class = serializers.TrackSerializer
    search_fields = ["name_ar", "name_en"]
    ordering_fields = ["order", "name_ar"]


class SponsorshipViewSet(ForumScopedViewSet):
    queryset = Sponsorship.objects.select_related("organization")
    serializer_class = serializers.SponsorshipSerializer
    filterset_fields = ["kind", "tier"]
    ordering_fields = ["order", "tier"]


class TeamMemberViewSet(TeamOnlyMixin, ForumScopedViewSet):
    """The organizing team; only owners change it."""

    queryset = TeamMember.objects.select_related("user")
    serializer_class = serializers.TeamMemberSerializer
    filterset_fields = ["role"]

    def write_check(self, user, forum):
        return forum_permissions.can_manage_team(user, forum)

    def perform_destroy(self, instance):
        services.team_member_remove(member=instance)

    def perform_update(self, serializer):
        serializer.instance = services.team_member_update(member=serializer.instance, **serializer.validated_data)


def forum_for_slug(slug: str) -> Forum:
    return get_object_or_404(Forum, slug=slug)
