"""A registration's life after it is made: confirmed (paid or approved), cancelled, rejected, expired
(an unpaid hold that passed), and the access link that shows it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError, NotFound, PermissionDenied
from forum.models import Forum
from forum.permissions import can_view_personal_data

from .. import tasks
from ..models import Refund, Registration
from .common import Status, _lock, _queue
from .refunds import _refund_remaining
from .waitlist import _seat_freed, waitlist_offers_expire


def _confirm(registration: Registration, *, approved: bool = False) -> None:
    needs_approval = registration.registration_type.requires_approval and not approved
    registration.status = Status.AWAITING_APPROVAL if needs_approval else Status.CONFIRMED
    registration.hold_expires_at = None
    if registration.status == Status.CONFIRMED:
        registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "hold_expires_at", "confirmed_at"])
    if registration.status == Status.CONFIRMED:
        transaction.on_commit(lambda: _queue(tasks.registration_confirmation_send_task, registration_id=registration.pk))


def _end(registration: Registration, *, status: str, reason: str = "") -> None:
    """Move a seat-holding registration to an end status and free its seat."""
    was_holding = registration.holds_seat
    registration.status = status
    registration.hold_expires_at = None
    registration.cancel_reason = reason[:255]
    if status != Status.EXPIRED:
        registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "hold_expires_at", "cancel_reason", "cancelled_at"])
    if was_holding:
        _seat_freed(forum_id=registration.forum_id, type_id=registration.registration_type_id)
    transaction.on_commit(lambda: _queue(tasks.registration_badge_revoke_task, registration_id=registration.pk))
    if registration.amount_minor and status in (Status.EXPIRED, Status.CANCELLED, Status.REJECTED):
        # An unpaid intent of a released seat is cancelled, so it cannot be paid later by mistake.
        transaction.on_commit(lambda: _queue(tasks.payment_intent_abandon_task, registration_id=registration.pk))


@transaction.atomic
def registration_cancel(*, registration: Registration, by=None, reason: str = "") -> Registration:
    """Cancel a live registration (the attendee through their link, or an organizer).

    Frees the seat (offered to the waiting list), revokes the badge and refunds what was paid.
    """
    registration = _lock(registration)
    if not registration.holds_seat:
        raise DomainError(_("This registration is no longer active."), code="not_active")
    _refund_remaining(registration, reason=Refund.Reason.CANCELLATION)
    _end(registration, status=Status.CANCELLED, reason=reason or ("organizer" if by else "attendee"))
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration) -> Registration:
    registration = _lock(registration)
    if registration.status != Status.AWAITING_APPROVAL:
        raise DomainError(_("Only registrations awaiting approval can be approved."), code="not_awaiting")
    _confirm(registration, approved=True)
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, reason: str = "") -> Registration:
    registration = _lock(registration)
    if registration.status not in (Status.AWAITING_APPROVAL, Status.PENDING):
        raise DomainError(_("Only registrations awaiting approval can be rejected."), code="not_awaiting")
    _refund_remaining(registration, reason=Refund.Reason.REJECTED)
    _end(registration, status=Status.REJECTED, reason=reason)
    return registration


def registration_confirmation_resend(*, registration: Registration) -> None:
    if registration.status != Status.CONFIRMED:
        raise DomainError(_("Only confirmed registrations have a confirmation to resend."), code="not_confirmed")
    transaction.on_commit(
        lambda: _queue(tasks.registration_confirmation_send_task, registration_id=registration.pk, resend=True)
    )


@transaction.atomic
def registration_expire(*, registration: Registration, now=None) -> bool:
    """Release the seat of a pending registration whose hold has passed. True if it expired now."""
    now = now or timezone.now()
    registration = _lock(registration)
    if registration.status != Status.PENDING or not registration.hold_expires_at or registration.hold_expires_at > now:
        return False
    _end(registration, status=Status.EXPIRED, reason="hold expired")
    return True


def registration_expire_if_due(*, registration: Registration) -> Registration:
    """Check on access: a pending registration past its hold is released before it is shown."""
    if (
        registration.status == Status.PENDING
        and registration.hold_expires_at is not None
        and registration.hold_expires_at <= timezone.now()
    ):
        registration_expire(registration=registration)
        registration.refresh_from_db()
    return registration


def registrations_expire(*, now=None) -> int:
    """Periodic sweep: release every pending registration past its hold, and lapse old waiting-list offers."""
    now = now or timezone.now()
    count = 0
    for registration in Registration.objects.filter(status=Status.PENDING, hold_expires_at__lte=now).only("pk"):
        count += registration_expire(registration=registration, now=now)
    waitlist_offers_expire(now=now)
    return count


def registration_for_token(*, access_token: str) -> Registration:
    registration = (
        Registration.objects.select_related("forum", "registration_type").filter(access_token=access_token).first()
    )
    if registration is None:
        raise NotFound(_("This link is not valid."))
    return registration_expire_if_due(registration=registration)


def require_personal_data(*, user, forum: Forum) -> None:
    if not can_view_personal_data(user, forum):
        raise PermissionDenied(_("Only the forum's owners and editors may see attendees' personal data."))
