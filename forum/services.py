"""Writes to forums that carry a rule."""

from __future__ import annotations

from django.db import transaction

from .models import Forum, TeamMember


@transaction.atomic
def forum_create(*, created_by, **fields) -> Forum:
    """Create a forum; whoever creates it becomes its first owner."""
    forum = Forum.objects.create(**fields)
    if created_by is not None and created_by.is_authenticated:
        TeamMember.objects.create(forum=forum, user=created_by, role=TeamMember.Role.OWNER)
    return forum
