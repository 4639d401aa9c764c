"""Writes of the public side: a signed-in attendee's stars."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum
from sessions.models import Session, StarredSession


@transaction.atomic
def session_star(*, user, forum: Forum, session_id: int) -> StarredSession:
    """Put a session of this forum on the user's agenda. Starring twice keeps one star."""
    session = Session.objects.filter(forum=forum, pk=session_id).first()
    if session is None:
        raise DomainError(_("There is no such session in this forum."), field="session_id", code="unknown_session")
    existing = StarredSession.objects.filter(user=user, session=session).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StarredSession.objects.create(user=user, session=session)
    except IntegrityError:  # the same star sent twice at once
        return StarredSession.objects.get(user=user, session=session)


@transaction.atomic
def session_unstar(*, user, forum: Forum, session_id: int) -> None:
    """Take a session off the user's agenda (nothing happens when it was not there)."""
    StarredSession.objects.filter(user=user, session__forum=forum, session_id=session_id).delete()
