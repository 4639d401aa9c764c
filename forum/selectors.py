"""Reads of forums and the people around them, shared by pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from . import participation, permissions
from .models import Forum, Organization, Person
from .participation import person_link_register, person_links  # noqa: F401 - the apps declare their links here

PUBLIC_STATUSES = [Forum.Status.PUBLISHED, Forum.Status.ARCHIVED]


def forums_visible(*, user) -> QuerySet[Forum]:
    return permissions.visible_forums(user).select_related(
        "organizer", "organizing_department", "patron__organization"
    )


def people_public() -> QuerySet[Person]:
    """People who appear in a public forum: patrons, session participants, presenters, paper speakers.

    Everyone else (attendees, invitees who have not been placed) stays private. The links are
    those the apps declare in forum.participation.
    """
    return Person.objects.filter(_public_q())


def _public_q():
    return participation.linked_q(Forum.objects.filter(status__in=PUBLIC_STATUSES).values("pk"), public_only=True)


def people_visible(*, user) -> QuerySet[Person]:
    """The directory as this user may read it: the public people, plus, for a forum's owners and
    editors, the people of their forums and the entries their team created. Superusers: everyone."""
    if user is not None and user.is_authenticated and user.is_superuser:
        qs = Person.objects.all()
    elif permissions.is_directory_editor(user):
        qs = Person.objects.filter(_public_q() | permissions.people_of_team_q(user))
    else:
        qs = people_public()
    return people_with_contact_flag(qs.select_related("organization"), user=user)


people_with_contact_flag = permissions.people_with_contact_flag


def person_find_by_email(*, email: str) -> Person | None:
    """An existing entry with exactly this e-mail (case aside), to invite instead of duplicating."""
    email = (email or "").strip()
    if not email:
        return None
    return Person.objects.filter(email__iexact=email).only("pk").first()


def organizations_all() -> QuerySet[Organization]:
    return Organization.objects.select_related("parent")
