"""What the registration services share: the seats-full error, queuing tasks after commit, row locks,
and the retry of a transaction PostgreSQL chose as a deadlock victim."""

from __future__ import annotations

import functools
import logging
import time

from django.db import OperationalError, connection

from forum.errors import DomainError
from forum.models import Forum

from ..models import Registration, RegistrationSettings

log = logging.getLogger("registration.services")

Status = Registration.Status


class SeatsFull(DomainError):
    status_code = 409
    default_code = "full"


class PaymentsNotConfigured(DomainError):
    """A paid registration while online payment (Stripe) is not configured: no seat is held for it."""

    default_code = "payments_not_configured"

    def __init__(self, *, field: str | None = None):
        from django.utils.translation import gettext

        super().__init__(gettext(
            "Online payment is not set up for this forum yet, so paid registration cannot be completed here "
            "and no seat is held for you. Please contact the organizers to register and pay another way."),
            field=field, code=self.default_code)


def _queue(task, **kwargs) -> None:
    """Queue a registration task (run it after commit: `transaction.on_commit(lambda: _queue(...))`);
    a broker outage must not undo the change."""
    try:
        task.delay(**kwargs)
    except Exception:  # logged; the periodic sweep or a resend covers it
        log.exception("could not queue %s %s", task.name, kwargs)


def _deadlock_retry(func):
    """Retry a whole transaction that PostgreSQL chose as a deadlock victim (SQLSTATE 40P01).

    Our own services lock rows in one order, but other code locking a forum's
    rows FOR UPDATE at the same moment can still form a cycle; the victim's
    transaction was rolled back entirely, so running it again is safe.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(4):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                deadlock = getattr(exc.__cause__, "sqlstate", None) == "40P01"
                if not deadlock or connection.in_atomic_block or attempt == 3:
                    raise
                log.warning("deadlock in %s, retrying", func.__name__)
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


def _lock(registration: Registration) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).select_related("registration_type", "forum").get(
        pk=registration.pk
    )


def registration_settings_get(*, forum: Forum) -> RegistrationSettings:
    settings_row, _created = RegistrationSettings.objects.get_or_create(forum=forum)
    return settings_row
