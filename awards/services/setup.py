"""Setting up a programme: members, cycles, categories, criteria, documents, questions, tiers, judges.

Owners change the programme itself and who owns or staffs it; owners and award
staff set up cycles, categories, criteria, tiers and the judges, assessors and
committee. Every refusal names the field it is about.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions
from forum.errors import DomainError, PermissionDenied
from forum.models import Organization, Person
from sessions.models import Session
from speakers.services import portal_user_for_person

from .. import permissions
from ..models import (
    Category,
    Criterion,
    Cycle,
    JudgeAssignment,
    Nomination,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Tier,
)
from ._common import require_manager, require_owner, send_bilingual, site_url

RESERVED_SLUGS = {"new"}  # /awards/setup/new/ is the page that starts a programme
PROGRAMME_FIELDS = {
    "kind", "name_ar", "name_en", "owner", "description_ar", "description_en", "rules_ar", "rules_en",
    "blind_judging", "aggregation", "trim", "divergence_threshold",
}
CATEGORY_FIELDS = {"kind", "group_ar", "group_en", "name_ar", "name_en", "eligibility_ar", "eligibility_en",
                   "winners", "order"}
CRITERION_FIELDS = {"name_ar", "name_en", "description_ar", "description_en", "weight", "max_score", "order"}
DOCUMENT_FIELDS = {"name_ar", "name_en", "required", "order"}
QUESTION_FIELDS = {"label_ar", "label_en", "required", "max_length", "order"}
# The timeline in its stated order; each date given may not fall before the one given before it.
TIMELINE = ("nominations_open", "nominations_close", "screening_ends", "judging_ends", "visits_end",
            "results_date", "ceremony_date")


def _locked_changed(row, changes: dict):
    """The row read again under a row lock, with the changes applied (not yet checked nor saved)."""
    row = type(row).objects.select_for_update().get(pk=row.pk)
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def _unknown(changes: dict, allowed: set[str], what: str) -> None:
    if set(changes) - allowed:
        raise TypeError(f"unknown {what} fields: {sorted(set(changes) - allowed)}")


def _check_programme(programme: Programme) -> None:
    errors: dict[str, list[str]] = {}
    if not (programme.name_ar or "").strip():
        errors["name_ar"] = [_("Give the programme's Arabic name.")]
    if programme.kind not in Programme.Kind.values:
        errors["kind"] = [_("Choose award or assessment.")]
    if programme.aggregation not in Programme.Aggregation.values:
        errors["aggregation"] = [_("Choose how the judges' scores are combined.")]
    if programme.trim is None or not 0 <= int(programme.trim) <= 10:
        errors["trim"] = [_("Drop between 0 and 10 judges at each end.")]
    threshold = programme.divergence_threshold
    if threshold is None or not 0 < Decimal(str(threshold)) <= 100:
        errors["divergence_threshold"] = [_("The divergence flag must be more than 0 and at most 100 points.")]
    if errors:
        raise DomainError(errors=errors, code="invalid")


@transaction.atomic
def programme_create(*, user, owner: Organization, slug: str, name_ar: str, **fields) -> Programme:
    """Start a programme for an organization the user belongs to (or already runs programmes for);
    whoever starts it becomes its first owner."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to start a programme."))
    if not permissions.can_own_for(user, owner):
        raise DomainError(_("You may start programmes only for an organization you belong to."),
                          field="owner", code="not_member")
    if slug in RESERVED_SLUGS or Programme.objects.filter(slug=slug).exists():
        raise DomainError(_("This address is taken; choose another."), field="slug", code="duplicate")
    programme = Programme(owner=owner, slug=slug, name_ar=name_ar, **fields)
    _check_programme(programme)
    programme.full_clean(validate_constraints=False)
    programme.save()
    ProgrammeMember.objects.create(programme=programme, user=user, role=ProgrammeMember.Role.OWNER)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, user, **changes) -> Programme:
    """Owners change the programme. Its kind (award or assessment) is fixed once a cycle has results,
    and a new owner organization must be one the user may run programmes for."""
    require_owner(user, programme)
    _unknown(changes, PROGRAMME_FIELDS, "programme")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if "kind" in changes and changes["kind"] != programme.kind and programme.cycles.exclude(
            results=Cycle.Results.PENDING).exists():
        raise DomainError(_("A cycle already has results; the kind can no longer change."), field="kind",
                          code="has_results")
    if "owner" in changes and changes["owner"].pk != programme.owner_id and not permissions.can_own_for(
            user, changes["owner"]):
        raise DomainError(_("You may start programmes only for an organization you belong to."),
                          field="owner", code="not_member")
    for key, value in changes.items():
        setattr(programme, key, value)
    _check_programme(programme)
    programme.save()
    return programme


@transaction.atomic
def member_add(*, programme: Programme, user, member, role: str) -> ProgrammeMember:
    """Owners add owners and staff; owners and staff add judges, assessors and committee members."""
    if role not in ProgrammeMember.Role.values:
        raise DomainError(_("Choose a role."), field="role", code="bad_role")
    _require_member_rights(user, programme, role)
    row, _created = ProgrammeMember.objects.get_or_create(programme=programme, user=member, role=role)
    return row


def _require_member_rights(user, programme: Programme, role: str) -> None:
    if role in (ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF):
        require_owner(user, programme)
    else:
        require_manager(user, programme)


@transaction.atomic
def member_invite(*, programme: Programme, user, email: str, role: str) -> ProgrammeMember:
    """Give someone a role by e-mail, as the portal signs people in: the account of that address, or a
    new link-only one for a new person. Owners add owners and staff; owners and staff add judges,
    assessors and committee members. The person is told by e-mail where to sign in."""
    if role not in ProgrammeMember.Role.values:
        raise DomainError(_("Choose a role."), field="role", code="bad_role")
    _require_member_rights(user, programme, role)
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(_("Enter a valid e-mail address."), field="email", code="invalid_email")
    member = get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
    if member is None:
        person = Person.objects.select_related("user").filter(email__iexact=email).first()
        if person is not None and person.user is not None and person.user.is_active:
            member = person.user  # the person's own account, whatever e-mail it signs in with
        else:
            person = person or Person.objects.create(email=email, full_name_ar=email.split("@")[0])
            member = portal_user_for_person(person=person)
    if ProgrammeMember.objects.filter(programme=programme, user=member, role=role).exists():
        raise DomainError(_("This person already has this role."), field="email", code="duplicate")
    row = ProgrammeMember.objects.create(programme=programme, user=member, role=role)
    with translation.override("ar"):
        role_ar = str(ProgrammeMember.Role(role).label)
    with translation.override("en"):
        role_en = str(ProgrammeMember.Role(role).label)
    send_bilingual(
        to=email, kind="awards.member", related=row,
        subject_ar=f"دوركم في {programme.name_ar}", subject_en=f"Your role in {programme.name_en or programme.name_ar}",
        ar=f"أُضفتم إلى «{programme.name_ar}» بدور: {role_ar}.\nادخلوا من بوابة الجوائز بعنوان بريدكم هذا:\n"
           f"{site_url('awards:portal', 'ar')}\n",
        en=f"You were added to “{programme.name_en or programme.name_ar}” as: {role_en}.\n"
           f"Sign in on the awards portal with this e-mail address:\n{site_url('awards:portal', 'en')}\n",
    )
    return row


@transaction.atomic
def member_remove(*, member: ProgrammeMember, user) -> None:
    """Take a role away (same rights as giving it). A programme keeps at least one owner; a judge's
    category assignments go with the judge role."""
    programme = member.programme
    _require_member_rights(user, programme, member.role)
    if member.role == ProgrammeMember.Role.OWNER and not ProgrammeMember.objects.filter(
            programme=programme, role=ProgrammeMember.Role.OWNER).exclude(pk=member.pk).exists():
        raise DomainError(_("A programme keeps at least one owner."), field="member", code="last_owner")
    if member.role == ProgrammeMember.Role.JUDGE:
        if Cycle.objects.filter(programme=programme, chair=member.user_id).exists():
            raise DomainError(_("This judge chairs a cycle's committee; choose another chair first."),
                              field="member", code="chair")
        JudgeAssignment.objects.filter(category__cycle__programme=programme, judge=member.user_id).delete()
    member.delete()


@transaction.atomic
def cycle_create(*, programme: Programme, user, number: int, nominations_open, nominations_close, **fields) -> Cycle:
    """A numbered cycle with its stated timeline: nominations open, close, screening, judging, field visits,
    results and ceremony, in that order (each date given on or after the one before). Its ceremony may be
    held only on a forum whose organizers the user is among; the chair must be one of the judges."""
    require_manager(user, programme)
    if number is None or int(number) < 1:
        raise DomainError(_("The cycle number must be 1 or more."), field="number", code="range")
    if Cycle.objects.filter(programme=programme, number=number).exists():
        raise DomainError(_("This programme already has a cycle with this number."), field="number", code="duplicate")
    cycle = Cycle(programme=programme, number=number, nominations_open=nominations_open,
                  nominations_close=nominations_close, **fields)
    _check_timeline(cycle)
    _check_ceremony(fields.get("forum"), fields.get("ceremony_session"), user=user, linking=True)
    _check_chair(cycle)
    cycle.save()
    return cycle


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _check_timeline(cycle: Cycle) -> None:
    errors: dict[str, list[str]] = {}
    if cycle.nominations_open is None:
        errors["nominations_open"] = [_("Give a date and time.")]
    if cycle.nominations_close is None:
        errors["nominations_close"] = [_("Give a date and time.")]
    if errors:
        raise DomainError(errors=errors, code="required")
    if cycle.nominations_close <= cycle.nominations_open:
        raise DomainError(_("Nominations must close after they open."), field="nominations_close", code="order")
    previous = None
    for name in TIMELINE:
        value = getattr(cycle, name)
        if value is None:
            continue
        if previous is not None and _as_date(value) < _as_date(getattr(cycle, previous)):
            label = Cycle._meta.get_field(previous).verbose_name
            errors.setdefault(name, []).append(
                _("This date may not come before “%(previous)s”.") % {"previous": label})
        previous = name
    if errors:
        raise DomainError(errors=errors, code="order")


def _check_chair(cycle: Cycle) -> None:
    if cycle.chair_id is not None and not ProgrammeMember.objects.filter(
            programme=cycle.programme_id, user=cycle.chair_id, role=ProgrammeMember.Role.JUDGE).exists():
        raise DomainError(_("The chair must be one of the programme's judges."), field="chair", code="not_judge")


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
    """Change a cycle's timeline, ceremony, chair or visibility with the rules of cycle_create; linking the
    ceremony to another forum needs its organizers, and the chair stays put while results await approval."""
    require_manager(user, cycle.programme)
    allowed = {
        "year_label", "is_public", "nominations_open", "nominations_close", "screening_ends", "judging_ends",
        "visits_end", "results_date", "ceremony_date", "forum", "ceremony_session", "chair", "illustrative_note",
    }
    if set(changes) - allowed:
        raise TypeError(f"unknown cycle fields: {sorted(set(changes) - allowed)}")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    forum_before = cycle.forum_id
    chair_before = cycle.chair_id
    for key, value in changes.items():
        setattr(cycle, key, value)
    _check_timeline(cycle)
    _check_ceremony(cycle.forum, cycle.ceremony_session, user=user, linking=cycle.forum_id != forum_before)
    if "chair" in changes:
        _check_chair(cycle)
        if cycle.chair_id != chair_before and cycle.results in (Cycle.Results.FINALIZED, Cycle.Results.APPROVED):
            raise DomainError(_("The chair cannot change while the committee is approving the results."),
                              field="chair", code="approving")
    cycle.save()
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle, user) -> None:
    """Remove a cycle set up by mistake, with its categories and tiers, while nobody has nominated in it
    and it has no results."""
    require_manager(user, cycle.programme)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.nominations.exists() or cycle.results != Cycle.Results.PENDING:
        raise DomainError(_("This cycle has nominations; it can no longer be removed."), field="cycle",
                          code="has_nominations")
    cycle.delete()


@transaction.atomic
def category_create(*, cycle: Cycle, user, name_ar: str, kind: str, **fields) -> Category:
    """A category of the cycle, institutional or individual, its Arabic name unique in the cycle."""
    require_manager(user, cycle.programme)
    category = Category(cycle=cycle, name_ar=name_ar, kind=kind, **fields)
    _check_category(category)
    category.save()
    return category


def _check_category(category: Category) -> None:
    errors: dict[str, list[str]] = {}
    if category.kind not in Category.Kind.values:
        errors["kind"] = [_("Choose institutional or individual.")]
    if not (category.name_ar or "").strip():
        errors["name_ar"] = [_("Give the category's Arabic name.")]
    elif Category.objects.filter(cycle=category.cycle_id, name_ar=category.name_ar).exclude(pk=category.pk).exists():
        errors["name_ar"] = [_("This cycle already has a category with this name.")]
    if category.winners is None or int(category.winners) < 1:
        errors["winners"] = [_("Award at least one place.")]
    if errors:
        raise DomainError(errors=errors, code="invalid")


@transaction.atomic
def category_delete(*, category: Category, user) -> None:
    """Remove a category set up by mistake, with its criteria, documents, questions and judges, while
    nobody has nominated in it (not even a draft: an applicant's work is never lost)."""
    require_manager(user, category.cycle.programme)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if category.nominations.exists():
        raise DomainError(_("This category has nominations; it can no longer be removed."), field="category",
                          code="has_nominations")
    category.delete()


@transaction.atomic
def category_update(*, category: Category, user, **changes) -> Category:
    """Change a category. Its kind (institutional or individual) is fixed once it has nominations,
    whose nominees are of that kind."""
    require_manager(user, category.cycle.programme)
    _unknown(changes, CATEGORY_FIELDS, "category")
    category = Category.objects.select_for_update().get(pk=category.pk)
    if "kind" in changes and changes["kind"] != category.kind and category.nominations.exists():
        raise DomainError(_("This category has nominations; its kind can no longer change."), field="kind",
                          code="has_nominations")
    for key, value in changes.items():
        setattr(category, key, value)
    _check_category(category)
    category.save()
    return category


def _decimal(value, *, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=field, code="not_a_number")


def _check_criterion(criterion: Criterion) -> None:
    errors: dict[str, list[str]] = {}
    if not (criterion.name_ar or "").strip():
        errors["name_ar"] = [_("Give the criterion's Arabic name.")]
    elif Criterion.objects.filter(category=criterion.category_id, parent=criterion.parent_id,
                                  name_ar=criterion.name_ar).exclude(pk=criterion.pk).exists():
        errors["name_ar"] = [_("A criterion with this name exists.")]
    try:
        weight = Decimal(str(criterion.weight))
        if not weight.is_finite() or weight <= 0 or weight >= 10000:
            errors["weight"] = [_("The weight must be more than zero (and below 10000).")]
    except (InvalidOperation, ValueError):
        errors["weight"] = [_("Enter a number.")]
    try:
        if not 1 <= int(criterion.max_score) <= 1000:
            errors["max_score"] = [_("The maximum score must be between 1 and 1000.")]
    except (TypeError, ValueError):
        errors["max_score"] = [_("Enter a whole number.")]
    parent = criterion.parent
    if parent is not None and (parent.category_id != criterion.category_id or parent.parent_id is not None):
        errors["parent"] = [_("A sub-criterion belongs under a criterion of the same category.")]
    if errors:
        raise DomainError(errors=errors, code="invalid")


def _require_criteria_open(category: Category) -> None:
    if category.results.exists() or category.nominations.filter(score_sheets__isnull=False).exists():
        raise DomainError(_("Judging has started; the criteria can no longer change."), code="judging_started")


@transaction.atomic
def criterion_create(
    *, category: Category, user, name_ar: str, weight=1, max_score: int = 10, parent: Criterion | None = None,
    **fields,
) -> Criterion:
    """A weighted criterion, or a sub-criterion (with `parent`) whose points add up to the criterion's.
    Weights are above zero, maximum scores 1 to 1000; the criteria are fixed once judging started."""
    require_manager(user, category.cycle.programme)
    criterion = Criterion(category=category, parent=parent, name_ar=name_ar, weight=weight, max_score=max_score,
                          **fields)
    _check_criterion(criterion)
    _require_criteria_open(category)
    criterion.weight = Decimal(str(weight))
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, user, **changes) -> Criterion:
    """Change a criterion with the rules of criterion_create (and only before judging starts)."""
    category = criterion.category
    require_manager(user, category.cycle.programme)
    _unknown(changes, CRITERION_FIELDS, "criterion")
    criterion = _locked_changed(criterion, changes)
    _check_criterion(criterion)
    _require_criteria_open(category)
    criterion.weight = Decimal(str(criterion.weight))
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, user) -> None:
    """Remove a criterion (and its sub-criteria) before judging starts."""
    category = criterion.category
    require_manager(user, category.cycle.programme)
    _require_criteria_open(category)
    criterion.delete()


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


def _check_document(document: RequiredDocument) -> None:
    if not (document.name_ar or "").strip():
        raise DomainError(_("Give the document's Arabic name."), field="name_ar", code="required")
    if RequiredDocument.objects.filter(category=document.category_id, name_ar=document.name_ar).exclude(
            pk=document.pk).exists():
        raise DomainError(_("This document is already listed."), field="name_ar", code="duplicate")


@transaction.atomic
def document_create(*, category: Category, user, name_ar: str, **fields) -> RequiredDocument:
    """A document applicants upload with a nomination of the category; its Arabic name is unique there."""
    require_manager(user, category.cycle.programme)
    _unknown(fields, DOCUMENT_FIELDS, "document")
    document = RequiredDocument(category=category, name_ar=name_ar, **fields)
    _check_document(document)
    document.save()
    return document


@transaction.atomic
def document_update(*, document: RequiredDocument, user, **changes) -> RequiredDocument:
    """Rename or reorder a required document, or make it optional or required, with the rules of
    document_create. What applicants uploaded for it stays with it."""
    require_manager(user, document.category.cycle.programme)
    _unknown(changes, DOCUMENT_FIELDS, "document")
    document = _locked_changed(document, changes)
    _check_document(document)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: RequiredDocument, user) -> None:
    """Remove a required document while no applicant has uploaded it (uploads are never lost)."""
    require_manager(user, document.category.cycle.programme)
    if document.uploads.exists():
        raise DomainError(_("Applicants have uploaded this document; it can no longer be removed."),
                          field="document", code="has_uploads")
    document.delete()


@transaction.atomic
def question_create(*, category: Category, user, label_ar: str, **fields) -> Question:
    """A category-specific question; answers are at most `max_length` characters (1 or more)."""
    require_manager(user, category.cycle.programme)
    _unknown(fields, QUESTION_FIELDS, "question")
    question = Question(category=category, label_ar=label_ar, **fields)
    _check_question(question)
    question.save()
    return question


def _check_question(question: Question, *, longest_answer: int = 0) -> None:
    errors: dict[str, list[str]] = {}
    if not (question.label_ar or "").strip():
        errors["label_ar"] = [_("Write the question in Arabic.")]
    try:
        max_length = int(question.max_length)
    except (TypeError, ValueError):
        errors["max_length"] = [_("Enter a whole number.")]
    else:
        if max_length < 1:
            errors["max_length"] = [_("Allow at least one character.")]
        elif max_length < longest_answer:
            errors["max_length"] = [_("A submitted answer has %(n)d characters; allow at least that many.")
                                    % {"n": longest_answer}]
    if errors:
        raise DomainError(errors=errors, code="invalid")


@transaction.atomic
def question_update(*, question: Question, user, **changes) -> Question:
    """Change a question's wording, order, or whether it must be answered. Its longest answer may not
    shrink below an answer already submitted: no applicant's answer is cut."""
    category = question.category
    require_manager(user, category.cycle.programme)
    _unknown(changes, QUESTION_FIELDS, "question")
    question = _locked_changed(question, changes)
    longest = 0
    if "max_length" in changes:  # only a new limit needs the submitted answers read
        key = str(question.pk)
        # Answers are read whole: a digit-only JSON key would be taken as an array index by the key lookup.
        answers = (Nomination.objects.filter(category=category).exclude(status=Nomination.Status.DRAFT)
                   .filter(answers__has_key=key).values_list("answers", flat=True))
        longest = max((len(str(a.get(key) or "")) for a in answers), default=0)
    _check_question(question, longest_answer=longest)
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question, user) -> None:
    """Remove a question while no submitted nomination of the category answered it."""
    category = question.category
    require_manager(user, category.cycle.programme)
    if category.nominations.exclude(status="draft").filter(answers__has_key=str(question.pk)).exists():
        raise DomainError(_("Submitted nominations answered this question; it can no longer be removed."),
                          field="question", code="answered")
    question.delete()


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
def tiers_set(*, cycle: Cycle, user, rows: list[dict]) -> list[Tier]:
    """Replace a cycle's tiers with `rows` (name_ar, name_en, min_score, honored), listed from the highest
    tier down. Thresholds are 0 to 100 and strictly decreasing down the list, so that no two tiers
    overlap; names are unique. Errors are keyed `tiers-<row>-<field>`. Fixed once results are finalized."""
    require_manager(user, cycle.programme)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.results != Cycle.Results.PENDING:
        raise DomainError(_("The results are finalized; the tiers can no longer change."), code="finalized")
    errors: dict[str, list[str]] = {}
    clean: list[tuple[int, str, str, Decimal, bool]] = []
    names: set[str] = set()
    for i, row in enumerate(rows):
        name_ar = (row.get("name_ar") or "").strip()
        raw = row.get("min_score")
        if not name_ar:
            errors[f"tiers-{i}-name_ar"] = [_("Give the tier's Arabic name.")]
        elif name_ar in names:
            errors[f"tiers-{i}-name_ar"] = [_("A tier with this name exists.")]
        names.add(name_ar)
        try:
            minimum = Decimal(str(raw).strip())
            if not minimum.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"tiers-{i}-min_score"] = [_("Enter a number.")]
            continue
        if not 0 <= minimum <= 100:
            errors[f"tiers-{i}-min_score"] = [_("The threshold must be between 0 and 100.")]
            continue
        if clean and minimum >= clean[-1][3]:
            errors[f"tiers-{i}-min_score"] = [
                _("List the tiers from the highest down: this threshold must be below %(above)s.")
                % {"above": clean[-1][3]}]
            continue
        clean.append((i, name_ar, (row.get("name_en") or "").strip(), minimum, bool(row.get("honored"))))
    if errors:
        raise DomainError(errors=errors, code="invalid")
    Tier.objects.filter(cycle=cycle).delete()
    return Tier.objects.bulk_create([
        Tier(cycle=cycle, name_ar=name_ar, name_en=name_en, min_score=minimum, honored=honored)
        for _i, name_ar, name_en, minimum, honored in clean
    ])


@transaction.atomic
def judge_assign(*, category: Category, user, judge) -> JudgeAssignment:
    """Put a judge on a category's committee (they become a judge of the programme if not yet)."""
    programme = category.cycle.programme
    require_manager(user, programme)
    ProgrammeMember.objects.get_or_create(programme=programme, user=judge, role=ProgrammeMember.Role.JUDGE)
    if JudgeAssignment.objects.filter(category=category, judge=judge).exists():
        raise DomainError(_("This judge is already on this category."), field="judge", code="duplicate")
    return JudgeAssignment.objects.create(category=category, judge=judge)


@transaction.atomic
def judge_unassign(*, category: Category, user, judge) -> None:
    """Take a judge off a category's committee while they have not scored any of its entries."""
    require_manager(user, category.cycle.programme)
    if category.nominations.filter(score_sheets__judge=judge).exists():
        raise DomainError(_("This judge has scored entries of this category; they stay on it."),
                          field="judge", code="has_scores")
    JudgeAssignment.objects.filter(category=category, judge=judge).delete()
