"""Reads of forums and the people around them, shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, Model, OuterRef, Q, QuerySet, Value

from . import permissions
from .models import Forum, Organization, Person

PUBLIC_STATUSES = [Forum.Status.PUBLISHED, Forum.Status.ARCHIVED]


@dataclass(frozen=True)
class PersonLink:
    """One way a person takes part in a forum (a session role, a working paper, an invitation…), declared by
    the app that owns the model in its AppConfig.ready(): the core reads the people of a forum without
    importing the apps above it."""

    model: type[Model]
    person_field: str  # the model's field naming the Person ("person", "presenter", "speakers")
    forum_path: str  # the path from the model to its Forum ("forum", "session__forum")
    public: bool  # does it show the person on the forum's public pages?


_person_links: dict[tuple[str, str], PersonLink] = {}


def person_link_register(*, model: type[Model], person_field: str, forum_path: str, public: bool) -> None:
    _person_links[(model._meta.label, person_field)] = PersonLink(model, person_field, forum_path, public)


def person_links() -> list[PersonLink]:
    return list(_person_links.values())


def forums_visible(*, user) -> QuerySet[Forum]:
    return permissions.visible_forums(user).select_related(
        "organizer", "organizing_department", "patron__organization"
    )


def people_public() -> QuerySet[Person]:
    """People who appear in a public forum: patrons, session participants, presenters, paper speakers.

    Everyone else (attendees, invitees who have not been placed) stays private.
    """
    public = Q(patronized_forums__status__in=PUBLIC_STATUSES)
    for link in person_links():
        if link.public:
            public |= Exists(link.model.objects.filter(
                **{link.person_field: OuterRef("pk"), f"{link.forum_path}__status__in": PUBLIC_STATUSES}))
    return Person.objects.filter(public).distinct()


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
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs.annotate(contact_visible=Value(True))
    if user is None or not user.is_authenticated:
        return qs.annotate(contact_visible=Value(False))
    mine = permissions.editable_forums(user).values("pk")
    in_mine = Q(Exists(Forum.objects.filter(patron=OuterRef("pk"), pk__in=mine)))
    in_any = Q(Exists(Forum.objects.filter(patron=OuterRef("pk"))))
    for link in person_links():
        rows = link.model.objects.filter(**{link.person_field: OuterRef("pk")})
        in_mine |= Q(Exists(rows.filter(**{f"{link.forum_path}__in": mine})))
        in_any |= Q(Exists(rows))
    return qs.annotate(contact_visible=ExpressionWrapper(in_mine | ~in_any, output_field=BooleanField()))


def organizations_all() -> QuerySet[Organization]:
    return Organization.objects.select_related("parent")
