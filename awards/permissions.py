"""Who may do what in an award or assessment programme: one place, used by services, pages, API and admin.

The core (forum/permissions.py) must not know awards, so the awards' rules live
here, written the same way. Roles are per programme (ProgrammeMember):

- programme owner: everything in the programme, including publishing results;
- award staff: set up cycles, categories and criteria, screen nominations,
  assign judges, schedule visits, read reports;
- judge: sees and scores only the entries of the categories assigned to them,
  never one they are conflicted with (declared, or their own organization);
- assessor: sees and reports only the visits they are on;
- the committee chair (Cycle.chair, a judge): finalizes results and approves them with the
  committee members (role committee), who each record their approval;
- applicant: sees only their own nominations.

Superusers may do anything. Everyone else reads only public cycle pages and
published results.
"""

from __future__ import annotations

from django.db.models import Q

from forum.models import Organization

from .models import Conflict, Cycle, JudgeAssignment, Nomination, Programme, ProgrammeMember

Role = ProgrammeMember.Role
JUDGEABLE = (Nomination.Status.ELIGIBLE, Nomination.Status.SHORTLISTED)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def programme_roles(user, programme: Programme | int) -> frozenset[str]:
    """The user's roles in the programme, cached on the user object for the request."""
    if not _active(user):
        return frozenset()
    programme_id = programme if isinstance(programme, int) else programme.pk
    cache = getattr(user, "_award_roles", None)
    if cache is None:
        cache = {}
        for pid, role in ProgrammeMember.objects.filter(user=user).values_list("programme_id", "role"):
            cache.setdefault(pid, set()).add(role)
        user._award_roles = cache
    return frozenset(cache.get(programme_id, ()))


def _has(user, programme, roles) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or bool(programme_roles(user, programme) & set(roles))


def is_owner(user, programme) -> bool:
    return _has(user, programme, {Role.OWNER})


def can_manage(user, programme) -> bool:
    """Owners and award staff: set-up, screening, assignments, visits, reports."""
    return _has(user, programme, {Role.OWNER, Role.STAFF})


def can_view_workspace(user, programme) -> bool:
    """Anyone with a role in the programme sees its workspace (each only their part of it)."""
    return _has(user, programme, set(Role.values))


def manages_any_programme(user) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or ProgrammeMember.objects.filter(user=user, role__in=[Role.OWNER, Role.STAFF]).exists()


def is_chair(user, cycle: Cycle) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or (cycle.chair_id is not None and cycle.chair_id == user.pk)


def is_committee_member(user, cycle: Cycle) -> bool:
    """The cycle's chair and the programme's committee members: they approve the results."""
    if not _active(user):
        return False
    return is_chair(user, cycle) or Role.COMMITTEE in programme_roles(user, cycle.programme_id)


def owner_organizations_q(user) -> Q:
    """Organizations for which the user may run a programme: those they speak for (a member of the
    organization, as forums require to publish in its name) and those whose programmes they own."""
    return Q(members__user=user) | Q(award_programmes__members__user=user,
                                      award_programmes__members__role=Role.OWNER)


def can_own_for(user, organization) -> bool:
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return Organization.objects.filter(owner_organizations_q(user), pk=organization.pk).exists()


def can_start_programme(user) -> bool:
    """Whoever speaks for an organization (or owns a programme of one) may start a programme for it."""
    if not _active(user):
        return False
    return user.is_superuser or Organization.objects.filter(owner_organizations_q(user)).exists()


def can_open_setup(user) -> bool:
    """The set-up pages: those who own or staff a programme, or may start one."""
    return manages_any_programme(user) or can_start_programme(user)


def can_publish(user, cycle: Cycle) -> bool:
    return is_owner(user, cycle.programme_id)


def can_view_results(user, cycle: Cycle) -> bool:
    """Published results: everyone (on a public cycle). Before: staff, owners and the chair."""
    if cycle.is_published and cycle.is_public:
        return True
    return can_manage(user, cycle.programme_id) or is_committee_member(user, cycle)


def can_view_cycle_page(user, cycle: Cycle) -> bool:
    return cycle.is_public or can_view_workspace(user, cycle.programme_id)


def judged_category_ids(user, cycle: Cycle | int) -> set[int]:
    if not _active(user):
        return set()
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    return set(
        JudgeAssignment.objects.filter(judge=user, category__cycle_id=cycle_id).values_list("category_id", flat=True)
    )


def judge_organization_id(user) -> int | None:
    person = getattr(user, "person", None) if _active(user) else None
    return person.organization_id if person is not None else None


def conflicted_ids(user, nominations) -> set[int]:
    """Entries the judge may not see: a declared conflict, or the judge's own organization
    (the nominated body, or the nominated person's organization)."""
    ids = [n.pk for n in nominations]
    declared = set(Conflict.objects.filter(judge=user, nomination_id__in=ids).values_list("nomination_id", flat=True))
    org = judge_organization_id(user)
    if org is not None:
        for n in nominations:
            nominee_org = n.nominee_organization_id or (
                n.nominee_person.organization_id if n.nominee_person_id else None
            )
            if nominee_org == org:
                declared.add(n.pk)
    return declared


def judge_nominations_filter(user, cycle: Cycle) -> Q:
    """Entries of the judge's categories that have passed screening (conflicts removed by the caller)."""
    return Q(cycle=cycle, category__judges__judge=user, status__in=JUDGEABLE)


def judge_may_score(user, nomination: Nomination) -> tuple[bool, str]:
    """(allowed, why not): assigned to the category, entry judgeable, no conflict."""
    if not _active(user):
        return False, "unassigned"
    if not JudgeAssignment.objects.filter(judge=user, category_id=nomination.category_id).exists():
        return False, "unassigned"
    if nomination.status not in JUDGEABLE:
        return False, "not_judgeable"
    if nomination.pk in conflicted_ids(user, [nomination]):
        return False, "conflict"
    return True, ""


def is_applicant(user, nomination: Nomination) -> bool:
    person = getattr(user, "person", None) if _active(user) else None
    return person is not None and nomination.applicant_id == person.pk


def can_read_nomination(user, nomination: Nomination) -> bool:
    """The applicant, the programme's staff, and a judge who may score it."""
    if is_applicant(user, nomination) or can_manage(user, nomination.cycle.programme_id):
        return True
    return judge_may_score(user, nomination)[0]


def is_visit_assessor(user, visit) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or visit.assessors.filter(pk=user.pk).exists()
