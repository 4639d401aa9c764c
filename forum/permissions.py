"""Who may do what with a forum: one place, used by the admin, the API and the pages.

A superuser may do everything. Otherwise the user's TeamMember role in the
forum decides: owners and editors change the forum, check-in staff admit
badges, viewers read drafts and reports. Everyone else sees only what is
published.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Forum, TeamMember

Role = TeamMember.Role
EDIT_ROLES = frozenset({Role.OWNER, Role.EDITOR})
CHECKIN_ROLES = frozenset({Role.OWNER, Role.EDITOR, Role.CHECKIN})
TEAM_ROLES = frozenset(Role.values)


def forum_role(user, forum: Forum | int) -> str | None:
    """The user's role in the forum, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    forum_id = forum if isinstance(forum, int) else forum.pk
    cache = getattr(user, "_forum_roles", None)
    if cache is None:
        cache = dict(TeamMember.objects.filter(user=user).values_list("forum_id", "role"))
        user._forum_roles = cache
    return cache.get(forum_id)


def _has(user, forum, roles) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return forum_role(user, forum) in roles


def can_edit_forum(user, forum) -> bool:
    return _has(user, forum, EDIT_ROLES)


def can_check_in(user, forum) -> bool:
    return _has(user, forum, CHECKIN_ROLES)


def can_view_drafts(user, forum) -> bool:
    """Any team member reads drafts, team data and reports."""
    return _has(user, forum, TEAM_ROLES)


def can_manage_team(user, forum) -> bool:
    return _has(user, forum, {Role.OWNER})


def can_view_personal_data(user, forum) -> bool:
    """Attendee and speaker contact data: owners and editors only (viewers see counts)."""
    return _has(user, forum, EDIT_ROLES)


def can_view_invoices(user, forum) -> bool:
    """A forum's tax invoices and credit notes, and its seller's billing settings: owners and editors."""
    return _has(user, forum, EDIT_ROLES)


def visible_forums(user) -> QuerySet[Forum]:
    """Published and archived forums for everyone, plus drafts of the user's own team."""
    qs = Forum.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    public = Q(status__in=[Forum.Status.PUBLISHED, Forum.Status.ARCHIVED])
    if user is not None and user.is_authenticated:
        return qs.filter(public | Q(team__user=user)).distinct()
    return qs.filter(public)


def editable_forums(user) -> QuerySet[Forum]:
    if user is None or not user.is_authenticated:
        return Forum.objects.none()
    if user.is_superuser:
        return Forum.objects.all()
    return Forum.objects.filter(team__user=user, team__role__in=list(EDIT_ROLES))


def forum_for_page(user, slug: str, *, check: Callable | None = None, refuse: type[Exception] = Http404,
                   queryset: QuerySet[Forum] | None = None) -> Forum:
    """The forum a team page names in its URL, when `check` (by default: any team member) admits the user.

    Everyone else gets `refuse`: 404 by default, so drafts stay private; pages of forums that are public
    anyway may say 403 (PermissionDenied). The one guard of the organizers' pages in every app."""
    forum = get_object_or_404(queryset if queryset is not None else Forum.objects.all(), slug=slug)
    if not (check or can_view_drafts)(user, forum):
        raise refuse
    return forum
