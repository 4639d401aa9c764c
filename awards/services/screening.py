"""Award staff check completeness and eligibility, and shortlist entries for field visits."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import formatting as fmt
from forum.errors import DomainError

from ..models import Nomination, NominationEvent
from ._common import require_manager, send_bilingual, site_url

DECISIONS = {
    Nomination.Status.ELIGIBLE: ("اجتاز ترشيحكم الفرز الأولي", "Your nomination passed screening"),
    Nomination.Status.INELIGIBLE: ("نعتذر: الترشيح غير مستوفٍ لشروط الأهلية", "Your nomination is not eligible"),
    Nomination.Status.RETURNED: ("يُرجى استكمال ترشيحكم", "Please complete your nomination"),
}
SCREENABLE = (Nomination.Status.SUBMITTED, Nomination.Status.ELIGIBLE, Nomination.Status.INELIGIBLE)


@transaction.atomic
def nomination_screen(
    *, nomination: Nomination, user, decision: str, reason: str = "", complete_by: datetime | None = None
) -> Nomination:
    """Record a screening decision with its reason; the applicant is told by e-mail.

    Returning for completion needs a deadline in the future; the applicant can then
    change and resubmit the nomination until it.
    """
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related(
        "cycle__programme", "applicant", "category", "nominee_person", "nominee_organization"
    ).get(pk=nomination.pk)
    require_manager(user, nomination.cycle.programme)
    if decision not in DECISIONS:
        raise DomainError(_("Choose eligible, not eligible, or return for completion."), field="decision",
                          code="bad_decision")
    if nomination.status not in SCREENABLE:
        raise DomainError(_("Only submitted nominations are screened."), field="decision", code="not_submitted")
    if decision != Nomination.Status.ELIGIBLE and not reason.strip():
        raise DomainError(_("Give the reason; the applicant will read it."), field="reason", code="required")
    if decision == Nomination.Status.RETURNED:
        if complete_by is None:
            raise DomainError(_("Set the date by which the applicant must complete it."), field="complete_by",
                              code="required")
        if complete_by <= timezone.now():
            raise DomainError(_("The completion deadline must be in the future."), field="complete_by", code="past")
    nomination.status = decision
    nomination.screening_reason = reason.strip()
    nomination.screened_at = timezone.now()
    nomination.screened_by = user
    nomination.return_deadline = complete_by if decision == Nomination.Status.RETURNED else None
    nomination.save(update_fields=[
        "status", "screening_reason", "screened_at", "screened_by", "return_deadline", "updated_at"
    ])
    NominationEvent.objects.create(nomination=nomination, kind=f"screened:{decision}", note=reason, by=user)
    subject_ar, subject_en = DECISIONS[decision]
    url = site_url("awards:portal_nomination", "ar", nomination_id=nomination.pk)
    ar = f"{nomination.applicant.display_name_ar}،\n\n{subject_ar}: «{nomination.nominee_name_ar}» ({nomination.reference}).\n"
    en = f"Dear {nomination.applicant.display_name_en},\n\n{subject_en}: “{nomination.nominee_name_ar}” ({nomination.reference}).\n"
    if reason.strip():
        ar += f"\nالسبب:\n{reason.strip()}\n"
        en += f"\nReason:\n{reason.strip()}\n"
    if complete_by is not None and decision == Nomination.Status.RETURNED:
        local = timezone.localtime(complete_by)
        ar += f"\nآخر موعد للاستكمال: {fmt.dual_date(local.date(), 'ar')} الساعة {local:%H:%M}\n{url}\n"
        en += f"\nComplete it by {fmt.dual_date(local.date(), 'en')} {local:%H:%M}:\n{url}\n"
    send_bilingual(to=nomination.applicant.email, subject_ar=subject_ar, subject_en=subject_en, ar=ar, en=en,
                   kind=f"awards.screening.{decision}", related=nomination)
    return nomination


@transaction.atomic
def nomination_shortlist(*, nomination: Nomination, user) -> Nomination:
    """An eligible entry goes on to a field visit."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("cycle__programme").get(pk=nomination.pk)
    require_manager(user, nomination.cycle.programme)
    if nomination.status != Nomination.Status.ELIGIBLE:
        raise DomainError(_("Only entries that passed screening can be shortlisted."), field="status",
                          code="not_eligible")
    nomination.status = Nomination.Status.SHORTLISTED
    nomination.save(update_fields=["status", "updated_at"])
    NominationEvent.objects.create(nomination=nomination, kind="shortlisted", by=user)
    return nomination
