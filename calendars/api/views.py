"""Feed tokens over the API: issue (or regenerate) and revoke.

- `forums/<slug>/feeds/mine/`: the signed-in user's personal feed.
- `forums/<slug>/feeds/team/`: the organizers' full (draft) feed; team only.
- `forums/<slug>/feeds/people/<person_id>/`: a participant's feed, managed by
  the forum's owners and editors (to hand a new link to a speaker).

POST answers with the secret URLs, shown this once; DELETE revokes.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forum.models import Forum, Person
from forum.permissions import can_edit_forum, can_view_drafts

from .. import selectors, services
from ..models import CalendarSettings, FeedToken

FeedSerializer = inline_serializer(
    name="CalendarFeed",
    fields={
        "webcal_url": serializers.CharField(),
        "https_url": serializers.CharField(),
        "scope": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
    },
)


def _issued(token: FeedToken, raw: str) -> Response:
    return Response(
        {
            "webcal_url": services.feed_url(raw),
            "https_url": services.feed_url(raw, scheme="https"),
            "scope": token.scope,
            "created_at": token.created_at,
        },
        status=status.HTTP_201_CREATED,
    )


class _ForumFeedView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    scope = FeedToken.Scope.PERSONAL

    def forum(self) -> Forum:
        forum = get_object_or_404(Forum, slug=self.kwargs["forum_slug"])
        if not (forum.is_public or can_view_drafts(self.request.user, forum)):
            raise Http404
        return forum

    def owner(self, forum: Forum) -> dict:
        return {"user": self.request.user}

    def tokens(self, forum: Forum):
        owner = self.owner(forum)
        tokens = FeedToken.objects.filter(forum=forum, scope=self.scope, revoked_at__isnull=True)
        if "person" in owner:
            return tokens.filter(person=owner["person"])
        return tokens.filter(user=owner["user"], person__isnull=True)

    @extend_schema(request=None, responses={201: FeedSerializer})
    def post(self, request, *args, **kwargs):
        forum = self.forum()
        token, raw = services.feed_token_issue(forum=forum, scope=self.scope, **self.owner(forum))
        return _issued(token, raw)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        forum = self.forum()
        for token in self.tokens(forum):
            services.feed_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyFeedView(_ForumFeedView):
    pass


class TeamFeedView(_ForumFeedView):
    scope = FeedToken.Scope.TEAM

    def forum(self) -> Forum:
        forum = get_object_or_404(Forum, slug=self.kwargs["forum_slug"])
        if not can_view_drafts(self.request.user, forum):
            raise Http404
        return forum


class PersonFeedView(_ForumFeedView):
    def forum(self) -> Forum:
        forum = super().forum()
        if not can_edit_forum(self.request.user, forum):
            self.permission_denied(self.request)
        return forum

    def owner(self, forum: Forum) -> dict:
        person = get_object_or_404(Person, pk=self.kwargs["person_id"])
        # Only people who take part in this forum's published agenda.
        snapshot = selectors.published_snapshot(forum=forum) or {"sessions": []}
        if not selectors.session_ids_of_person(snapshot, person.pk):
            raise Http404
        return {"person": person}


class CalendarSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarSettings
        fields = ["forum_event_per_day", "send_updates"]


class CalendarSettingsView(APIView):
    """The forum's calendar settings: the team reads them, owners and editors change them."""

    permission_classes = [permissions.IsAuthenticated]

    def forum(self, *, write: bool) -> Forum:
        forum = get_object_or_404(Forum, slug=self.kwargs["forum_slug"])
        if not can_view_drafts(self.request.user, forum):
            if not forum.is_public:
                raise Http404
            self.permission_denied(self.request)
        if write and not can_edit_forum(self.request.user, forum):
            self.permission_denied(self.request)
        return forum

    @extend_schema(responses=CalendarSettingsSerializer)
    def get(self, request, *args, **kwargs):
        return Response(CalendarSettingsSerializer(selectors.calendar_settings(forum=self.forum(write=False))).data)

    @extend_schema(request=CalendarSettingsSerializer, responses=CalendarSettingsSerializer)
    def patch(self, request, *args, **kwargs):
        forum = self.forum(write=True)
        serializer = CalendarSettingsSerializer(selectors.calendar_settings(forum=forum), data=request.data,
                                                partial=True)
        serializer.is_valid(raise_exception=True)
        services.calendar_settings_update(forum=forum, **serializer.validated_data)
        return Response(CalendarSettingsSerializer(selectors.calendar_settings(forum=forum)).data)
