"""The agenda builder page: a shell the builder's JavaScript fills from the REST API."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from forum import permissions as forum_permissions
from forum.models import Forum

from .models import Prayer, Session


def builder(request, forum_slug: str):
    """Organizers only: team members read, owners and editors change. Others get 404 (drafts stay private)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
    forum = get_object_or_404(Forum.objects.select_related("organizer"), slug=forum_slug)
    if not forum_permissions.can_view_drafts(request.user, forum):
        raise Http404
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    halls = list(forum.halls.all())
    config = {
        "forum": {
            "slug": forum.slug,
            "title": forum.title,
            "first_day": forum.first_day.isoformat(),
            "last_day": forum.last_day.isoformat(),
            "time_zone": forum.time_zone,
            "days": [d.isoformat() for d in forum.days],
        },
        "halls": [{"id": h.pk, "name": h.name, "capacity": h.capacity} for h in halls],
        "tracks": [{"id": t.pk, "name": t.name, "color": t.color} for t in forum.tracks.all()],
        "kinds": [[value, str(label)] for value, label in Session.Kind.choices],
        "roles": [[value, str(label)] for value, label in _roles()],
        "item_kinds": [[value, str(label)] for value, label in _item_kinds()],
        "prayers": [[value, str(label)] for value, label in Prayer.choices],
        "can_edit": can_edit,
        "api": f"/api/v1/forums/{forum.slug}/",
        "people_api": "/api/v1/people/",
        "changes_url": _changes_url(forum),
    }
    return render(request, "sessions/builder.html", {"forum": forum, "config": config, "can_edit": can_edit})


def _roles():
    from .models import SessionRole

    return SessionRole.Role.choices


def _item_kinds():
    from .models import SessionItem

    return SessionItem.Kind.choices


def _changes_url(forum) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("frontend:changes", kwargs={"slug": forum.slug})
    except NoReverseMatch:
        return ""
