"""The organizers set up the call: dates, rules, review settings and submission types."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum

from ..models import Call, SubmissionType
from ._common import require_organizer

CALL_FIELDS = {"title_ar", "title_en", "rules_ar", "rules_en", "opens_at", "closes_at", "blind_review",
               "reviewers_per_submission", "confirm_by"}
TYPE_FIELDS = {"kind", "name_ar", "name_en", "abstract_min_words", "abstract_max_words", "full_paper_required",
               "order"}


def _check_call(call: Call) -> None:
    if call.opens_at is None or call.closes_at is None:
        raise DomainError(_("Give the opening and the closing time."), field="closes_at", code="required")
    for field in ("opens_at", "closes_at", "confirm_by"):
        value = getattr(call, field)
        if value is not None and value.tzinfo is None:
            raise DomainError(_("Give the time with its time zone."), field=field, code="naive")
    if call.closes_at <= call.opens_at:
        raise DomainError(_("The call must close after it opens."), field="closes_at", code="order")
    if not 1 <= int(call.reviewers_per_submission) <= 10:
        raise DomainError(_("Between 1 and 10 reviewers per submission."), field="reviewers_per_submission",
                          code="range")


@transaction.atomic
def call_save(*, forum: Forum, user, **changes) -> Call:
    """Create the forum's call or change it."""
    require_organizer(user, forum, _("Only the organizers may set up the call."))
    unknown = set(changes) - CALL_FIELDS
    if unknown:
        raise TypeError(f"unknown call fields: {sorted(unknown)}")
    call = Call.objects.select_for_update().filter(forum=forum).first() or Call(forum=forum)
    for key, value in changes.items():
        setattr(call, key, value)
    _check_call(call)
    call.save()
    return call


@transaction.atomic
def type_save(*, call: Call, user, submission_type: SubmissionType | None = None, **changes) -> SubmissionType:
    require_organizer(user, call.forum, _("Only the organizers may set up the call."))
    unknown = set(changes) - TYPE_FIELDS
    if unknown:
        raise TypeError(f"unknown type fields: {sorted(unknown)}")
    stype = submission_type or SubmissionType(call=call)
    if stype.call_id != call.pk:
        raise DomainError(_("No such type."), code="other_call")
    for key, value in changes.items():
        setattr(stype, key, value)
    if not (stype.name_ar or "").strip():
        raise DomainError(_("The name in Arabic is required."), field="name_ar", code="required")
    if stype.abstract_max_words < max(1, stype.abstract_min_words):
        raise DomainError(_("The most words must be at least the fewest (and at least 1)."),
                          field="abstract_max_words", code="range")
    if SubmissionType.objects.filter(call=call, name_ar=stype.name_ar).exclude(pk=stype.pk).exists():
        raise DomainError(_("A type with this name exists."), field="name_ar", code="duplicate")
    stype.save()
    return stype
