"""Where a person takes part in forums, as the apps that link people to forums declare it.

The core knows forums and people; the apps (sessions, speakers, registration…) link people to
forums in their own tables. Each app declares its links here from its AppConfig.ready(), so the
rules in forum/permissions.py can ask "in which forums does this person take part, and was it by
their own act?" without the core importing any app.

A link is a model, the path from it to the person, the path to the forum, and, when some of its
rows are the person's own act (an accepted invitation, a registration, an uploaded paper), the
condition that picks those rows. Placing someone in a session is the organizers' act, not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q


@dataclass(frozen=True)
class Link:
    model: type[models.Model]
    person: str  # the path from the model to the Person ("person", "presenter", "speakers")
    forum: str  # the path from the model to its Forum ("forum", "session__forum")
    public: bool = False  # does it show the person on the forum's public pages?
    own_act: Q | None = None  # the rows that are the person's own act; None: none are


_links: dict[tuple[str, str], Link] = {}


def person_link_register(
    *, model: type[models.Model], person_field: str, forum_path: str, public: bool, own_act: Q | None = None
) -> None:
    """Declare that rows of `model` link a person (`person_field`, a path) to a forum (`forum_path`)."""
    _links[(model._meta.label, person_field)] = Link(model, person_field, forum_path, public, own_act)


def links() -> list[Link]:
    from .models import Forum

    return [Link(Forum, "patron", "pk", public=True), *_links.values()]


person_links = links


def _exists(link: Link, forums, *, own_only: bool) -> Exists:
    rows = link.model._default_manager.filter(**{link.person: OuterRef("pk")})
    if forums is not None:
        rows = rows.filter(**{f"{link.forum}__in": forums})
    if own_only:
        rows = rows.filter(link.own_act)
    return Exists(rows)


def linked_q(forums=None, *, public_only: bool = False) -> Q:
    """People linked to these forums (a queryset of forum ids; None: to any forum); with
    `public_only`, only by the links that show them on the forums' public pages."""
    q = Q(pk__in=[])
    for link in links():
        if link.public or not public_only:
            q |= Q(_exists(link, forums, own_only=False))
    return q


def own_act_q(forums) -> Q:
    """People who took part in these forums by their own act."""
    q = Q(pk__in=[])
    for link in links():
        if link.own_act is not None:
            q |= Q(_exists(link, forums, own_only=True))
    return q


def forum_ids_of(person) -> set[int]:
    """Every forum the person is linked to, whoever linked them."""
    ids: set[int] = set()
    for link in links():
        rows = link.model._default_manager.filter(**{link.person: person.pk})
        ids.update(v for v in rows.values_list(link.forum, flat=True) if v is not None)
    return ids


# Organizations are used by forums the same way: the core's own links (organizer, department,
# the patron's body, sponsors) and those the apps declare (an honored body…).
_organization_links: list[tuple[type[models.Model], str, str]] = []


def register_organization(model: type[models.Model], *, organization: str, forum: str) -> None:
    entry = (model, organization, forum)
    if entry not in _organization_links:
        _organization_links.append(entry)


def organization_forum_ids(organization) -> set[int]:
    from .models import Forum, Sponsorship

    entries = [
        (Forum, "organizer", "pk"), (Forum, "organizing_department", "pk"), (Forum, "patron__organization", "pk"),
        (Sponsorship, "organization", "forum"), *_organization_links,
    ]
    ids: set[int] = set()
    for model, org_path, forum_path in entries:
        rows = model._default_manager.filter(**{org_path: organization.pk})
        ids.update(v for v in rows.values_list(forum_path, flat=True) if v is not None)
    return ids
