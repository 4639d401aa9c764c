"""Reads of forums and the people around them, shared by pages and the API."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

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
    return people_with_contact_flag(qs.select_related("organization"), user=user)


def people_with_contact_flag(qs: QuerySet[Person], *, user) -> QuerySet[Person]:
    """Annotate `contact_visible`: may this user see the person's e-mail and phone?

    Contact data belongs to the forums a person takes part in. Organizers see it
    for the people of the forums they edit, and for directory entries that are in
    no forum yet (which they are about to place); not for another forum's
    speakers, honorees and invitees, since anyone signed in may start a forum.
    """
    from sessions.models import Honoree, SessionItem, SessionRole
    from speakers.models import Invitation, WorkingPaper

    if user is not None and user.is_authenticated and user.is_superuser:
        return qs.annotate(contact_visible=Value(True))
    if user is None or not user.is_authenticated:
        return qs.annotate(contact_visible=Value(False))
    links = {
        SessionRole: "session__forum", SessionItem: "session__forum", Honoree: "forum", Invitation: "forum",
    }
    person_field = {SessionRole: "person", SessionItem: "presenter", Honoree: "person", Invitation: "person"}
    mine = permissions.editable_forums(user).values("pk")
    in_mine = Q(Exists(Forum.objects.filter(patron=OuterRef("pk"), pk__in=mine)))
    in_any = Q(Exists(Forum.objects.filter(patron=OuterRef("pk"))))
    in_mine |= Q(Exists(WorkingPaper.objects.filter(speakers=OuterRef("pk"), forum__in=mine)))
    in_any |= Q(Exists(WorkingPaper.objects.filter(speakers=OuterRef("pk"))))
    for model, forum_path in links.items():
        rows = model.objects.filter(**{person_field[model]: OuterRef("pk")})
        in_mine |= Q(Exists(rows.filter(**{f"{forum_path}__in": mine})))
        in_any |= Q(Exists(rows))
    return qs.annotate(contact_visible=ExpressionWrapper(in_mine | ~in_any, output_field=BooleanField()))


def organizations_all() -> QuerySet[Organization]:
    return Organization.objects.select_related("parent")
