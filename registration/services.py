"""Every write that matters in registration, one function per use case.

Seats: `_seat_take` increments the forum's and the type's `seats_taken` with a
conditional UPDATE (`... WHERE seats_taken < capacity`). PostgreSQL takes the
row lock and re-checks the condition on the newest row version, so when many
race for the last seats exactly as many win as there are seats, and the
CheckConstraints on both rows stop any bug from overselling. Locks are always
taken forum row first, then type row, and as late as possible in the
transaction (after any Stripe call), so a registration holds the forum lock for
a few milliseconds only.

Anything slow (badge PDF, calendar file, e-mail) runs after commit in a task.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from datetime import timedelta

from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.batching import TaskBatch
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.models import Forum

from . import invoices, payments
from .models import (
    Answer,
    InviteCode,
    Payment,
    Question,
    Refund,
    Registration,
    RegistrationSettings,
    RegistrationType,
    StripeEvent,
    WaitlistEntry,
)

log = logging.getLogger(__name__)

Status = Registration.Status
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")


class SeatsFull(DomainError):
    status_code = 409
    default_code = "full"


# ---- settings and counters ------------------------------------------------------------------


def registration_settings_get(*, forum: Forum) -> RegistrationSettings:
    settings_row, _created = RegistrationSettings.objects.get_or_create(forum=forum)
    return settings_row


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


def _seat_take(*, forum_id: int, type_id: int) -> None:
    """Take one seat of the forum and of the type, or raise SeatsFull.

    One statement locks the forum row, then the type row; both conditional
    updates are re-checked by PostgreSQL on the newest row version. If only
    one of them found room the caller's transaction is rolled back by the
    exception, so the counters never drift.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_SEAT_TAKE_SQL, [forum_id, type_id])
            forum_ok, type_ok = cursor.fetchone()
    else:
        has_room = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
        forum_ok = RegistrationSettings.objects.filter(has_room, forum_id=forum_id, is_open=True).update(
            seats_taken=F("seats_taken") + 1
        )
        type_ok = forum_ok and RegistrationType.objects.filter(has_room, pk=type_id).update(
            seats_taken=F("seats_taken") + 1
        )
    if forum_ok and type_ok:
        return
    if forum_ok:
        raise SeatsFull(_("Sorry, there are no seats left of this type."), field="registration_type")
    row = RegistrationSettings.objects.filter(forum_id=forum_id).values("is_open").first()
    if row is None:
        RegistrationSettings.objects.get_or_create(forum_id=forum_id)
        return _seat_take(forum_id=forum_id, type_id=type_id)
    if not row["is_open"]:
        raise DomainError(_("Registration for this forum is closed."), field="registration_type")
    raise SeatsFull(_("Sorry, the forum is full."), field="registration_type")


_SEAT_TAKE_SQL = """
WITH f AS (
    UPDATE registration_registrationsettings SET seats_taken = seats_taken + 1
    WHERE forum_id = %s AND is_open AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING 1
), t AS (
    -- The key comes out of f, so the forum row is always locked before the type row.
    UPDATE registration_registrationtype SET seats_taken = seats_taken + 1
    WHERE id = (SELECT %s::bigint FROM f) AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING 1
)
SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM t)
"""


def _seat_release(*, forum_id: int, type_id: int) -> None:
    RegistrationSettings.objects.filter(forum_id=forum_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
    RegistrationType.objects.filter(pk=type_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def _waitlist_offer(entry: WaitlistEntry, *, claim_hours: int) -> None:
    now = timezone.now()
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = now + timedelta(hours=claim_hours)
    entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    transaction.on_commit(lambda: _task("waitlist_offer_send", entry_id=entry.pk))


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


def _task(name: str, **kwargs) -> None:
    """Queue a registration task after commit; a broker outage must not undo the change."""
    from . import tasks

    try:
        getattr(tasks, name).delay(**kwargs)
    except Exception:  # logged; the periodic sweep or a resend covers it
        log.exception("could not queue %s %s", name, kwargs)


# The e-mail (with the badge) to each new registration, queued in batches: one broker message
# per 20 ms instead of one per registration (see forum.batching for what that trades). Items
# are [kind, registration id]; `registration_notifications_send_due` sends any that got lost.
NEW_REGISTRATION_NOTIFICATIONS = TaskBatch("registration.tasks.registration_notifications_send")


# ---- answers to custom questions --------------------------------------------------------------


def answers_clean(*, questions, data: dict, files: dict | None = None) -> list[Answer]:
    """Validate answers against the forum's questions. Keys are `q<id>`. Unsaved Answer objects."""
    files = files or {}
    errors: dict[str, list[str]] = {}
    answers = []
    for question in questions:
        key = f"q{question.pk}"
        raw = data.get(key, "")
        raw = "" if raw is None else str(raw).strip() if not isinstance(raw, bool) else ("yes" if raw else "no")
        upload = files.get(key)
        if question.kind == Question.Kind.FILE:
            if upload is None:
                if question.required:
                    errors[key] = [_("This question needs an answer.")]
                continue
            if upload.size > 5 * 1024 * 1024:
                errors[key] = [_("The file is larger than 5 MB.")]
                continue
            answers.append(Answer(question=question, value=upload.name[:255], file=upload))
            continue
        if raw == "":
            if question.required:
                errors[key] = [_("This question needs an answer.")]
            continue
        if question.kind == Question.Kind.CHOICE and raw not in {v for v, _label in question.choice_options()}:
            errors[key] = [_("Choose one of the options.")]
            continue
        if question.kind == Question.Kind.YES_NO:
            lowered = raw.lower()
            if lowered in ("yes", "true", "1", "on", "نعم"):
                raw = "yes"
            elif lowered in ("no", "false", "0", "off", "لا"):
                raw = "no"
            else:
                errors[key] = [_("Answer yes or no.")]
                continue
        if question.kind == Question.Kind.PHONE and not PHONE_RE.match(raw):
            errors[key] = [_("Enter a phone number, e.g. +966 5x xxx xxxx.")]
            continue
        answers.append(Answer(question=question, value=raw[:4000]))
    if errors:
        raise DomainError(errors=errors)
    return answers


# ---- registering ------------------------------------------------------------------------------


def _invite_code_use(*, registration_type: RegistrationType, code: str) -> InviteCode:
    code = (code or "").strip().upper()
    if not code:
        raise DomainError(_("This registration type needs an invite code."), field="invite_code")
    now = timezone.now()
    invite = InviteCode.objects.filter(registration_type=registration_type, code=code).first()
    if invite is None:
        raise DomainError(_("This invite code is not valid."), field="invite_code")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise DomainError(_("This invite code has expired."), field="invite_code")
    used = InviteCode.objects.filter(pk=invite.pk, uses__lt=F("max_uses")).update(uses=F("uses") + 1)
    if not used:
        raise DomainError(_("This invite code has been used up."), field="invite_code")
    return invite


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


def _email_registered(*, forum_id: int, email: str) -> bool:
    """Whether the e-mail already holds a live registration of the forum.

    The partial unique constraint registration_one_live_per_email is what
    guarantees it; this check only turns the common case into a field error
    before anything is written. Written out in SQL because it runs on every
    public registration and compiling the QuerySet cost more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_EMAIL_REGISTERED_SQL, [forum_id, email, *Registration.SEAT_HOLDING])
        return cursor.fetchone() is not None


_EMAIL_REGISTERED_SQL = (
    f"SELECT 1 FROM {Registration._meta.db_table} WHERE forum_id = %s AND email = %s"
    f" AND status IN ({', '.join(['%s'] * len(Registration.SEAT_HOLDING))}) LIMIT 1"
)


def _initial_status(rtype: RegistrationType) -> str:
    if rtype.is_paid:
        return Status.PENDING
    if rtype.requires_approval:
        return Status.AWAITING_APPROVAL
    return Status.CONFIRMED


def registration_create(
    *,
    forum: Forum,
    registration_type: RegistrationType,
    full_name_ar: str,
    email: str,
    _seat_already_held: bool = False,
    **details,
) -> Registration:
    """Register one person for a forum.

    Rules: the forum is published and registration open; the type belongs to
    the forum and is open; invitation-only types need a valid, unexpired,
    not-used-up code; one live registration per e-mail per forum; a seat of
    the forum and of the type must be free (else SeatsFull and the waiting
    list). Free types are confirmed at once, types needing approval wait for
    an organizer, paid types are pending and hold their seat for the forum's
    hold minutes.

    Every registration of a forum takes the same two counter rows, so the
    forum's registrations per second are bounded by how long those rows stay
    locked. On PostgreSQL, when this call owns the transaction, the seat is
    taken and the transaction committed in one round trip (psycopg pipeline):
    the rows are locked only while the server runs the UPDATE and the COMMIT,
    never while this process waits for its turn on a busy CPU in between. If
    no seat was free, that attempt rolled back whole and the ordinary path
    below runs once more to say why (full, closed) in the usual words.
    """
    arguments = dict(forum=forum, registration_type=registration_type, full_name_ar=full_name_ar, email=email,
                     **details)
    if not _seat_already_held and connection.vendor == "postgresql" and not connection.in_atomic_block:
        try:
            return _registration_create_pipelined(**arguments)
        except _NoSeatInPipeline:
            pass
    return _registration_create(**arguments, _seat_already_held=_seat_already_held)


class _NoSeatInPipeline(Exception):
    """The one-round-trip seat take found no seat; nothing was written."""


def _registration_create_pipelined(**arguments) -> Registration:
    import psycopg

    connection.ensure_connection()
    if not psycopg.Pipeline.is_supported():
        return _registration_create(**arguments)
    after_commit: list = []
    try:
        with connection.connection.pipeline():
            registration = _registration_create(**arguments, _seat_take_func=_seat_take_or_fail,
                                                _after_commit=after_commit)
    except DataError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "22012":  # no seat: see _SEAT_TAKE_OR_FAIL_SQL
            raise _NoSeatInPipeline from exc
        raise
    # Committed. The after-commit work runs now, outside pipeline mode (tasks run in-process
    # when no broker is configured, and their queries should not share the pipeline).
    for callback in after_commit:
        callback()
    return registration


def _seat_take_or_fail(*, forum_id: int, type_id: int) -> None:
    """Take the seat and commit in one round trip: the UPDATE is queued, COMMIT follows it at once.

    The statement fails the transaction when there is no seat, so the COMMIT cannot commit
    a registration without one. The surrounding atomic block then finds the transaction
    already ended and has nothing left to commit or roll back.
    """
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute(_SEAT_TAKE_OR_FAIL_SQL, [forum_id, type_id])
    raw = connection.connection
    try:
        with connection.wrap_database_errors:
            raw.commit()
    except Exception:
        # Leave the connection clean: end the failed transaction; a first attempt may only
        # clear the pipeline's "aborted" state left by the COMMIT the server skipped.
        for _attempt in range(3):
            try:
                raw.rollback()
                break
            except psycopg.errors.PipelineAborted:
                continue
        raise


# As _SEAT_TAKE_SQL, but when either row had no room the division by zero aborts the
# transaction, so the COMMIT queued right behind it cannot commit a registration without a seat.
_SEAT_TAKE_OR_FAIL_SQL = """
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


@_deadlock_retry
@transaction.atomic
def _registration_create(
    *,
    forum: Forum,
    registration_type: RegistrationType,
    full_name_ar: str,
    email: str,
    full_name_en: str = "",
    honorific: str = "",
    phone: str = "",
    position: str = "",
    organization_name: str = "",
    buyer_vat_number: str = "",
    buyer_address: str = "",
    language: str = "ar",
    invite_code: str = "",
    answers: list[Answer] | None = None,
    user=None,
    _seat_already_held: bool = False,
    _seat_take_func=None,
    _after_commit: list | None = None,
) -> Registration:
    """registration_create's rules, in one transaction (see there)."""
    email = (email or "").strip().lower()
    if registration_type.forum_id != forum.pk:
        raise DomainError(_("This registration type is not part of this forum."), field="registration_type")
    if forum.status != Forum.Status.PUBLISHED:
        raise DomainError(_("Registration for this forum is closed."), field="registration_type")
    if not registration_type.is_active:
        raise DomainError(_("This registration type is closed."), field="registration_type")
    if not full_name_ar.strip():
        raise DomainError(_("Enter your name."), field="full_name_ar")
    if registration_type.is_paid or buyer_vat_number:
        invoices.sale_check(forum=forum, registration_type=registration_type, buyer_vat_number=buyer_vat_number)
    if _email_registered(forum_id=forum.pk, email=email):
        raise DomainError(_("This e-mail address is already registered for this forum."), field="email")
    invite = None
    if registration_type.is_invitation_only and not _seat_already_held:
        invite = _invite_code_use(registration_type=registration_type, code=invite_code)

    status = _initial_status(registration_type)
    now = timezone.now()
    hold_until = None
    if status == Status.PENDING:
        hold_minutes = (
            RegistrationSettings.objects.filter(forum=forum).values_list("hold_minutes", flat=True).first() or 30
        )
        hold_until = now + timedelta(minutes=hold_minutes)

    try:
        registration = Registration.objects.create(
            forum=forum,
            registration_type=registration_type,
            status=status,
            user=user if user is not None and user.is_authenticated else None,
            honorific=honorific or "",
            full_name_ar=full_name_ar.strip(),
            full_name_en=(full_name_en or "").strip(),
            email=email,
            phone=(phone or "").strip(),
            position=(position or "").strip(),
            organization_name=(organization_name or "").strip(),
            buyer_vat_number=(buyer_vat_number or "").strip(),
            buyer_address=(buyer_address or "").strip(),
            language=language if language in ("ar", "en") else "ar",
            amount_minor=registration_type.total_minor if registration_type.is_paid else 0,
            currency=registration_type.currency,
            hold_expires_at=hold_until,
            confirmed_at=now if status == Status.CONFIRMED else None,
            invite_code=invite,
        )
    except IntegrityError:
        raise DomainError(_("This e-mail address is already registered for this forum."), field="email") from None
    if answers:
        for answer in answers:
            answer.registration = registration
        Answer.objects.bulk_create(answers)
    # The seat is taken last: the forum row stays locked only from this statement to the commit.
    # When there is none, the exception rolls back the rows written above.
    if not _seat_already_held:
        (_seat_take_func or _seat_take)(forum_id=forum.pk, type_id=registration_type.pk)
    kind = "confirmation" if status == Status.CONFIRMED else "received"
    send = functools.partial(NEW_REGISTRATION_NOTIFICATIONS.add, [kind, registration.pk])
    if _after_commit is not None:
        _after_commit.append(send)  # the caller runs it once the commit has succeeded
    else:
        transaction.on_commit(send)
    return registration


def _lock(registration: Registration) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).select_related("registration_type", "forum").get(
        pk=registration.pk
    )


def _confirm(registration: Registration, *, approved: bool = False) -> None:
    needs_approval = registration.registration_type.requires_approval and not approved
    registration.status = Status.AWAITING_APPROVAL if needs_approval else Status.CONFIRMED
    registration.hold_expires_at = None
    if registration.status == Status.CONFIRMED:
        registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "hold_expires_at", "confirmed_at"])
    if registration.status == Status.CONFIRMED:
        transaction.on_commit(lambda: _task("registration_confirmation_send", registration_id=registration.pk))


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
    transaction.on_commit(lambda: _task("registration_badge_revoke", registration_id=registration.pk))
    if registration.amount_minor and status in (Status.EXPIRED, Status.CANCELLED, Status.REJECTED):
        # An unpaid intent of a released seat is cancelled, so it cannot be paid later by mistake.
        transaction.on_commit(lambda: _task("payment_intent_abandon", registration_id=registration.pk))


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
        lambda: _task("registration_confirmation_send", registration_id=registration.pk, resend=True)
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


# ---- waiting list -----------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *, forum: Forum, registration_type: RegistrationType, full_name_ar: str, email: str,
    full_name_en: str = "", phone: str = "", language: str = "ar",
) -> WaitlistEntry:
    """Join the waiting list of a full type. One live entry per e-mail per forum."""
    email = (email or "").strip().lower()
    if registration_type.forum_id != forum.pk:
        raise DomainError(_("This registration type is not part of this forum."), field="registration_type")
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
    registration = registration_create(
        forum=entry.forum, registration_type=entry.registration_type, answers=answers,
        _seat_already_held=True, **fields,
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


# ---- invite codes -----------------------------------------------------------------------------


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


# ---- payments ---------------------------------------------------------------------------------


def payment_intent_ensure(*, registration: Registration) -> Payment:
    """The registration's one PaymentIntent: created at Stripe once, stored before anyone sees it.

    The registration row is locked while Stripe is asked, so two browser tabs
    cannot create two intents; the idempotency key covers retries of the call.
    """
    registration_expire_if_due(registration=registration)
    with transaction.atomic():
        registration = _lock(registration)
        existing = Payment.objects.filter(registration=registration).first()
        if existing is not None:
            return existing
        if registration.status != Status.PENDING or registration.amount_minor <= 0:
            raise DomainError(_("This registration has nothing to pay."), code="nothing_to_pay")
        try:
            intent = payments.payment_intent_create(
                amount_minor=registration.amount_minor,
                currency=registration.currency,
                metadata={"registration": str(registration.pk), "reference": registration.reference,
                          "forum": registration.forum.slug},
                idempotency_key=f"registration-{registration.pk}-payment-intent",
            )
        except payments.PaymentError as exc:
            raise DomainError(_("The payment service could not be reached; please try again."), code="payment") from exc
        return Payment.objects.create(
            registration=registration, stripe_payment_intent_id=intent.id, client_secret=intent.client_secret,
            amount_minor=registration.amount_minor, currency=registration.currency,
        )


def _refund(payment: Payment, *, amount: int, reason: str) -> Refund | None:
    if amount <= 0:
        return None
    try:
        info = payments.refund_create(
            intent_id=payment.stripe_payment_intent_id, amount_minor=amount,
            idempotency_key=f"payment-{payment.pk}-refund-{payment.amount_refunded_minor}-{amount}",
            metadata={"registration": str(payment.registration_id), "reason": reason},
        )
    except payments.PaymentError as exc:
        raise DomainError(_("The refund could not be made; please try again."), code="refund") from exc
    refund, _created = Refund.objects.get_or_create(
        stripe_refund_id=info.id,
        defaults={"payment": payment, "amount_minor": info.amount, "reason": reason, "status": info.status},
    )
    _payment_refunds_total(payment)
    return refund


def _payment_refunds_total(payment: Payment, *, at_least: int = 0) -> None:
    from django.db.models import Sum

    total = Refund.objects.filter(payment=payment).aggregate(s=Sum("amount_minor"))["s"] or 0
    total = min(max(total, at_least, payment.amount_refunded_minor), payment.amount_minor)
    payment.amount_refunded_minor = total
    if total >= payment.amount_minor:
        payment.status = Payment.Status.REFUNDED
    elif total > 0:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    payment.save(update_fields=["amount_refunded_minor", "status"])
    invoices.payment_documents_issue(payment=payment)  # a credit note for each refund, once


def _refund_remaining(registration: Registration, *, reason: str) -> None:
    payment = Payment.objects.select_for_update().filter(registration=registration).first()
    if payment is not None and payment.is_paid:
        _refund(payment, amount=payment.amount_minor - payment.amount_refunded_minor, reason=reason)


@transaction.atomic
def payment_succeeded(*, intent_id: str, amount: int, currency: str) -> Payment | None:
    """A PaymentIntent succeeded (webhook or the browser's return): act on it exactly once.

    Pending → confirmed (or awaiting approval). If the seat was released in the
    meantime, take a seat again when one is free, otherwise refund in full.
    """
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
    if payment is None:
        log.warning("payment for an unknown PaymentIntent %s", intent_id)
        return None
    if payment.status != Payment.Status.REQUIRES_PAYMENT:
        return payment
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.save(update_fields=["status", "succeeded_at"])
    registration = _lock(payment.registration)
    if amount < payment.amount_minor or currency.upper() != payment.currency:
        log.error("PaymentIntent %s paid %s %s, expected %s %s", intent_id, amount, currency,
                  payment.amount_minor, payment.currency)
        _refund(payment, amount=min(amount, payment.amount_minor), reason=Refund.Reason.LATE_PAYMENT)
        return payment
    invoices.payment_documents_issue(payment=payment)  # the tax invoice, committed with the payment
    if registration.status == Status.PENDING:
        _confirm(registration)
        return payment
    if registration.status == Status.EXPIRED and not Registration.objects.filter(
        forum_id=registration.forum_id, email=registration.email, status__in=Registration.SEAT_HOLDING
    ).exists():
        try:
            with transaction.atomic():
                _seat_take(forum_id=registration.forum_id, type_id=registration.registration_type_id)
                _confirm(registration)
            return payment
        except SeatsFull:
            pass
    if not registration.holds_seat:
        _refund(payment, amount=payment.amount_minor - payment.amount_refunded_minor,
                reason=Refund.Reason.LATE_PAYMENT)
    return payment


def payment_intent_abandon(*, registration_id: int) -> Payment | None:
    """Cancel the unpaid PaymentIntent of a registration that no longer holds a seat (best effort).

    If it was paid meanwhile, Stripe refuses the cancellation and the payment
    is handled as a late payment (webhook or next sync).
    """
    payment = Payment.objects.filter(registration_id=registration_id,
                                      status=Payment.Status.REQUIRES_PAYMENT).first()
    if payment is None:
        return None
    try:
        intent = payments.payment_intent_cancel(intent_id=payment.stripe_payment_intent_id)
    except payments.PaymentError:
        intent = payments.payment_intent_retrieve(intent_id=payment.stripe_payment_intent_id)
        if intent.status == "succeeded":
            payment_succeeded(intent_id=intent.id, amount=intent.amount, currency=intent.currency)
        return payment
    if intent.status == "canceled":
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.REQUIRES_PAYMENT).update(
            status=Payment.Status.CANCELED
        )
    return payment


def payment_sync(*, registration: Registration) -> Registration:
    """The browser came back from paying: ask Stripe directly rather than wait for the webhook."""
    payment = Payment.objects.filter(registration=registration).first()
    if payment is None or payment.status != Payment.Status.REQUIRES_PAYMENT:
        return registration_expire_if_due(registration=registration)
    try:
        intent = payments.payment_intent_retrieve(intent_id=payment.stripe_payment_intent_id)
    except payments.PaymentError as exc:
        raise DomainError(_("The payment service could not be reached; please try again."), code="payment") from exc
    if intent.status == "succeeded":
        payment_succeeded(intent_id=intent.id, amount=intent.amount, currency=intent.currency)
    registration.refresh_from_db()
    return registration_expire_if_due(registration=registration)


@transaction.atomic
def payment_refunds_reflect(*, intent_id: str, refunds: list[dict], amount_refunded: int | None = None) -> Payment | None:
    """Refunds seen at Stripe (ours or made in the dashboard) recorded here.

    A payment refunded in full ends a registration that still holds a seat.
    """
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
    if payment is None:
        return None
    for item in refunds:
        if not item.get("id") or item.get("status") in ("failed", "canceled"):
            continue
        Refund.objects.get_or_create(
            stripe_refund_id=item["id"],
            defaults={"payment": payment, "amount_minor": int(item.get("amount") or 0),
                      "reason": Refund.Reason.DASHBOARD, "status": item.get("status") or "succeeded"},
        )
    if payment.status == Payment.Status.REQUIRES_PAYMENT:
        # A refund can only follow a charge: the success event is late or lost.
        payment.status = Payment.Status.SUCCEEDED
        payment.succeeded_at = timezone.now()
    _payment_refunds_total(payment, at_least=amount_refunded or 0)
    if payment.status == Payment.Status.REFUNDED:
        registration = _lock(payment.registration)
        if registration.holds_seat:
            _end(registration, status=Status.CANCELLED, reason="refunded in Stripe")
    return payment


def stripe_event_handle(*, event: dict) -> str:
    """Handle one verified Stripe event exactly once; returns what was done."""
    with transaction.atomic():
        _record, created = StripeEvent.objects.get_or_create(event_id=event["id"], defaults={"type": event["type"]})
        if not created:
            return "duplicate"
        obj = (event.get("data") or {}).get("object") or {}
        kind = event["type"]
        if kind == "payment_intent.succeeded":
            payment_succeeded(intent_id=obj["id"], amount=int(obj.get("amount_received") or obj.get("amount") or 0),
                              currency=str(obj.get("currency") or ""))
            return "payment"
        if kind == "charge.refunded":
            refunds = ((obj.get("refunds") or {}).get("data")) or []
            if obj.get("payment_intent"):
                payment_refunds_reflect(intent_id=obj["payment_intent"], refunds=refunds,
                                        amount_refunded=int(obj.get("amount_refunded") or 0))
            return "refund"
        if kind.startswith("refund.") or kind == "charge.refund.updated":
            # Refunds of a charge outside a PaymentIntent are none of ours.
            if obj.get("payment_intent"):
                payment_refunds_reflect(intent_id=obj["payment_intent"], refunds=[obj])
            return "refund"
        return "ignored"


# ---- access -----------------------------------------------------------------------------------


def registration_for_token(*, access_token: str) -> Registration:
    registration = (
        Registration.objects.select_related("forum", "registration_type").filter(access_token=access_token).first()
    )
    if registration is None:
        raise NotFound(_("This link is not valid."))
    return registration_expire_if_due(registration=registration)


def require_personal_data(*, user, forum: Forum) -> None:
    from forum.permissions import can_view_personal_data

    if not can_view_personal_data(user, forum):
        raise PermissionDenied(_("Only the forum's owners and editors may see attendees' personal data."))
