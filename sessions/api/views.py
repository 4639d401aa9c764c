"""The agenda API: thin views over sessions.services and sessions.selectors.

Live (draft) agenda rows are private to the organizing team even when the
forum is published: the public reads published ScheduleVersions only.
Writes are for owners and editors (ForumPermission's write_check).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from forum.api.base import (
    ForumPermission,
    ForumScopedMixin,
    ForumScopedReadOnlyViewSet,
    ForumScopedViewSet,
    TeamOnlyMixin,
)
from forum.api.schema import FieldErrorsSerializer
from forum.errors import StaleObject
from sessions import conflicts as conflict_rules
from sessions import selectors, services
from sessions.models import GiftItem, Honoree, PrayerTimeOverride, ScheduleVersion, Session, SessionItem, SessionRole

from . import serializers

CONFLICT_400 = OpenApiResponse(
    PolymorphicProxySerializer(component_name="SessionRefusal", resource_type_field_name=None,
                               serializers=[serializers.ConflictRefusalSerializer, FieldErrorsSerializer]),
    description="Refused: the change breaks an error rule (`errors` says why) or a field is invalid "
                "(the field named with its messages). Nothing was changed.",
)
STALE_409 = OpenApiResponse(
    description="Someone else changed the session since you read it (lock_version / If-Match). Nothing was changed."
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The session's ETag from a previous read; a stale one gets 409.",
)


class ConflictResponseMixin:
    """A refused agenda change answers 400 with the conflict report: {"errors": [...], "warnings": [...]}.

    Messages follow the Accept-Language header (forum.middleware.ApiLanguageMiddleware).
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Times read and written in the forum's own zone: naive "2018-10-29T09:00" means 09:00 at the venue.
        timezone.activate(self.forum.tzinfo)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        timezone.deactivate()
        return response

    def handle_exception(self, exc):
        if isinstance(exc, conflict_rules.ScheduleConflict):
            return Response({**exc.report, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


def _etag(session: Session) -> str:
    return f'"{session.pk}.{session.lock_version}"'


def _expected_lock_version(request, session: Session, payload_value: int | None) -> int | None:
    """The version the client based its change on: the payload's lock_version, else If-Match."""
    if payload_value is not None:
        return payload_value
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    match = re.fullmatch(r'\s*(?:W/)?"(\d+)\.(\d+)"\s*', header)
    if not match or int(match.group(1)) != session.pk:
        raise StaleObject(
            _("Someone else changed this session while you were editing it. Reload it and apply your change again."),
            field="lock_version",
        )
    return int(match.group(2))


class SessionFilter(filters.FilterSet):
    day = filters.DateFilter(method="filter_day", label="Day (in the forum's time zone)")

    class Meta:
        model = Session
        fields = ["day", "hall", "track", "kind", "status"]

    def filter_day(self, queryset, name, value):
        forum = self.request.parser_context["view"].forum
        start = datetime.combine(value, time.min, tzinfo=forum.tzinfo)
        return queryset.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


@extend_schema_view(
    create=extend_schema(responses={201: serializers.SessionSerializer, 400: CONFLICT_400}),
    update=extend_schema(parameters=[IF_MATCH],
                         responses={200: serializers.SessionSerializer, 400: CONFLICT_400, 409: STALE_409}),
    partial_update=extend_schema(parameters=[IF_MATCH],
                                 responses={200: serializers.SessionSerializer, 400: CONFLICT_400, 409: STALE_409}),
)
class SessionViewSet(ConflictResponseMixin, TeamOnlyMixin, ForumScopedViewSet):
    """The live agenda of a forum (organizing team only). Each session carries its own conflicts."""

    serializer_class = serializers.SessionSerializer
    filterset_class = SessionFilter
    search_fields = ["title_ar", "title_en", "roles__person__full_name_ar", "roles__person__full_name_en"]
    ordering_fields = ["starts_at", "number", "id"]

    queryset = Session.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        qs = selectors.sessions_for_forum(forum=self.forum)
        if self.request.query_params.get("search"):
            # Search joins roles; distinct keeps one row per session.
            qs = qs.distinct()
        return qs

    def list(self, request, *args, **kwargs):
        self.report = conflict_rules.conflicts_by_session(conflict_rules.forum_conflicts(forum=self.forum))
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "report"):
            context["conflicts_by_session"] = self.report
        return context

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = _etag(self.get_object())
        return response

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        serializer.instance = services.session_create(forum=self.forum, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = _expected_lock_version(self.request, serializer.instance, data.pop("lock_version", None))
        serializer.instance = services.session_update(
            session=serializer.instance, expected_lock_version=expected, **data
        )

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["id"]}.{response.data["lock_version"]}"'
        return response

    @extend_schema(request=serializers.SessionCancelSerializer, parameters=[IF_MATCH],
                   responses={200: serializers.SessionSerializer, 409: STALE_409})
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel a session: it stays listed as cancelled and leaves every conflict."""
        session = self.get_object()
        payload = serializers.SessionCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        expected = _expected_lock_version(request, session, payload.validated_data.get("lock_version"))
        session = services.session_cancel(session=session, expected_lock_version=expected)
        return Response(self.get_serializer(self._fresh(session)).data)

    def _fresh(self, session):
        fresh = self.get_queryset().get(pk=session.pk)
        fresh.conflicts = getattr(session, "conflicts", None)
        return fresh

    def perform_destroy(self, instance):
        # Honorees keep their row (session set to null); the changelog records the removal at publication.
        instance.delete()


class SessionChildViewSet(ConflictResponseMixin, TeamOnlyMixin, ForumScopedViewSet):
    """Shared by participants and items: scoped through their session's forum."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(session__forum=self.forum)

    def reorder_with(self, request, reorder):
        payload = serializers.ReorderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = Session.objects.filter(forum=self.forum, pk=payload.validated_data["session"]).first()
        if session is None:
            raise ValidationError({"session": [_("No such session in this forum.")]})
        rows = reorder(session=session, ids=payload.validated_data["ids"])
        return Response(self.get_serializer(rows, many=True).data)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("list", "reorder") and not getattr(self, "swagger_fake_view", False):
            # One report for the whole forum instead of one per row.
            context["conflicts_by_session"] = conflict_rules.conflicts_by_session(
                conflict_rules.forum_conflicts(forum=self.forum)
            )
        return context


@extend_schema_view(
    create=extend_schema(responses={201: serializers.SessionRoleSerializer}),
)
class SessionRoleViewSet(SessionChildViewSet):
    """Chair, speakers, panelists… of sessions; the response carries the session's conflicts."""

    queryset = SessionRole.objects.select_related("person", "session")
    serializer_class = serializers.SessionRoleSerializer
    filterset_fields = ["session", "role", "person"]
    ordering_fields = ["order", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.session_role_add(**serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("session", None)
        serializer.instance = services.session_role_update(session_role=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.session_role_remove(session_role=instance)

    @extend_schema(request=serializers.ReorderSerializer, responses={200: serializers.SessionRoleSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def reorder(self, request, *args, **kwargs):
        """Set the running order of a session's participants (e.g. its speakers)."""
        return self.reorder_with(request, services.session_roles_reorder)


class SessionItemViewSet(SessionChildViewSet):
    """The ordered run of each session (anthem, recitation, speeches, papers…)."""

    queryset = SessionItem.objects.select_related("presenter", "session")
    serializer_class = serializers.SessionItemSerializer
    filterset_fields = ["session", "kind"]
    ordering_fields = ["order", "id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.session_item_add(**data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("session", None)
        serializer.instance = services.session_item_update(session_item=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.session_item_remove(session_item=instance)

    @extend_schema(request=serializers.ReorderSerializer, responses={200: serializers.SessionItemSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def reorder(self, request, *args, **kwargs):
        """Set the running order of a session's items (e.g. the opening ceremony)."""
        return self.reorder_with(request, services.session_items_reorder)


class HonoreeViewSet(ConflictResponseMixin, TeamOnlyMixin, ForumScopedViewSet):
    """Who is honored, with what, by whom (team only while drafting; the public sees the snapshot)."""

    queryset = Honoree.objects.select_related("person", "organization", "session").prefetch_related("presenters")
    serializer_class = serializers.HonoreeSerializer
    filterset_fields = ["session", "reason", "gift", "status"]
    ordering_fields = ["order", "id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.honoree_create(forum=self.forum, presenters=data.pop("presenters", None),
                                                      **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.honoree_update(honoree=serializer.instance,
                                                      presenters=data.pop("presenters", None), **data)

    @extend_schema(request=serializers.HonoreeMarkSerializer, responses={200: serializers.HonoreeSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, *args, **kwargs):
        """Mark an honor as made on stage ({"done": false} undoes a mistaken mark)."""
        honoree = self.get_object()
        body = serializers.HonoreeMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        honoree = services.honoree_mark(honoree=honoree, by=request.user, done=body.validated_data["done"])
        return Response(serializers.HonoreeSerializer(honoree, context=self.get_serializer_context()).data)


class GiftItemViewSet(TeamOnlyMixin, ForumScopedViewSet):
    """The forum's gift inventory (shields, gifts, certificates): team only."""

    queryset = GiftItem.objects.annotate(assigned=Count("honorees")).order_by("kind", "name_ar", "id")
    serializer_class = serializers.GiftItemSerializer
    filterset_fields = ["kind", "needs_engraving"]
    ordering_fields = ["kind", "name_ar", "id"]

    def perform_create(self, serializer):
        item = services.gift_item_create(forum=self.forum, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=item.pk)  # with its count of honorees assigned

    def perform_update(self, serializer):
        item = services.gift_item_update(item=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=item.pk)


@extend_schema_view(
    list=extend_schema(responses=serializers.ScheduleVersionSerializer(many=True)),
    retrieve=extend_schema(responses=serializers.ScheduleVersionDetailSerializer),
)
class ScheduleVersionViewSet(ConflictResponseMixin, ForumScopedReadOnlyViewSet):
    """Published versions of the agenda with their changelogs: public for published forums."""

    lookup_field = "number"
    lookup_value_regex = r"\d+"
    ordering_fields = ["number"]
    queryset = ScheduleVersion.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleVersion.objects.none()
        if self.action == "retrieve":
            return ScheduleVersion.objects.filter(forum=self.forum).order_by("-number")
        return selectors.schedule_versions(forum=self.forum)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ScheduleVersionDetailSerializer
        return serializers.ScheduleVersionSerializer


class ForumActionView(ConflictResponseMixin, TeamOnlyMixin, ForumScopedMixin, APIView):
    """A forum-wide agenda action (no row of its own)."""

    permission_classes = [ForumPermission]


class PublishView(ForumActionView):
    @extend_schema(
        request=None,
        responses={201: serializers.ScheduleVersionDetailSerializer},
        summary="Publish the agenda as the next numbered version",
    )
    def post(self, request, *args, **kwargs):
        """Freeze the live agenda as version N+1 with its computed changelog (owners and editors)."""
        version = services.schedule_publish(forum=self.forum, user=request.user)
        data = serializers.ScheduleVersionDetailSerializer(version, context={"forum": self.forum}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ConflictsView(ForumActionView):
    @extend_schema(responses={200: serializers.ConflictReportSerializer}, summary="Every conflict in the live agenda")
    def get(self, request, *args, **kwargs):
        return Response(conflict_rules.forum_conflicts(forum=self.forum))


class PrayerTimesView(ForumActionView):
    @extend_schema(responses={200: serializers.PrayerTimesSerializer},
                   summary="Prayer times at the venue for each forum day")
    def get(self, request, *args, **kwargs):
        report = selectors.prayer_times_report(forum=self.forum)
        return Response(serializers.PrayerTimesSerializer(report).data)


class PrayerBreakView(ForumActionView):
    @extend_schema(request=serializers.PrayerBreakSerializer,
                   responses={201: serializers.SessionSerializer, 400: CONFLICT_400},
                   summary="Insert a prayer break at a prayer time in one step")
    def post(self, request, *args, **kwargs):
        payload = serializers.PrayerBreakSerializer(data=request.data, context={"forum": self.forum})
        payload.is_valid(raise_exception=True)
        session = services.prayer_break_insert(forum=self.forum, **payload.validated_data)
        fresh = selectors.sessions_for_forum(forum=self.forum).get(pk=session.pk)
        fresh.conflicts = session.conflicts
        data = serializers.SessionSerializer(fresh, context={"forum": self.forum, "request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class PrayerTimeOverrideViewSet(ConflictResponseMixin, TeamOnlyMixin, ForumScopedViewSet):
    """Prayer times set by hand for a day, replacing the computed ones."""

    queryset = PrayerTimeOverride.objects.all()
    serializer_class = serializers.PrayerTimeOverrideSerializer
    filterset_fields = ["day", "prayer"]

    def perform_create(self, serializer):
        serializer.instance = services.prayer_time_override_set(forum=self.forum, **serializer.validated_data)

    def perform_update(self, serializer):
        data = {
            "day": serializer.instance.day, "prayer": serializer.instance.prayer, "time": serializer.instance.time,
            "note": serializer.instance.note, **serializer.validated_data,
        }
        if (data["day"], data["prayer"]) != (serializer.instance.day, serializer.instance.prayer):
            services.prayer_time_override_remove(override=serializer.instance)
        serializer.instance = services.prayer_time_override_set(forum=self.forum, **data)

    def perform_destroy(self, instance):
        services.prayer_time_override_remove(override=instance)


class EditionCopyView(ForumActionView):
    @extend_schema(request=serializers.EditionCopySerializer,
                   responses={201: serializers.EditionCopyResultSerializer},
                   summary="Copy this forum's agenda to a new edition")
    def post(self, request, *args, **kwargs):
        """A new draft forum with the halls, themes, team and sessions, its days shifted (owners and editors)."""
        payload = serializers.EditionCopySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.forum_edition_copy(forum=self.forum, user=request.user, **payload.validated_data)
        return Response(
            {
                "id": new.pk, "slug": new.slug, "edition": new.edition, "first_day": new.first_day,
                "last_day": new.last_day, "sessions": new.sessions.count(),
                "builder_url": reverse("sessions:builder", kwargs={"forum_slug": new.slug}),
            },
            status=status.HTTP_201_CREATED,
        )

