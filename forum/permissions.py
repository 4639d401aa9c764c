"""Who may do what with a forum: one place, used by the admin, the API and the pages.

A superuser may do everything. Otherwise the user's TeamMember role in the
forum decides: owners and editors change the forum, check-in staff admit
badges, viewers read drafts and reports. Everyone else sees only what is
published.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import participation
from .models import Forum, Organization, OrganizationMember, Person, TeamMember

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


def can_correct_invoices(user, forum) -> bool:
    """Correct an invoice of the forum (a credit note without a refund, a replacement invoice): owners and
    editors; viewers and check-in staff never issue tax documents."""
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


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_read_outbox(user, forum) -> bool:
    """E-mails carry addresses and personal links: owners and editors."""
    return _has(user, forum, EDIT_ROLES)


def is_directory_editor(user) -> bool:
    """Owners and editors of any forum maintain their part of the shared directory of people and bodies."""
    return _signed_in(user) and (user.is_superuser or editable_forums(user).exists())


# ---- people shared between forums -----------------------------------------------------------
#
# A person's record serves every forum they take part in, and their e-mail is how they sign in.
# So linking someone into your own forum gives you no right over their record:
# - contact data (e-mail, phone) shows to a forum's owners and editors only where the person took
#   part in that forum by their own act (accepted invitation, registration, upload) or was created
#   by that team;
# - the directory lists, to a team, the people of its own forums, the entries it created and those
#   already public; nothing else;
# - the record is changed by the person themself (from their profile; the e-mail after a
#   confirmation link), or by a team that may edit every forum the person takes part in; the
#   e-mail only by the team that created the entry, while the person is in no other team's forum.


def people_of_team_q(user) -> Q:
    """People the user's team may list: the people of their forums and the entries they created."""
    mine = editable_forums(user).values("pk")
    return Q(created_by_forum__in=mine) | participation.linked_q(mine)


def contact_visible_q(user) -> Q:
    mine = editable_forums(user).values("pk")
    return Q(user=user) | Q(created_by_forum__in=mine) | participation.own_act_q(mine)


def people_with_contact_flag(qs: QuerySet[Person], *, user) -> QuerySet[Person]:
    """Annotate `contact_visible`: may this user see the person's e-mail and phone?"""
    if _signed_in(user) and user.is_superuser:
        return qs.annotate(contact_visible=Value(True, output_field=BooleanField()))
    if not _signed_in(user):
        return qs.annotate(contact_visible=Value(False, output_field=BooleanField()))
    return qs.annotate(contact_visible=ExpressionWrapper(contact_visible_q(user), output_field=BooleanField()))


def can_see_contact(user, person: Person) -> bool:
    if not _signed_in(user):
        return False
    if user.is_superuser or (person.user_id is not None and person.user_id == user.pk):
        return True
    return Person.objects.filter(pk=person.pk).filter(contact_visible_q(user)).exists()


def contact_visible_ids(user, person_ids) -> set[int]:
    """Of these people, those whose contact data the user may see (one query)."""
    ids = set(person_ids)
    if not _signed_in(user) or not ids:
        return set()
    if user.is_superuser:
        return ids
    return set(Person.objects.filter(pk__in=ids).filter(contact_visible_q(user)).values_list("pk", flat=True))


def _forums_all_editable(user, forum_ids: set[int]) -> bool:
    if not forum_ids:
        return True
    return editable_forums(user).filter(pk__in=forum_ids).count() == len(forum_ids)


def _created_by_my_team(user, person: Person) -> bool:
    return person.created_by_forum_id is not None and can_edit_forum(user, person.created_by_forum_id)


def can_edit_person(user, person: Person) -> bool:
    """Change the record (names, titles, position, photo): the person themself, the team that
    created the entry, or a team that may edit every forum the person is in. Linking someone
    into your own forum alone gives no right over their record."""
    if not _signed_in(user):
        return False
    if user.is_superuser or (person.user_id is not None and person.user_id == user.pk):
        return True
    if _created_by_my_team(user, person):
        return True
    forums = participation.forum_ids_of(person)
    return bool(forums) and _forums_all_editable(user, forums)


def person_email_refusal(user, person: Person) -> str | None:
    """Why this user may not set this person's e-mail directly, or None when they may."""
    if _signed_in(user) and user.is_superuser:
        return None
    if person.user_id is not None and _signed_in(user) and person.user_id == user.pk:
        return _("Change your own e-mail from your profile: a confirmation link goes to the new address.")
    if not _created_by_my_team(user, person):
        return _(
            "Only the person themself (from their profile) or the team that created this entry may change "
            "this e-mail: it is how they sign in."
        )
    if not _forums_all_editable(user, participation.forum_ids_of(person)):
        return _(
            "This person takes part in a forum of another team, so only they may change their e-mail, "
            "from their profile."
        )
    return None


# ---- organizations ------------------------------------------------------------------------------


def organization_forum_ids(organization: Organization) -> set[int]:
    """The forums that speak in the organization's name or list it (see forum.participation)."""
    return participation.organization_forum_ids(organization)


def is_organization_member(user, organization: Organization | int) -> bool:
    if not _signed_in(user):
        return False
    org_id = organization if isinstance(organization, int) else organization.pk
    return OrganizationMember.objects.filter(organization_id=org_id, user=user).exists()


def can_edit_organization(user, organization: Organization) -> bool:
    """Used by forums: only those who may edit every one of them. Unused: its members, or any
    directory editor while it has none."""
    if not is_directory_editor(user):
        return False
    if user.is_superuser:
        return True
    forums = organization_forum_ids(organization)
    if forums:
        return _forums_all_editable(user, forums)
    return is_organization_member(user, organization) or not organization.members.exists()


def can_grant_organization(user, organization: Organization) -> bool:
    """Membership is granted by a superuser or by an existing member."""
    return _signed_in(user) and (user.is_superuser or is_organization_member(user, organization))


def forum_speaks_for(forum: Forum) -> list[Organization]:
    """The organizations a forum speaks in the name of: organizer, organizing department, the patron's body."""
    orgs = [forum.organizer, forum.organizing_department]
    if forum.patron_id is not None and forum.patron.organization_id is not None:
        orgs.append(forum.patron.organization)
    seen: dict[int, Organization] = {}
    for org in orgs:
        if org is not None and org.pk not in seen:
            seen[org.pk] = org
    return list(seen.values())


def forum_publish_refusal(user, forum: Forum) -> str | None:
    """Why this forum cannot be public under its organizations, or None.

    A forum speaks in its organizations' names, so a self-served forum is published only under
    bodies its team (its owners and editors) has been granted. Superusers publish anything.
    """
    if _signed_in(user) and user.is_superuser:
        return None
    team = TeamMember.objects.filter(role__in=list(EDIT_ROLES))
    team = team.filter(forum=forum) if forum.pk else team.none()
    team_users = set(team.values_list("user_id", flat=True))
    if _signed_in(user):
        team_users.add(user.pk)
    missing = [
        org for org in forum_speaks_for(forum)
        if not OrganizationMember.objects.filter(organization=org, user_id__in=team_users).exists()
    ]
    if not missing:
        return None
    return _(
        "This forum stays a draft: its team has not been granted %(names)s, in whose name it would speak. "
        "A superuser or a member of that organization can add you to its members."
    ) % {"names": ", ".join(f"«{org.name}»" for org in missing)}


def forum_for_page(user, slug: str, *, check: Callable | None = None, refuse: type[Exception] = Http404,
                   queryset: QuerySet[Forum] | None = None) -> Forum:
    """The forum a team page names in its URL, when `check` (by default: any team member) admits the user.

    Everyone else gets `refuse`: 404 by default, so drafts stay private; pages of forums that are public
    anyway may say 403 (PermissionDenied). The one guard of the organizers' pages in every app."""
    forum = get_object_or_404(queryset if queryset is not None else Forum.objects.all(), slug=slug)
    if not (check or can_view_drafts)(user, forum):
        raise refuse
    return forum


def can_send_messages(user, forum) -> bool:
    """Messages to attendees (announcements): owners and editors."""
    return _has(user, forum, EDIT_ROLES)


def can_view_results(user, forum) -> bool:
    """Survey results and scores: every team member, viewers included."""
    return _has(user, forum, TEAM_ROLES)
