"""Where a signed-in user lands, and what they find on their staff page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from forum import permissions
from forum.models import Forum, TeamMember

from .models import TeamInvitation

Role = TeamMember.Role

# (URL name, its slug keyword, label, roles that may open it). Pages of other apps by name only.
TOOLS = [
    ("sessions:builder", "forum_slug", _("Agenda builder"), permissions.TEAM_ROLES),
    ("speakers:manage", "forum_slug", _("Speakers and papers"), permissions.TEAM_ROLES),
    ("registration:manage", "slug", _("Registrations"), permissions.EDIT_ROLES),
    ("registration:badges:scanner", "forum_slug", _("Check-in scanner"), permissions.CHECKIN_ROLES),
    ("registration:badges:attendance", "forum_slug", _("Attendance"), permissions.TEAM_ROLES),
    ("mailing:outbox", "forum_slug", _("Outbox"), permissions.EDIT_ROLES),
    ("accounts:team", "forum_slug", _("Team"), permissions.TEAM_ROLES),
    ("frontend:forum_home", "slug", _("Public page"), permissions.TEAM_ROLES),
]


@dataclass
class ForumTools:
    forum: Forum
    role: str
    role_label: str
    links: list[tuple[str, str]]


def _link(name: str, kwarg: str, slug: str) -> str | None:
    try:
        return reverse(name, kwargs={kwarg: slug})
    except NoReverseMatch:
        return None


def forums_with_tools(*, user) -> list[ForumTools]:
    """The user's forums, each with the pages their role opens."""
    if user.is_superuser:
        rows = [(forum, Role.OWNER) for forum in Forum.objects.order_by("-first_day", "id")]
    else:
        rows = [(m.forum, m.role) for m in TeamMember.objects.filter(user=user).select_related("forum")
                .order_by("-forum__first_day", "forum_id")]
    result = []
    for forum, role in rows:
        links = [(url, str(label)) for name, kwarg, label, roles in TOOLS
                 if role in roles and (url := _link(name, kwarg, forum.slug))]
        result.append(ForumTools(forum, role, str(Role(role).label), links))
    return result


def landing_url(user) -> str:
    """What the user's roles allow: check-in staff of one forum land on its scanner; other team
    members on their forums' tools; everyone else (speakers, chairs, reviewers) on the portal."""
    if user.is_superuser:
        return reverse("accounts:home")
    roles = list(TeamMember.objects.filter(user=user).select_related("forum").values_list("role", "forum__slug"))
    if not roles:
        return reverse("speakers:portal")
    if len(roles) == 1 and roles[0][0] == Role.CHECKIN:
        return _link("registration:badges:scanner", "forum_slug", roles[0][1]) or reverse("accounts:home")
    return reverse("accounts:home")


def team_of(*, forum: Forum):
    return TeamMember.objects.filter(forum=forum).select_related("user").order_by("role", "id")


def pending_invitations(*, forum: Forum):
    return TeamInvitation.objects.filter(forum=forum, status=TeamInvitation.Status.PENDING).select_related(
        "invited_by"
    )
