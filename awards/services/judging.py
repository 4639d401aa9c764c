"""Judging: conflicts of interest and score sheets (one per judge, entry and criterion)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError, NotFound

from .. import permissions
from ..models import Conflict, Criterion, Cycle, JudgeAssignment, Nomination, ScoreSheet, SubScore

REFUSALS = {
    "unassigned": lambda: _("You are not a judge of this entry's category."),
    "not_judgeable": lambda: _("This entry has not passed screening; it cannot be scored."),
    "conflict": lambda: _("You declared a conflict of interest with this entry (or it comes from your own "
                          "organization); you cannot score it."),
}


def _refuse(reason: str) -> DomainError:
    return DomainError(REFUSALS[reason](), field="nomination", code=reason)


@transaction.atomic
def conflict_declare(*, nomination: Nomination, user, reason: str = "") -> Conflict:
    """A judge of the category declares a conflict; any scores they gave this entry are removed."""
    if not JudgeAssignment.objects.filter(judge=user, category_id=nomination.category_id).exists():
        raise NotFound(_("No such nomination."))
    conflict, _created = Conflict.objects.get_or_create(
        nomination=nomination, judge=user, defaults={"reason": reason.strip()[:300]}
    )
    ScoreSheet.objects.filter(nomination=nomination, judge=user).delete()
    return conflict


def _number(raw, *, field: str, errors: dict) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        errors[field] = [_("Give a score.")]
        return None
    try:
        value = Decimal(str(raw).strip().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩٫", "0123456789.")))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not value.is_finite():
        errors[field] = [_("Enter a number.")]
        return None
    return value


def _in_range(value: Decimal | None, maximum: int, *, field: str, errors: dict) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        errors[field] = [_("The score cannot be negative.")]
        return None
    if value > maximum:
        errors[field] = [_("The score cannot exceed this criterion's maximum of %(max)s.") % {"max": maximum}]
        return None
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def score_sheets_save(*, nomination: Nomination, user, sheets: dict[int, dict]) -> list[ScoreSheet]:
    """Save a judge's sheets for some or all criteria of an entry.

    `sheets` maps a top-level criterion id to {"points": n} (a criterion without
    sub-criteria) or {"parts": {sub_id: n}}, with an optional "comment". Every
    value is checked first (field `criterion_<id>` or `sub_<id>`); if any is
    refused nothing is written, and sheets saved earlier stay as they were.
    """
    nomination = Nomination.objects.select_related("cycle", "category", "nominee_person").get(pk=nomination.pk)
    allowed, why = permissions.judge_may_score(user, nomination)
    if not allowed:
        raise _refuse(why)
    if nomination.cycle.results != Cycle.Results.PENDING:
        raise DomainError(_("The chair has finalized the results; scores can no longer change."),
                          field="nomination", code="finalized")
    criteria = {c.pk: c for c in Criterion.objects.filter(category=nomination.category_id)}
    children: dict[int, list[Criterion]] = {}
    for c in criteria.values():
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    errors: dict[str, list[str]] = {}
    planned = []
    for raw_id, data in sheets.items():
        try:
            criterion = criteria.get(int(raw_id))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None or criterion.parent_id is not None:
            errors[f"criterion_{raw_id}"] = [_("No such criterion in this category.")]
            continue
        data = data or {}
        comment = str(data.get("comment") or "").strip()
        parts = children.get(criterion.pk)
        if parts:
            given = {str(k): v for k, v in (data.get("parts") or {}).items()}
            values = {}
            for sub in parts:
                field = f"sub_{sub.pk}"
                values[sub.pk] = _in_range(_number(given.get(str(sub.pk)), field=field, errors=errors),
                                           sub.max_score, field=field, errors=errors)
            if any(v is None for v in values.values()):
                continue
            points, maximum = sum(values.values()), sum(s.max_score for s in parts)
        else:
            field = f"criterion_{criterion.pk}"
            points = _in_range(_number(data.get("points"), field=field, errors=errors), criterion.max_score,
                               field=field, errors=errors)
            if points is None:
                continue
            values, maximum = {}, criterion.max_score
        planned.append((criterion, points, maximum, comment, values))
    if errors:
        raise DomainError(errors=errors, code="invalid_scores")
    saved = []
    for criterion, points, maximum, comment, values in planned:
        sheet, _created = ScoreSheet.objects.update_or_create(
            nomination=nomination, judge=user, criterion=criterion,
            defaults={"points": points, "max_points": maximum, "weight": criterion.weight, "comment": comment},
        )
        if values:
            SubScore.objects.filter(sheet=sheet).delete()
            SubScore.objects.bulk_create([SubScore(sheet=sheet, criterion_id=k, points=v) for k, v in values.items()])
        saved.append(sheet)
    return saved
