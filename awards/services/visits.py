"""Field visits: scheduling with a clash check per assessor, the on-site report, photos."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError, NotFound
from speakers.uploads import reencode_photo

from .. import permissions
from ..models import Criterion, Cycle, FieldVisit, Nomination, ProgrammeMember, VisitCheck, VisitPhoto
from ._common import require_manager

VISITORS = (ProgrammeMember.Role.ASSESSOR, ProgrammeMember.Role.JUDGE)
MAX_ADJUSTMENT = Decimal("20")
PHOTO_MAX_BYTES = 12 * 1024 * 1024


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def visit_clashes(*, assessor_ids, starts_at: datetime, ends_at: datetime, exclude: int | None = None):
    """Other planned or reported visits of these assessors that overlap [starts_at, ends_at)."""
    qs = FieldVisit.objects.filter(
        assessors__in=assessor_ids, starts_at__lt=ends_at, ends_at__gt=starts_at,
    ).exclude(status=FieldVisit.Status.CANCELLED)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.select_related("nomination__nominee_person", "nomination__nominee_organization").distinct()


@transaction.atomic
def visit_schedule(
    *, nomination: Nomination, user, starts_at: datetime, ends_at: datetime, address: str, assessors: list
) -> FieldVisit:
    """Schedule a visit to a shortlisted entry; refused if an assessor is already on another visit then."""
    nomination = Nomination.objects.select_related("cycle__programme", "category").get(pk=nomination.pk)
    programme = nomination.cycle.programme
    require_manager(user, programme)
    errors: dict[str, list[str]] = {}
    if nomination.status != Nomination.Status.SHORTLISTED:
        errors["nomination"] = [_("Only shortlisted entries are visited.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The visit must end after it starts.")]
    if not (address or "").strip():
        errors["address"] = [_("Give the address of the visit.")]
    if not assessors:
        errors["assessors"] = [_("Choose at least one assessor.")]
    if errors:
        raise DomainError(errors=errors, code="invalid_visit")
    ids = sorted({a.pk for a in assessors})
    # Lock the assessors' rows so two visits for one assessor cannot be scheduled at once.
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    members = set(ProgrammeMember.objects.filter(programme=programme, user_id__in=ids, role__in=VISITORS)
                  .values_list("user_id", flat=True))
    outsiders = [a for a in assessors if a.pk not in members]
    if outsiders:
        raise DomainError(
            _("Not an assessor or judge of this programme: %(names)s.")
            % {"names": ", ".join(a.get_username() for a in outsiders)}, field="assessors", code="not_assessor",
        )
    clashes = list(visit_clashes(assessor_ids=ids, starts_at=starts_at, ends_at=ends_at))
    if clashes:
        busy = {}
        for visit in clashes:
            for assessor in visit.assessors.filter(pk__in=ids):
                busy.setdefault(assessor.get_username(), visit)
        raise DomainError(
            "; ".join(
                _("%(who)s is already visiting «%(where)s» from %(start)s to %(end)s.") % {
                    "who": who, "where": visit.nomination.nominee_name,
                    "start": timezone.localtime(visit.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(visit.ends_at).strftime("%H:%M"),
                }
                for who, visit in busy.items()
            ),
            field="assessors", code="clash",
        )
    visit = FieldVisit.objects.create(nomination=nomination, starts_at=starts_at, ends_at=ends_at,
                                      address=address.strip())
    visit.assessors.set(ids)
    top = Criterion.objects.filter(category=nomination.category_id, parent=None).order_by("order", "id")
    VisitCheck.objects.bulk_create([VisitCheck(visit=visit, criterion=c) for c in top])
    return visit


@transaction.atomic
def visit_cancel(*, visit: FieldVisit, user) -> FieldVisit:
    require_manager(user, visit.nomination.cycle.programme)
    FieldVisit.objects.filter(pk=visit.pk).update(status=FieldVisit.Status.CANCELLED)
    visit.refresh_from_db()
    return visit


def _assessor_visit(visit: FieldVisit, user) -> FieldVisit:
    visit = FieldVisit.objects.select_for_update(of=("self",)).select_related("nomination__cycle").get(pk=visit.pk)
    if not permissions.is_visit_assessor(user, visit):
        raise NotFound(_("No such visit."))
    if visit.status == FieldVisit.Status.CANCELLED:
        raise DomainError(_("This visit was cancelled."), field="visit", code="cancelled")
    if visit.nomination.cycle.results != Cycle.Results.PENDING:
        raise DomainError(_("The results are finalized; the report can no longer change."), field="visit",
                          code="finalized")
    return visit


@transaction.atomic
def visit_report(
    *, visit: FieldVisit, user, report: str, checks: dict | None = None, score_adjustment=0,
    adjustment_reason: str = "",
) -> FieldVisit:
    """An assessor on the visit writes its report: the checklist, notes, and an optional score
    adjustment (at most ±20 points out of 100) with its reason."""
    visit = _assessor_visit(visit, user)
    errors: dict[str, list[str]] = {}
    try:
        adjustment = Decimal(str(score_adjustment or 0).strip() or "0").quantize(Decimal("0.01"))
        if not adjustment.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score_adjustment"] = [_("Enter a number.")]
        adjustment = Decimal(0)
    if abs(adjustment) > MAX_ADJUSTMENT:
        errors["score_adjustment"] = [
            _("A visit adjusts the score by at most %(max)s points either way.") % {"max": MAX_ADJUSTMENT}
        ]
    if adjustment and not adjustment_reason.strip():
        errors["adjustment_reason"] = [_("Give the reason for the adjustment.")]
    if not (report or "").strip():
        errors["report"] = [_("Write the report.")]
    lines = {c.criterion_id: c for c in VisitCheck.objects.filter(visit=visit)}
    given = {}
    for key, value in (checks or {}).items():
        cid = _int_or_none(str(key).removeprefix("check_"))
        if cid not in lines or not isinstance(value, (tuple, list, dict)):
            errors[f"check_{key}"] = [_("No such line on this visit's checklist.")]
        else:
            given[cid] = value
    if errors:
        raise DomainError(errors=errors, code="invalid_report")
    for cid, value in given.items():
        line = lines[cid]
        confirmed, note = value if isinstance(value, (tuple, list)) else (value.get("confirmed"), value.get("note", ""))
        line.confirmed = confirmed
        line.note = (note or "")[:500]
    VisitCheck.objects.bulk_update(list(lines.values()), ["confirmed", "note"])
    visit.report = report.strip()
    visit.score_adjustment = adjustment
    visit.adjustment_reason = adjustment_reason.strip() if adjustment else ""
    visit.status = FieldVisit.Status.REPORTED
    visit.reported_at = timezone.now()
    visit.reported_by = user
    visit.save(update_fields=["report", "score_adjustment", "adjustment_reason", "status", "reported_at",
                              "reported_by"])
    return visit


@transaction.atomic
def visit_photo_add(*, visit: FieldVisit, user, upload, caption: str = "") -> VisitPhoto:
    """A photo from the visit, re-encoded (metadata and any payload dropped) with a thumbnail."""
    visit = _assessor_visit(visit, user)
    if upload.size > PHOTO_MAX_BYTES:
        raise DomainError(_("This photo is far too large."), field="photo", code="photo_too_large")
    try:
        photo_bytes, thumb_bytes = reencode_photo(upload)
    except DomainError as exc:
        raise DomainError(errors={"photo": exc.errors.get("file", list(exc.errors.values())[0])}, code=exc.code)
    name = uuid.uuid4().hex
    photo = VisitPhoto(visit=visit, caption=caption.strip()[:255], uploaded_by=user)
    photo.image.save(f"{name}.jpg", ContentFile(photo_bytes), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", ContentFile(thumb_bytes), save=False)
    try:
        photo.save()
    except BaseException:
        photo.image.storage.delete(photo.image.name)
        photo.thumbnail.storage.delete(photo.thumbnail.name)
        raise
    return photo
