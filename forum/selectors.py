"""Reads of forums and the people around them, shared by pages and the API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from . import permissions
from .models import Forum, Organization, Person

PUBLIC_STATUSES = [Forum.Status.PUBLISHED, Forum.Status.ARCHIVED]


def forums_visible(*, user) -> QuerySet[Forum]:
    return permissions.visible_forums(user).select_related(
        "organizer", "organizing_department", "patron__organization"
    )


def people_public() -> QuerySet[Person]:
    """People who appear in a public forum: patrons, session participants, presenters, paper speakers.

    Everyone else (attendees, invitees who have not been placed) stays private.
    """
    from sessions.models import SessionItem, SessionRole

    return Person.objects.filter(
        Q(patronized_forums__status__in=PUBLIC_STATUSES)
        | Exists(SessionRole.objects.filter(person=OuterRef("pk"), session__forum__status__in=PUBLIC_STATUSES))
        | Exists(SessionItem.objects.filter(presenter=OuterRef("pk"), session__forum__status__in=PUBLIC_STATUSES))
        | Q(papers__forum__status__in=PUBLIC_STATUSES)
    ).distinct()


def people_visible(*, user) -> QuerySet[Person]:
    if user is not None and user.is_authenticated and (
        user.is_superuser or permissions.editable_forums(user).exists()
    ):
        qs = Person.objects.all()
    else:
        qs = people_public()
    return qs.select_related("organization")


def organizations_all() -> QuerySet[Organization]:
    return Organization.objects.select_related("parent")
