"""Calendar files and feeds (outside the i18n URLs: calendar apps fetch them).

- `/calendar/feeds/<secret>.ics`: a personal or team feed; unknown or revoked
  secret -> 404, and a team feed whose owner left the team -> 404.
- `/calendar/forums/<slug>/sessions/<id>.ics`: one published session, for
  "add to calendar".
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from forum.models import Forum
from forum.permissions import can_view_drafts
from sessions import ics

from . import invites, selectors, services
from .models import FeedToken

ICS_TYPE = "text/calendar; charset=utf-8"


def _ics_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
def feed(request, token: str):
    found = selectors.feed_token_active(raw=token)
    if found is None:
        raise Http404
    if found.scope == FeedToken.Scope.TEAM:
        if not can_view_drafts(found.user, found.forum):
            raise Http404
        content = invites.team_feed_ics(forum=found.forum)
    else:
        content = invites.personal_feed_ics(found)
    services.feed_token_touch(token=found)
    return _ics_response(content, f"{found.forum.slug}.ics")


@require_GET
def session_ics(request, forum_slug: str, session_id: int):
    forum = get_object_or_404(Forum, slug=forum_slug)
    snapshot = selectors.published_snapshot(forum=forum) if forum.is_public else None
    session = next((s for s in (snapshot or {}).get("sessions", []) if s["id"] == session_id), None)
    if session is None:
        raise Http404
    body = ics.calendar_bytes(
        snapshot, [session], method="PUBLISH",
        sequences=selectors.sequences_for_forum(forum=forum, snapshot=snapshot),
    )
    return _ics_response(body, f"{forum.slug}-session-{session_id}.ics", inline=False)
