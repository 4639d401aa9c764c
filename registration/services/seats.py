"""Seats: the forum's and the type's `seats_taken` counters.

`_seat_take` increments both with one conditional UPDATE statement
(`... WHERE seats_taken < capacity`). PostgreSQL takes the row lock and
re-checks the condition on the newest row version, so when many race for the
last seats exactly as many win as there are seats, and the CheckConstraints
on both rows stop any bug from overselling. Locks are always taken forum row
first, then type row, and as late as possible in the transaction (after any
Stripe call), so a registration holds the forum lock for a few milliseconds
only.
"""

from __future__ import annotations

from django.db import DataError, connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from forum.errors import DomainError
from forum.models import Forum

from ..models import Registration, RegistrationSettings, RegistrationType, WaitlistEntry
from .common import SeatsFull


class NoSeat(Exception):
    """The seat statement found no seat; the transaction that ran it is failed and must be rolled back.
    `no_seat_error` says why (closed, forum full, type full) once it has been."""


def _seat_take(*, forum_id: int, type_id: int) -> None:
    """Take one seat of the forum and of the type, or raise NoSeat.

    On PostgreSQL one statement (SEAT_TAKE_SQL) locks the forum row, then the
    type row, and fails the transaction when either had no room: nothing
    written before it in the transaction can then be committed, even by a
    COMMIT already queued behind it (the one-round-trip registration relies on
    that). On SQLite, which writes one transaction at a time, two conditional
    UPDATEs do the same and the exception rolls the transaction back.
    """
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(SEAT_TAKE_SQL, [forum_id, type_id])
        except DataError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == NO_SEAT_SQLSTATE:
                raise NoSeat from exc
            raise
        return
    has_room = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
    forum_ok = RegistrationSettings.objects.filter(has_room, forum_id=forum_id, is_open=True).update(
        seats_taken=F("seats_taken") + 1
    )
    if not (forum_ok and RegistrationType.objects.filter(has_room, pk=type_id).update(seats_taken=F("seats_taken") + 1)):
        raise NoSeat


# The one seat-taking statement. A seat is taken only when both the forum's row (f) and the type's
# row (t) had room; the type's key comes out of f, so the forum row is always locked first. PostgreSQL
# has no RAISE in plain SQL, so "no seat" is signalled by dividing by the number of type rows updated:
# 0 rows is a division by zero (SQLSTATE 22012), which fails the transaction.
SEAT_TAKE_SQL = """
WITH f AS (
    UPDATE registration_registrationsettings SET seats_taken = seats_taken + 1
    WHERE forum_id = %s AND is_open AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING 1
), t AS (
    UPDATE registration_registrationtype SET seats_taken = seats_taken + 1
    WHERE id = (SELECT %s::bigint FROM f) AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING 1
)
SELECT 1 / (SELECT count(*) FROM t)::integer
"""
NO_SEAT_SQLSTATE = "22012"  # division_by_zero: see SEAT_TAKE_SQL


def no_seat_error(*, forum_id: int, type_id: int) -> DomainError | None:
    """Why the seat statement found no seat, read after its transaction was rolled back: registration
    closed, the forum full, or the type full. None when the forum had no counters row yet: it is made
    now, and taking the seat again can succeed."""
    row = RegistrationSettings.objects.filter(forum_id=forum_id).values("is_open", "capacity", "seats_taken").first()
    if row is None:
        RegistrationSettings.objects.get_or_create(forum_id=forum_id)
        return None
    if not row["is_open"]:
        return DomainError(_("Registration for this forum is closed."), field="registration_type")
    if row["capacity"] is not None and row["seats_taken"] >= row["capacity"]:
        return SeatsFull(_("Sorry, the forum is full."), field="registration_type")
    return SeatsFull(_("Sorry, there are no seats left of this type."), field="registration_type")


def seat_take_in_transaction(*, forum_id: int, type_id: int) -> None:
    """Take a seat inside the caller's transaction, or raise SeatsFull / DomainError saying why. The seat
    statement runs in a savepoint, so a failed one leaves the caller's transaction usable."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                _seat_take(forum_id=forum_id, type_id=type_id)
            return
        except NoSeat:
            if (error := no_seat_error(forum_id=forum_id, type_id=type_id)) is not None:
                raise error from None
    raise SeatsFull(_("Sorry, the forum is full."), field="registration_type")


def _seat_release(*, forum_id: int, type_id: int) -> None:
    RegistrationSettings.objects.filter(forum_id=forum_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
    RegistrationType.objects.filter(pk=type_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def seats_recount(*, forum: Forum) -> None:
    """Rebuild the counters from the rows (repair tool; the services keep them right)."""
    with transaction.atomic():
        settings_row = RegistrationSettings.objects.select_for_update().get_or_create(forum=forum)[0]
        total = 0
        for rtype in RegistrationType.objects.select_for_update().filter(forum=forum):
            count = (
                Registration.objects.filter(registration_type=rtype, status__in=Registration.SEAT_HOLDING).count()
                + WaitlistEntry.objects.filter(registration_type=rtype, status=WaitlistEntry.Status.OFFERED).count()
            )
            RegistrationType.objects.filter(pk=rtype.pk).update(seats_taken=count)
            total += count
        RegistrationSettings.objects.filter(pk=settings_row.pk).update(seats_taken=total)
