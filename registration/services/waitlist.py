"""The waiting list: joining a full type, offers of freed seats (oldest first, each offer holding its
seat until claimed or lapsed), claiming an offer, and offers lapsing."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError, ForumEnded, NotFound
from forum.models import Forum

from .. import tasks
from ..models import Answer, Registration, RegistrationSettings, RegistrationType, WaitlistEntry
from .common import _queue, registration_settings_get
from .create import Applicant, registration_create_atomic
from .seats import _seat_release


def _waitlist_offer(entry: WaitlistEntry, *, claim_hours: int) -> None:
    now = timezone.now()
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = now + timedelta(hours=claim_hours)
    entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    transaction.on_commit(lambda: _queue(tasks.waitlist_offer_send_task, entry_id=entry.pk))


def _seat_freed(*, forum_id: int, type_id: int) -> WaitlistEntry | None:
    """A seat of the type became free: offer it to the next person waiting, or give it back.

    The offered seat stays counted as taken, so it waits for the claimant.
    """
    waitlist_on = RegistrationSettings.objects.filter(forum_id=forum_id, waitlist_enabled=True).values_list(
        "claim_hours", flat=True
    )
    claim_hours = next(iter(waitlist_on), None)
    if claim_hours is not None:
        entry = (
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(registration_type_id=type_id, status=WaitlistEntry.Status.WAITING)
            .order_by("created_at", "id")
            .first()
        )
        if entry is not None:
            _waitlist_offer(entry, claim_hours=claim_hours)
            return entry
    _seat_release(forum_id=forum_id, type_id=type_id)
    return None


def waitlist_offers_make(*, forum_id: int) -> int:
    """Offer every free seat of the forum to the people waiting for it, oldest first; returns how many.

    Seats free up without anyone leaving when organizers raise a capacity,
    reopen registration or switch the waiting list on. Nothing is offered
    while registration is closed or the list is off. Each offer takes its seat
    (counted as taken until claimed or lapsed), under the forum row's lock,
    which every seat change takes first, so offers and new registrations never
    share out the same seat twice.
    """
    with transaction.atomic():
        forum_row = RegistrationSettings.objects.select_for_update().filter(forum_id=forum_id).first()
        if forum_row is None or not (forum_row.is_open and forum_row.waitlist_enabled):
            return 0
        waiting = list(
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(forum_id=forum_id, status=WaitlistEntry.Status.WAITING)
            .order_by("created_at", "id")
        )
        if not waiting:
            return 0
        types = {
            row.pk: row for row in RegistrationType.objects.select_for_update().filter(
                pk__in={entry.registration_type_id for entry in waiting}
            ).order_by("pk")
        }
        forum_left = forum_row.seats_left
        offered: dict[int, int] = {}
        for entry in waiting:
            if forum_left == 0:
                break
            rtype = types[entry.registration_type_id]
            type_left = rtype.seats_left
            if not rtype.is_active or (type_left is not None and offered.get(rtype.pk, 0) >= type_left):
                continue
            _waitlist_offer(entry, claim_hours=forum_row.claim_hours)
            offered[rtype.pk] = offered.get(rtype.pk, 0) + 1
            if forum_left is not None:
                forum_left -= 1
        for type_id, count in offered.items():
            RegistrationType.objects.filter(pk=type_id).update(seats_taken=F("seats_taken") + count)
        total = sum(offered.values())
        if total:
            RegistrationSettings.objects.filter(pk=forum_row.pk).update(seats_taken=F("seats_taken") + total)
        return total


@transaction.atomic
def waitlist_join(
    *, forum: Forum, registration_type: RegistrationType, full_name_ar: str, email: str,
    full_name_en: str = "", phone: str = "", language: str = "ar",
) -> WaitlistEntry:
    """Join the waiting list of a full type. One live entry per e-mail per forum; not once the forum is over."""
    email = (email or "").strip().lower()
    if registration_type.forum_id != forum.pk:
        raise DomainError(_("This registration type is not part of this forum."), field="registration_type")
    if forum.is_over:
        raise ForumEnded(field="registration_type")
    if not registration_settings_get(forum=forum).waitlist_enabled:
        raise DomainError(_("This forum has no waiting list."), field="registration_type")
    if not full_name_ar.strip():
        raise DomainError(_("Enter your name."), field="full_name_ar")
    if WaitlistEntry.objects.filter(
        forum=forum, email=email, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    ).exists():
        raise DomainError(_("This e-mail address is already on the waiting list."), field="email")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                forum=forum, registration_type=registration_type, full_name_ar=full_name_ar.strip(),
                full_name_en=(full_name_en or "").strip(), email=email, phone=phone or "",
                language=language if language in ("ar", "en") else "ar",
            )
    except IntegrityError:
        raise DomainError(_("This e-mail address is already on the waiting list."), field="email") from None


def _lapse(entry: WaitlistEntry) -> None:
    entry.status = WaitlistEntry.Status.LAPSED
    entry.save(update_fields=["status"])
    _seat_freed(forum_id=entry.forum_id, type_id=entry.registration_type_id)


@transaction.atomic
def waitlist_claim(*, claim_token: str, answers: list[Answer] | None = None, **person) -> Registration:
    """Turn an offered waiting-list seat into a registration, within the offer's time limit."""
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",)).select_related("forum", "registration_type")
        .filter(claim_token=claim_token).first()
    )
    if entry is None:
        raise NotFound(_("This link is not valid."))
    if entry.status == WaitlistEntry.Status.CLAIMED:
        raise DomainError(_("This seat has already been claimed."), code="claimed")
    if entry.status != WaitlistEntry.Status.OFFERED:
        raise DomainError(_("No seat is being offered on this link."), code="not_offered")
    if entry.offer_expires_at <= timezone.now():
        raise DomainError(_("The time to claim this seat has passed."), code="lapsed")
    fields = {
        "full_name_ar": entry.full_name_ar, "full_name_en": entry.full_name_en, "email": entry.email,
        "phone": entry.phone, "language": entry.language,
    }
    fields.update({k: v for k, v in person.items() if v})
    registration = registration_create_atomic(
        forum=entry.forum, registration_type=entry.registration_type,
        applicant=Applicant(answers=answers, **fields), seat_held=True,
    )
    entry.status = WaitlistEntry.Status.CLAIMED
    entry.registration = registration
    entry.save(update_fields=["status", "registration"])
    return registration


def waitlist_offers_expire(*, now=None) -> int:
    now = now or timezone.now()
    count = 0
    for pk in WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            entry = WaitlistEntry.objects.select_for_update().get(pk=pk)
            if entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at <= now:
                _lapse(entry)
                count += 1
    return count
