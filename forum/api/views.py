from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from forum import permissions as forum_permissions
from forum import selectors, services
from forum.errors import PermissionDenied as DomainPermissionDenied
from forum.models import Forum, Hall, Sponsorship, TeamMember, Track

from . import serializers
from .base import ForumScopedViewSet, TeamOnlyMixin


class IsOrganizerOrReadOnly(permissions.BasePermission):
    """The shared directory of people and bodies: owners and editors of a forum add to it; which
    entries they may then change is decided per object by forum.permissions."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return forum_permissions.is_directory_editor(request.user)


class ProtectedDeleteMixin:
    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:
            raise ValidationError(
                {"non_field_errors": [_("This is still used elsewhere (a forum, a session or an honor); remove those first.")]}
            ) from None


class OrganizationViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    """Bodies shared by all forums. One used by forums of other teams is changed only by those who
    may edit all of them; members (granted by a superuser or a member) publish forums under it."""

    serializer_class = serializers.OrganizationSerializer
    permission_classes = [IsOrganizerOrReadOnly]
    filterset_fields = ["kind", "parent"]
    search_fields = ["name_ar", "name_en"]
    ordering_fields = ["name_ar", "name_en", "id"]

    def get_queryset(self):
        return selectors.organizations_all().order_by("name_ar", "id")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if self.action in ("members", "member_remove"):
            return
        if request.method not in permissions.SAFE_METHODS and not forum_permissions.can_edit_organization(
            request.user, obj
        ):
            self.permission_denied(
                request, message=_("Forums of other teams speak in this organization's name; only those who may "
                                   "edit all of them may change it.")
            )

    def perform_update(self, serializer):
        serializer.instance = services.organization_update(
            user=self.request.user, organization=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=serializers.OrganizationMemberSerializer,
                   responses=serializers.OrganizationMemberSerializer(many=True))
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.IsAuthenticated])
    def members(self, request, pk=None):
        """Who may publish forums in this organization's name: superusers and members read and grant."""
        organization = self.get_object()
        if not forum_permissions.can_grant_organization(request.user, organization):
            self.permission_denied(request, message=_("Only a superuser or a member of this organization may see "
                                                      "or add its members."))
        if request.method == "POST":
            serializer = serializers.OrganizationMemberSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.organization_member_grant(
                organization=organization, user=serializer.validated_data["user"], granted_by=request.user
            )
        rows = organization.members.select_related("user").order_by("id")
        return Response(serializers.OrganizationMemberSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>\d+)",
            permission_classes=[permissions.IsAuthenticated])
    def member_remove(self, request, pk=None, user_id=None):
        organization = self.get_object()
        if not forum_permissions.can_grant_organization(request.user, organization):
            self.permission_denied(request, message=_("Only a superuser or a member of this organization may "
                                                      "remove its members."))
        member = get_object_or_404(organization.members, user_id=user_id)
        services.organization_member_revoke(member=member, revoked_by=request.user)
        return Response(status=204)


class PersonViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    """The directory as the user may read it (forum.selectors.people_visible); changes follow
    forum.permissions: a person's e-mail is how they sign in."""

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
        super().check_object_permissions(request, obj)
        if request.method in permissions.SAFE_METHODS:
            return
        if request.method == "DELETE":
            allowed = request.user.is_superuser
        else:
            allowed = forum_permissions.can_edit_person(request.user, obj)
            data = request.data if hasattr(request.data, "get") else {}
            if "email" in data and data.get("email") != obj.email and (
                refusal := forum_permissions.person_email_refusal(request.user, obj)
            ):
                raise DomainPermissionDenied(refusal, field="email", code="email_not_yours")
        if not allowed:
            self.permission_denied(
                request, message=_("This person takes part in a forum of another team; only they, or a team that "
                                   "may edit all their forums, may change their record.")
            )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        forum = data.pop("forum", None)
        serializer.instance = services.person_create(user=self.request.user, forum=forum, **data)
        serializer.instance.contact_visible = True

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("forum", None)
        serializer.instance = services.person_update(user=self.request.user, person=serializer.instance, **data)
        serializer.instance.contact_visible = forum_permissions.can_see_contact(self.request.user, serializer.instance)

    @extend_schema(
        parameters=[OpenApiParameter("email", str, required=True)],
        responses={200: serializers.PersonLookupSerializer, 404: None},
    )
    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def lookup(self, request):
        """Find an existing person to invite, by exact e-mail: answers only the id, nothing else."""
        if not forum_permissions.is_directory_editor(request.user):
            self.permission_denied(request, message=_("Only the organizers of a forum look people up."))
        person = selectors.person_find_by_email(email=request.query_params.get("email", ""))
        if person is None:
            return Response({"email": [_("Nobody has exactly this e-mail.")], "code": "not_found"}, status=404)
        return Response({"id": person.pk})


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
        serializer.instance = services.forum_create(created_by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.forum_update(
            forum=serializer.instance, user=self.request.user, **serializer.validated_data
        )

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
