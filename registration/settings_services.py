"""Changing a forum's registration settings (capacity, seat hold, waiting list, open/closed).

This belongs in registration/services.py beside `registration_settings_get`;
it lives here only until that file can be changed, and should move there.

The rule: the forum's capacity is empty (no limit) or a whole number from 1 up
to CAPACITY_MAX, and never below the seats already taken (pending, awaiting
approval, confirmed, and offered from the waiting list); to stop new
registrations one closes registration instead. An unpaid registration holds
its seat HOLD_MINUTES_MIN..HOLD_MINUTES_MAX minutes (at most one day), a seat
offered from the waiting list waits CLAIM_HOURS_MIN..CLAIM_HOURS_MAX hours
(at most one week) for its claim. The check against the seats taken is made
on the settings row locked with SELECT ... FOR UPDATE, in the same transaction
as the change: a registration taking a seat meanwhile waits for the lock (it
updates the same row), so the capacity can never end up below the count, and
the counter itself is never written here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum

from .models import RegistrationSettings

CAPACITY_MAX = 1_000_000
HOLD_MINUTES_MIN, HOLD_MINUTES_MAX = 1, 24 * 60
CLAIM_HOURS_MIN, CLAIM_HOURS_MAX = 1, 7 * 24

FIELDS = ("is_open", "capacity", "hold_minutes", "waitlist_enabled", "claim_hours")


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(fields: dict[str, Any]) -> dict[str, list[str]]:
    """The rules that do not need the row (ranges and types)."""
    errors: dict[str, list[str]] = {}
    for name in ("is_open", "waitlist_enabled"):
        if name in fields and not isinstance(fields[name], bool):
            errors[name] = [_("Choose yes or no.")]
    if "capacity" in fields:
        capacity = fields["capacity"]
        if capacity is not None and not (_whole_number(capacity) and 1 <= capacity <= CAPACITY_MAX):
            errors["capacity"] = [
                _("The capacity is a whole number from 1 to %(max)s, or empty for no limit. "
                  "To stop registrations, close registration instead.") % {"max": CAPACITY_MAX}
            ]
    if "hold_minutes" in fields:
        value = fields["hold_minutes"]
        if not (_whole_number(value) and HOLD_MINUTES_MIN <= value <= HOLD_MINUTES_MAX):
            errors["hold_minutes"] = [
                _("An unpaid registration holds its seat from %(min)s to %(max)s minutes (one day).")
                % {"min": HOLD_MINUTES_MIN, "max": HOLD_MINUTES_MAX}
            ]
    if "claim_hours" in fields:
        value = fields["claim_hours"]
        if not (_whole_number(value) and CLAIM_HOURS_MIN <= value <= CLAIM_HOURS_MAX):
            errors["claim_hours"] = [
                _("An offered seat waits from %(min)s to %(max)s hours (one week) for its claim.")
                % {"min": CLAIM_HOURS_MIN, "max": CLAIM_HOURS_MAX}
            ]
    return errors


def registration_settings_update(*, forum: Forum, **fields: Any) -> RegistrationSettings:
    """Change some of the forum's registration settings (any of FIELDS); the rule is in the module docstring.

    Raises DomainError naming the field when a value breaks the rule; nothing is changed then.
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not a registration setting: {', '.join(sorted(unknown))}")
    errors = _check(fields)
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        row = RegistrationSettings.objects.select_for_update().get_or_create(forum=forum)[0]
        capacity = fields.get("capacity")
        if capacity is not None and capacity < row.seats_taken:
            raise DomainError(
                _("%(n)s seats are already taken; the capacity cannot be lower.") % {"n": row.seats_taken},
                field="capacity",
            )
        for name, value in fields.items():
            setattr(row, name, value)
        if fields:
            # Only the changed columns: the seat counter belongs to the registrations.
            row.save(update_fields=list(fields))
    return row
