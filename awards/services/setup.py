"""Setting up a programme: members, cycles, categories, criteria, documents, questions, tiers, judges."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions
from forum.errors import DomainError, PermissionDenied
from forum.models import Organization
from sessions.models import Session

from .. import permissions
from ..models import (
    Category,
    Criterion,
    Cycle,
    JudgeAssignment,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Tier,
)
from ._common import require_manager, require_owner


@transaction.atomic
def programme_create(*, user, owner: Organization, slug: str, name_ar: str, **fields) -> Programme:
    """Start a programme; whoever starts it becomes its first owner."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to start a programme."))
    if Programme.objects.filter(slug=slug).exists():
        raise DomainError(_("This address is taken; choose another."), field="slug", code="duplicate")
    programme = Programme(owner=owner, slug=slug, name_ar=name_ar, **fields)
    programme.full_clean(validate_constraints=False)
    programme.save()
    ProgrammeMember.objects.create(programme=programme, user=user, role=ProgrammeMember.Role.OWNER)
    return programme


@transaction.atomic
def member_add(*, programme: Programme, user, member, role: str) -> ProgrammeMember:
    """Owners add owners and staff; owners and staff add judges and assessors."""
    if role not in ProgrammeMember.Role.values:
        raise DomainError(_("Choose a role."), field="role", code="bad_role")
    if role in (ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF):
        require_owner(user, programme)
    else:
        require_manager(user, programme)
    row, _created = ProgrammeMember.objects.get_or_create(programme=programme, user=member, role=role)
    return row


@transaction.atomic
def cycle_create(*, programme: Programme, user, number: int, nominations_open, nominations_close, **fields) -> Cycle:
    require_manager(user, programme)
    if nominations_close <= nominations_open:
        raise DomainError(_("Nominations must close after they open."), field="nominations_close", code="order")
    if Cycle.objects.filter(programme=programme, number=number).exists():
        raise DomainError(_("This programme already has a cycle with this number."), field="number", code="duplicate")
    _check_ceremony(fields.get("forum"), fields.get("ceremony_session"), user=user, linking=True)
    return Cycle.objects.create(
        programme=programme, number=number, nominations_open=nominations_open,
        nominations_close=nominations_close, **fields,
    )


def _check_ceremony(forum, session: Session | None, *, user=None, linking: bool = False) -> None:
    # Publishing places honorees and issues certificates on the ceremony forum: only its organizers may
    # link a cycle to it (a programme of another body cannot write into their agenda).
    if linking and forum is not None and not forum_permissions.can_edit_forum(user, forum):
        raise DomainError(_("Only the organizers of a forum may hold a cycle's ceremony there."),
                          field="forum", code="not_forum_organizer")
    if session is not None and (forum is None or session.forum_id != forum.pk):
        raise DomainError(_("The ceremony session must belong to the ceremony forum."),
                          field="ceremony_session", code="other_forum")


@transaction.atomic
def cycle_update(*, cycle: Cycle, user, **changes) -> Cycle:
    require_manager(user, cycle.programme)
    allowed = {
        "year_label", "is_public", "nominations_open", "nominations_close", "screening_ends", "judging_ends",
        "visits_end", "results_date", "ceremony_date", "forum", "ceremony_session", "chair", "illustrative_note",
    }
    if set(changes) - allowed:
        raise TypeError(f"unknown cycle fields: {sorted(set(changes) - allowed)}")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    forum_before = cycle.forum_id
    for key, value in changes.items():
        setattr(cycle, key, value)
    if cycle.nominations_close <= cycle.nominations_open:
        raise DomainError(_("Nominations must close after they open."), field="nominations_close", code="order")
    _check_ceremony(cycle.forum, cycle.ceremony_session, user=user, linking=cycle.forum_id != forum_before)
    if "chair" in changes and cycle.chair is not None and not (
        ProgrammeMember.objects.filter(programme=cycle.programme_id, user=cycle.chair,
                                       role=ProgrammeMember.Role.JUDGE).exists()
    ):
        raise DomainError(_("The chair must be one of the programme's judges."), field="chair", code="not_judge")
    cycle.save()
    return cycle


@transaction.atomic
def category_create(*, cycle: Cycle, user, name_ar: str, kind: str, **fields) -> Category:
    require_manager(user, cycle.programme)
    if kind not in Category.Kind.values:
        raise DomainError(_("Choose institutional or individual."), field="kind", code="bad_kind")
    if Category.objects.filter(cycle=cycle, name_ar=name_ar).exists():
        raise DomainError(_("This cycle already has a category with this name."), field="name_ar", code="duplicate")
    return Category.objects.create(cycle=cycle, name_ar=name_ar, kind=kind, **fields)


def _decimal(value, *, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=field, code="not_a_number")


@transaction.atomic
def criterion_create(
    *, category: Category, user, name_ar: str, weight=1, max_score: int = 10, parent: Criterion | None = None,
    **fields,
) -> Criterion:
    """A weighted criterion, or a sub-criterion (with `parent`) whose points add up to the criterion's."""
    require_manager(user, category.cycle.programme)
    weight = _decimal(weight, field="weight")
    if weight <= 0:
        raise DomainError(_("The weight must be more than zero."), field="weight", code="range")
    if int(max_score) < 1:
        raise DomainError(_("The maximum score must be at least 1."), field="max_score", code="range")
    if parent is not None and (parent.category_id != category.pk or parent.parent_id is not None):
        raise DomainError(_("A sub-criterion belongs under a criterion of the same category."),
                          field="parent", code="bad_parent")
    if Criterion.objects.filter(category=category, parent=parent, name_ar=name_ar).exists():
        raise DomainError(_("A criterion with this name exists."), field="name_ar", code="duplicate")
    if category.results.exists() or category.nominations.filter(score_sheets__isnull=False).exists():
        raise DomainError(_("Judging has started; the criteria can no longer change."), code="judging_started")
    return Criterion.objects.create(
        category=category, parent=parent, name_ar=name_ar, weight=weight, max_score=max_score, **fields
    )


@transaction.atomic
def criteria_copy(*, source: Category, target: Category, user) -> list[Criterion]:
    """Copy a category's criteria and sub-criteria (from a previous cycle or a sibling) into an empty category."""
    require_manager(user, target.cycle.programme)
    if not permissions.can_manage(user, source.cycle.programme_id):
        raise PermissionDenied(_("You cannot read the criteria of that category."))
    if target.criteria.exists():
        raise DomainError(_("This category already has criteria; copy only into an empty one."),
                          field="target", code="not_empty")
    copied, fields = [], ("name_ar", "name_en", "description_ar", "description_en", "weight", "max_score", "order")
    for top in source.criteria.filter(parent=None).prefetch_related("children"):
        new_top = Criterion.objects.create(category=target, **{f: getattr(top, f) for f in fields})
        copied.append(new_top)
        for child in top.children.all():
            copied.append(Criterion.objects.create(
                category=target, parent=new_top, **{f: getattr(child, f) for f in fields}
            ))
    return copied


@transaction.atomic
def document_create(*, category: Category, user, name_ar: str, **fields) -> RequiredDocument:
    require_manager(user, category.cycle.programme)
    if RequiredDocument.objects.filter(category=category, name_ar=name_ar).exists():
        raise DomainError(_("This document is already listed."), field="name_ar", code="duplicate")
    return RequiredDocument.objects.create(category=category, name_ar=name_ar, **fields)


@transaction.atomic
def question_create(*, category: Category, user, label_ar: str, **fields) -> Question:
    require_manager(user, category.cycle.programme)
    return Question.objects.create(category=category, label_ar=label_ar, **fields)


@transaction.atomic
def tier_create(*, cycle: Cycle, user, name_ar: str, min_score, **fields) -> Tier:
    """A tier of an assessment: entries scoring at least `min_score` (out of 100)."""
    require_manager(user, cycle.programme)
    min_score = _decimal(min_score, field="min_score")
    if not 0 <= min_score <= 100:
        raise DomainError(_("The threshold must be between 0 and 100."), field="min_score", code="range")
    if Tier.objects.filter(cycle=cycle, min_score=min_score).exists():
        raise DomainError(_("Another tier starts at this score."), field="min_score", code="duplicate")
    if Tier.objects.filter(cycle=cycle, name_ar=name_ar).exists():
        raise DomainError(_("A tier with this name exists."), field="name_ar", code="duplicate")
    return Tier.objects.create(cycle=cycle, name_ar=name_ar, min_score=min_score, **fields)


@transaction.atomic
def judge_assign(*, category: Category, user, judge) -> JudgeAssignment:
    """Put a judge on a category's committee (they become a judge of the programme if not yet)."""
    programme = category.cycle.programme
    require_manager(user, programme)
    ProgrammeMember.objects.get_or_create(programme=programme, user=judge, role=ProgrammeMember.Role.JUDGE)
    if JudgeAssignment.objects.filter(category=category, judge=judge).exists():
        raise DomainError(_("This judge is already on this category."), field="judge", code="duplicate")
    return JudgeAssignment.objects.create(category=category, judge=judge)
