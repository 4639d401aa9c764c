"""Registration settings of a forum (open, capacity, seat hold, waiting list, claim time), its
registration types' capacity, and invite codes. One rule for a capacity serves the services, the
settings page, the API and the admin (capacity_errors, registration_settings_errors)."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum

from ..models import InviteCode, RegistrationSettings, RegistrationType
from .waitlist import waitlist_offers_make

CAPACITY_MAX = 1_000_000
HOLD_MINUTES_MIN, HOLD_MINUTES_MAX = 1, 24 * 60
CLAIM_HOURS_MIN, CLAIM_HOURS_MAX = 1, 7 * 24


SETTINGS_FIELDS = ("is_open", "capacity", "hold_minutes", "waitlist_enabled", "claim_hours")


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def capacity_errors(capacity, *, seats_taken: int = 0) -> list[str]:
    """Why a capacity (the forum's or a type's) is refused; empty when it is fine.

    Empty means no limit; otherwise a whole number from 1 to CAPACITY_MAX and
    never below the seats already taken (to stop registrations one closes them).
    """
    if not (capacity is None or (_whole_number(capacity) and 1 <= capacity <= CAPACITY_MAX)):
        return [_("The capacity is a whole number from 1 to %(max)s, or empty for no limit. "
                  "To stop registrations, close registration instead.") % {"max": CAPACITY_MAX}]
    if capacity is not None and capacity < seats_taken:
        return [_("%(n)s seats are already taken; the capacity cannot be lower.") % {"n": seats_taken}]
    return []


def registration_settings_errors(fields: dict, *, seats_taken: int = 0) -> dict[str, list[str]]:
    """Field -> messages for the settings in `fields` that break the rule of registration_settings_update."""
    errors: dict[str, list[str]] = {}
    for name in ("is_open", "waitlist_enabled"):
        if name in fields and not isinstance(fields[name], bool):
            errors[name] = [_("Choose yes or no.")]
    if "capacity" in fields and (messages := capacity_errors(fields["capacity"], seats_taken=seats_taken)):
        errors["capacity"] = messages
    ranges = {
        "hold_minutes": (HOLD_MINUTES_MIN, HOLD_MINUTES_MAX,
                         _("An unpaid registration holds its seat from %(min)s to %(max)s minutes (one day).")),
        "claim_hours": (CLAIM_HOURS_MIN, CLAIM_HOURS_MAX,
                        _("An offered seat waits from %(min)s to %(max)s hours (one week) for its claim.")),
    }
    for name, (low, high, message) in ranges.items():
        if name in fields and not (_whole_number(fields[name]) and low <= fields[name] <= high):
            errors[name] = [message % {"min": low, "max": high}]
    return errors


def registration_settings_update(*, forum: Forum, **fields) -> RegistrationSettings:
    """Change some of the forum's registration settings (any of SETTINGS_FIELDS).

    The rule: the capacity is empty (no limit) or a whole number from 1 to
    CAPACITY_MAX, never below the seats already taken (pending, awaiting
    approval, confirmed, offered from the waiting list); to stop registrations
    one closes registration instead. An unpaid registration holds its seat
    HOLD_MINUTES_MIN..HOLD_MINUTES_MAX minutes, an offered seat waits
    CLAIM_HOURS_MIN..CLAIM_HOURS_MAX hours for its claim. The rule is checked
    on the row locked FOR UPDATE in the same transaction as the change, and
    only the changed columns are written: the seat counter belongs to the
    registrations and is never overwritten from a stale read. Seats that the
    change frees (more capacity, registration reopened, waiting list switched
    on) are offered to the people waiting, oldest first.
    Raises DomainError naming the field; nothing is changed then.
    """
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a registration setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        row = RegistrationSettings.objects.select_for_update().get_or_create(forum=forum)[0]
        if errors := registration_settings_errors(fields, seats_taken=row.seats_taken):
            raise DomainError(errors=errors)
        for name, value in fields.items():
            setattr(row, name, value)
        if fields:
            row.save(update_fields=list(fields))
        waitlist_offers_make(forum_id=forum.pk)
    row.refresh_from_db()
    return row


REGISTRATION_TYPE_COUNTERS = frozenset({"seats_taken", "id", "forum", "forum_id"})


def registration_type_update(*, registration_type: RegistrationType, **fields) -> RegistrationType:
    """Change a registration type; its capacity never falls below its seats taken.

    Like the forum's settings, the type row is locked (forum row first, the
    order every seat change takes) and only the given columns are written, so
    a registration taking a seat at the same moment is never lost. A larger
    capacity offers the new seats to the type's waiting list.
    """
    if REGISTRATION_TYPE_COUNTERS & set(fields):
        raise TypeError("the seat counter and the forum of a type are not changed here")
    with transaction.atomic():
        RegistrationSettings.objects.select_for_update().get_or_create(forum_id=registration_type.forum_id)
        row = RegistrationType.objects.select_for_update().get(pk=registration_type.pk)
        if "capacity" in fields and (messages := capacity_errors(fields["capacity"], seats_taken=row.seats_taken)):
            raise DomainError(errors={"capacity": messages})
        for name, value in fields.items():
            setattr(row, name, value)
        if fields:
            try:
                with transaction.atomic():
                    row.save(update_fields=list(fields))
            except IntegrityError:
                raise DomainError(_("This code is already used in this forum."), field="code") from None
        waitlist_offers_make(forum_id=row.forum_id)
    row.refresh_from_db()
    return row


@transaction.atomic
def registration_type_delete(*, registration_type: RegistrationType) -> None:
    """Delete a registration type nobody has registered for; one with registrations is closed instead."""
    if registration_type.registrations.exists():
        raise DomainError(_("This type has registrations; close it instead of deleting it."), field="is_active")
    registration_type.delete()


@transaction.atomic
def invite_codes_create(
    *, registration_type: RegistrationType, count: int, max_uses: int = 1, expires_at=None, note: str = ""
) -> list[InviteCode]:
    """Create `count` codes for an invitation-only type in one batch."""
    if not registration_type.is_invitation_only:
        raise DomainError(_("Invite codes are for invitation-only types."), field="registration_type")
    if not 1 <= count <= 5000:
        raise DomainError(_("Create between 1 and 5000 codes at a time."), field="count")
    if max_uses < 1:
        raise DomainError(_("A code must be usable at least once."), field="max_uses")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    batch = uuid.uuid4().hex[:12]
    codes = [
        InviteCode(registration_type=registration_type, max_uses=max_uses, expires_at=expires_at, note=note, batch=batch)
        for _i in range(count)
    ]
    return InviteCode.objects.bulk_create(codes)
