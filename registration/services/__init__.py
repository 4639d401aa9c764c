"""Every write that matters in registration, one function per use case, by sub-domain:

- settings.py   the forum's registration settings, registration types' capacity, invite codes;
- seats.py      the seat counters and the one seat-taking statement;
- create.py     registration_create, the public hot path (and its one-round-trip form on PostgreSQL);
- waitlist.py   joining, offers of freed seats, claims, lapsed offers;
- lifecycle.py  confirm, approve, reject, cancel, expire; the access link;
- refunds.py    refunds made through Stripe;
- payments.py   the PaymentIntent, its success, abandoning and syncing it, Stripe's webhook events;
- common.py     SeatsFull, queuing tasks after commit, row locks, deadlock retries.

They import one another in that order, upwards only (lint-imports checks it). Callers import the
public names from `registration.services`, as before the split.

Anything slow (badge PDF, calendar file, e-mail) runs after commit in a task.
"""

from forum.errors import DomainError, NotFound, PermissionDenied  # importable from here as before the split

from .common import SeatsFull, registration_settings_get
from .create import NEW_REGISTRATION_NOTIFICATIONS, PHONE_RE, answers_clean, registration_create
from .lifecycle import (
    registration_approve,
    registration_cancel,
    registration_confirmation_resend,
    registration_expire,
    registration_expire_if_due,
    registration_for_token,
    registration_reject,
    registrations_expire,
    require_personal_data,
)
from .payments import (
    payment_intent_abandon,
    payment_intent_ensure,
    payment_refunds_reflect,
    payment_succeeded,
    payment_sync,
    stripe_event_handle,
)
from .seats import _seat_take, seats_recount
from .settings import (
    CAPACITY_MAX,
    CLAIM_HOURS_MAX,
    CLAIM_HOURS_MIN,
    HOLD_MINUTES_MAX,
    HOLD_MINUTES_MIN,
    REGISTRATION_TYPE_COUNTERS,
    SETTINGS_FIELDS,
    capacity_errors,
    invite_codes_create,
    registration_settings_errors,
    registration_settings_update,
    registration_type_delete,
    registration_type_update,
)
from .waitlist import waitlist_claim, waitlist_join, waitlist_offers_expire, waitlist_offers_make

__all__ = [
    "DomainError", "NotFound", "PermissionDenied",
    "CAPACITY_MAX", "CLAIM_HOURS_MAX", "CLAIM_HOURS_MIN", "HOLD_MINUTES_MAX", "HOLD_MINUTES_MIN",
    "NEW_REGISTRATION_NOTIFICATIONS", "PHONE_RE", "REGISTRATION_TYPE_COUNTERS", "SETTINGS_FIELDS", "SeatsFull",
    "_seat_take", "answers_clean", "capacity_errors", "invite_codes_create", "payment_intent_abandon",
    "payment_intent_ensure", "payment_refunds_reflect", "payment_succeeded", "payment_sync",
    "registration_approve", "registration_cancel", "registration_confirmation_resend", "registration_create",
    "registration_expire", "registration_expire_if_due", "registration_for_token", "registration_reject",
    "registration_settings_errors", "registration_settings_get", "registration_settings_update",
    "registration_type_delete", "registration_type_update", "registrations_expire", "require_personal_data", "seats_recount",
    "stripe_event_handle", "waitlist_claim", "waitlist_join", "waitlist_offers_expire", "waitlist_offers_make",
]
