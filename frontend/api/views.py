"""The public agenda over the API: the latest published snapshot, and signed-in users' stars."""

from __future__ import annotations

import json

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from frontend import selectors, services
from frontend.caching import VersionCache, encoded_response, pointer_get
from sessions.models import StarredSession


class PublicAgendaView(APIView):
    """GET /api/v1/forums/<slug>/agenda/: the published agenda (version number + snapshot).

    Same rule as the pages: published and archived forums for everyone,
    drafts only for their team (404 for others). 404 until a version is
    published. ETag/Last-Modified follow the version; the body is cached.
    """

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 304: None, 404: None},
        description="The latest published agenda: {forum, version, published_at, agenda (the snapshot)}.",
    )
    def get(self, request, forum_slug: str):
        version = None if request.user.is_authenticated else pointer_get(forum_slug, lambda: selectors.public_version_by_slug(slug=forum_slug))
        if version is not None:
            forum = version.forum
        else:
            forum = selectors.forum_public_get(slug=forum_slug, user=request.user)
            version = selectors.version_latest_meta(forum=forum)
        if version is None:
            raise Http404(_("The agenda is not published yet."))
        vc = VersionCache(version=version, lang="api", digits="latn")
        if response := vc.not_modified(request, "agenda-api"):
            return response

        def build() -> bytes:
            snapshot = selectors.version_snapshot(version=version)
            return json.dumps({
                "forum": forum.slug,
                "version": version.number,
                "published_at": version.published_at.isoformat(),
                "agenda": snapshot,
            }, ensure_ascii=False).encode()

        # Already JSON (and gzipped): sent as it is, without DRF re-encoding it on every request.
        response = encoded_response(*vc.body(request, "agenda-api", build), "application/json; charset=utf-8")
        return vc.stamp(response, "agenda-api")


class StarSerializer(serializers.Serializer):
    session_id = serializers.IntegerField(min_value=1)


STARRED_IDS = inline_serializer("StarredSessionIds", {"session_ids": serializers.ListField(child=serializers.IntegerField())})


class StarredListView(APIView):
    """GET the signed-in user's starred session ids in a forum; POST {"session_id"} to star one."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: STARRED_IDS})
    def get(self, request, forum_slug: str):
        forum = selectors.forum_public_get(slug=forum_slug, user=request.user)
        ids = StarredSession.objects.filter(user=request.user, session__forum=forum).values_list("session_id", flat=True)
        return Response({"session_ids": sorted(ids)})

    @extend_schema(request=StarSerializer, responses={201: StarSerializer})
    def post(self, request, forum_slug: str):
        forum = selectors.forum_public_get(slug=forum_slug, user=request.user)
        serializer = StarSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        star = services.session_star(user=request.user, forum=forum, session_id=serializer.validated_data["session_id"])
        return Response({"session_id": star.session_id}, status=status.HTTP_201_CREATED)


class StarredDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, forum_slug: str, session_id: int):
        forum = selectors.forum_public_get(slug=forum_slug, user=request.user)
        services.session_unstar(user=request.user, forum=forum, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
