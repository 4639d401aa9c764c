"""Writes to forums that carry a rule."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Forum, TeamMember


@transaction.atomic
def forum_create(*, created_by, forum: Forum | None = None, **fields) -> Forum:
    """Create a forum (from `fields`, or the unsaved `forum` an admin form built); whoever creates it
    becomes its first owner (None: nobody, as when a superuser makes one in the admin)."""
    if forum is None:
        forum = Forum(**fields)
    forum.save(force_insert=True)
    if created_by is not None and created_by.is_authenticated:
        TeamMember.objects.create(forum=forum, user=created_by, role=TeamMember.Role.OWNER)
    return forum


def team_roles_errors(*, roles_before: list[str], roles_after: list[str]) -> list[str]:
    """The team rule for a whole team edited at once (the admin's inline): a forum that had an owner
    keeps one. Empty when the change is fine."""
    owner = TeamMember.Role.OWNER
    if owner in roles_before and owner not in roles_after:
        return [_("A forum keeps at least one owner.")]
    return []


def _keeps_an_owner(member: TeamMember) -> None:
    """The rule: a forum keeps at least one owner. Checked with the forum's owners locked, so two owners
    stepping down at the same moment cannot both succeed."""
    if member.pk is None or TeamMember.objects.filter(pk=member.pk).values_list("role", flat=True).first() \
            != TeamMember.Role.OWNER:
        return
    others = TeamMember.objects.select_for_update().filter(forum_id=member.forum_id, role=TeamMember.Role.OWNER)
    if not [pk for pk in others.values_list("pk", flat=True) if pk != member.pk]:
        raise DomainError(_("A forum keeps at least one owner."), field="role", code="last_owner")


@transaction.atomic
def team_member_update(*, member: TeamMember, **fields) -> TeamMember:
    """Change a team member (their role, or who they are); the last owner cannot stop being one."""
    if fields.get("role", TeamMember.Role.OWNER) != TeamMember.Role.OWNER:
        _keeps_an_owner(member)
    for name, value in fields.items():
        setattr(member, name, value)
    member.save()
    return member


@transaction.atomic
def team_member_remove(*, member: TeamMember) -> None:
    """Take someone off the team; the last owner stays."""
    _keeps_an_owner(member)
    member.delete()
