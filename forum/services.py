"""Writes to forums, people and organizations that carry a rule (who may is asked of forum.permissions)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import permissions
from .errors import DomainError, PermissionDenied
from .models import Forum, Organization, OrganizationMember, Person, TeamMember

PUBLIC_STATUSES = (Forum.Status.PUBLISHED, Forum.Status.ARCHIVED)


SPEAKS_FOR_FIELDS = ("organizer", "organizing_department", "patron")


def forum_change_refusal(*, user, original: Forum | None, changed: Forum) -> str | None:
    """Why this change may not be saved, or None. Making a forum public, or changing in whose name a
    public forum speaks, needs its team to have been granted those organizations."""
    if changed.status not in PUBLIC_STATUSES:
        return None
    if original is not None and original.status in PUBLIC_STATUSES and all(
        getattr(original, f"{name}_id") == getattr(changed, f"{name}_id") for name in SPEAKS_FOR_FIELDS
    ):
        return None
    return permissions.forum_publish_refusal(user, changed)


def _change_check(*, user, original: Forum | None, changed: Forum) -> None:
    if refusal := forum_change_refusal(user=user, original=original, changed=changed):
        raise DomainError(refusal, field="status", code="organization_not_granted")


@transaction.atomic
def forum_create(*, created_by, forum: Forum | None = None, **fields) -> Forum:
    """Create a forum (from `fields`, or the unsaved `forum` an admin form built); whoever creates it
    becomes its first owner (None: nobody, as when a superuser makes one in the admin). It is public
    only under organizations its team has been granted."""
    if forum is None:
        forum = Forum(**fields)
    if created_by is not None:  # None: a superuser in the admin, whose form checked the rule already
        _change_check(user=created_by, original=None, changed=forum)
    forum.save(force_insert=True)
    if created_by is not None and created_by.is_authenticated:
        TeamMember.objects.create(forum=forum, user=created_by, role=TeamMember.Role.OWNER)
    return forum


@transaction.atomic
def forum_update(*, forum: Forum, user, **changes) -> Forum:
    original = Forum.objects.get(pk=forum.pk)
    for name, value in changes.items():
        setattr(forum, name, value)
    _change_check(user=user, original=original, changed=forum)
    forum.save()
    return forum


# ---- people -------------------------------------------------------------------------------------

PERSON_FIELDS = {
    "honorific", "academic_title", "full_name_ar", "full_name_en", "position_ar", "position_en", "organization",
    "email", "phone", "bio_ar", "bio_en", "preferred_language", "user", "photo",
}


def _email_taken(email: str, *, exclude_pk=None) -> bool:
    qs = Person.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return bool(email) and qs.exists()


def _email_taken_error() -> DomainError:
    return DomainError(
        _("Another person already has this e-mail. Find them by this e-mail instead of adding them again."),
        field="email", code="email_taken",
    )


def _save_person(person: Person, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            person.save(update_fields=fields)
    except IntegrityError:
        raise _email_taken_error() from None


@transaction.atomic
def person_create(*, user, forum: Forum | None = None, **fields) -> Person:
    """A new directory entry, created by the team of `forum` (which the user must edit).

    Without a forum, the user's only editable forum is taken; someone with several says which.
    """
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    if forum is None and not user.is_superuser:
        mine = list(permissions.editable_forums(user)[:2])
        if len(mine) != 1:
            raise DomainError(
                _("Say for which of your forums you add this person."), field="forum", code="forum_required"
            )
        forum = mine[0]
    if forum is not None and not permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers of this forum may add people for it."), field="forum")
    if _email_taken(fields.get("email", ""), exclude_pk=None):
        raise _email_taken_error()
    person = Person(created_by_forum=forum, **fields)
    _save_person(person)
    return person


@transaction.atomic
def person_update(*, user, person: Person, **changes) -> Person:
    """An organizer changes a directory entry; forum.permissions says whether they may."""
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not permissions.can_edit_person(user, person):
        raise PermissionDenied(
            _("This person takes part in a forum of another team; only they, or a team that may edit all "
              "their forums, may change their record.")
        )
    new_email = changes.get("email", person.email)
    if (new_email or "").strip().lower() != (person.email or "").strip().lower():
        if refusal := permissions.person_email_refusal(user, person):
            raise PermissionDenied(refusal, field="email", code="email_not_yours")
        if _email_taken(new_email, exclude_pk=person.pk):
            raise _email_taken_error()
    if "user" in changes and changes["user"] != person.user and not user.is_superuser:
        raise PermissionDenied(_("Only a superuser links a person to a user account."), field="user")
    for name, value in changes.items():
        setattr(person, name, value)
    _save_person(person, list(changes) or None)
    if "email" in changes and person.user_id is not None and person.user.email != person.email:
        person.user.email = person.email
        person.user.save(update_fields=["email"])
    return person


# ---- organizations ------------------------------------------------------------------------------


@transaction.atomic
def organization_update(*, user, organization: Organization, **changes) -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not permissions.can_edit_organization(user, organization):
        raise PermissionDenied(
            _("Forums of other teams speak in this organization's name; only those who may edit all of them "
              "may change it.")
        )
    for name, value in changes.items():
        setattr(organization, name, value)
    organization.save()
    return organization


@transaction.atomic
def organization_member_grant(*, organization: Organization, user, granted_by) -> OrganizationMember:
    if not permissions.can_grant_organization(granted_by, organization):
        raise PermissionDenied(_("Only a superuser or a member of this organization may add members."))
    member, _created = OrganizationMember.objects.get_or_create(
        organization=organization, user=user, defaults={"granted_by": granted_by}
    )
    return member


@transaction.atomic
def organization_member_revoke(*, member: OrganizationMember, revoked_by) -> None:
    if not permissions.can_grant_organization(revoked_by, member.organization):
        raise PermissionDenied(_("Only a superuser or a member of this organization may remove members."))
    member.delete()


# ---- the team --------------------------------------------------------------------------------------


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


@transaction.atomic
def forum_open_after_last_day_set(*, forum: Forum, open_after_last_day: bool) -> Forum:
    """Reopen (or close again) registration and invitations of a forum whose last day is over."""
    Forum.objects.filter(pk=forum.pk).update(open_after_last_day=open_after_last_day)
    forum.open_after_last_day = open_after_last_day
    return forum
