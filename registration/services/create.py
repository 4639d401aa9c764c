"""Registering: registration_create, the public hot path (answers to the forum's questions, invite
codes, one live registration per e-mail, the seat), and its one-round-trip form on PostgreSQL."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.batching import TaskBatch
from forum.errors import DomainError, ForumEnded
from forum.models import Forum

from .. import invoices, payments, tasks
from ..models import Answer, InviteCode, Question, Registration, RegistrationSettings, RegistrationType
from .common import PaymentsNotConfigured, Status, _deadlock_retry
from .seats import NO_SEAT_SQLSTATE, NoSeat, _seat_take, no_seat_error

log = logging.getLogger("registration.services")

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")

# The e-mail (with the badge) to each new registration, queued in batches: one broker message
# per 20 ms instead of one per registration (see forum.batching for what that trades). Items
# are [kind, registration id]; `registration_notifications_send_due_task` sends any that got lost.
NEW_REGISTRATION_NOTIFICATIONS = TaskBatch(tasks.registration_notifications_send_task)


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


@dataclass(frozen=True)
class Applicant:
    """Who registers, as given to registration_create."""

    full_name_ar: str
    email: str
    full_name_en: str = ""
    honorific: str = ""
    academic_title: str = ""  # a second title after the first, as protocol stacks them («معالي الدكتور»)
    phone: str = ""
    position: str = ""
    organization_name: str = ""
    buyer_vat_number: str = ""  # the optional buyer block: with it, a standard tax invoice
    buyer_address: str = ""
    language: str = "ar"
    invite_code: str = ""
    answers: list[Answer] | None = None
    user: object = None


def registration_create(
    *,
    forum: Forum,
    registration_type: RegistrationType,
    full_name_ar: str,
    email: str,
    full_name_en: str = "",
    honorific: str = "",
    academic_title: str = "",
    phone: str = "",
    position: str = "",
    organization_name: str = "",
    buyer_vat_number: str = "",
    buyer_address: str = "",
    language: str = "ar",
    invite_code: str = "",
    answers: list[Answer] | None = None,
    user=None,
) -> Registration:
    """Register one person for a forum.

    Rules: the forum is published, its last day not over (unless its organizers
    reopened it) and registration open; the type belongs to the forum and is
    open; a paid type needs online payment configured (else it would hold a
    seat nobody can pay for); invitation-only types need a valid, unexpired,
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
    below runs once more, to take a seat freed meanwhile or to say why there
    is none (closed, forum full, type full) in the usual words.
    """
    applicant = Applicant(
        full_name_ar=full_name_ar, email=email, full_name_en=full_name_en, honorific=honorific,
        academic_title=academic_title, phone=phone,
        position=position, organization_name=organization_name, language=language, invite_code=invite_code,
        answers=answers, user=user, buyer_vat_number=buyer_vat_number, buyer_address=buyer_address,
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        try:
            return _registration_create_in_one_round_trip(forum, registration_type, applicant)
        except NoSeat:
            pass  # nothing was written: the ordinary path below tries once more and says why if it must
    for _attempt in range(2):
        try:
            return registration_create_atomic(forum=forum, registration_type=registration_type, applicant=applicant)
        except NoSeat:
            if (error := no_seat_error(forum_id=forum.pk, type_id=registration_type.pk)) is not None:
                raise error from None
    raise AssertionError("unreachable: the second attempt found the forum's counters row")


def _registration_write(
    *, forum: Forum, registration_type: RegistrationType, applicant: Applicant, seat_held: bool
) -> Registration:
    """registration_create's rules and rows, inside the caller's transaction; the seat is taken last,
    unless `seat_held` (a waiting-list claim brings the seat it was offered)."""
    email = (applicant.email or "").strip().lower()
    full_name_ar = applicant.full_name_ar
    if registration_type.forum_id != forum.pk:
        raise DomainError(_("This registration type is not part of this forum."), field="registration_type")
    if forum.status != Forum.Status.PUBLISHED:
        raise DomainError(_("Registration for this forum is closed."), field="registration_type")
    if forum.is_over:
        raise ForumEnded(field="registration_type")
    if not registration_type.is_active:
        raise DomainError(_("This registration type is closed."), field="registration_type")
    if registration_type.is_paid and not payments.payments_configured():
        log.error("Stripe is not configured: paid registration type %s of forum %s refused", registration_type.pk,
                  forum.slug)
        raise PaymentsNotConfigured(field="registration_type")
    if not full_name_ar.strip():
        raise DomainError(_("Enter your name."), field="full_name_ar")
    if registration_type.is_paid or applicant.buyer_vat_number:
        invoices.sale_check(forum=forum, registration_type=registration_type,
                            buyer_vat_number=applicant.buyer_vat_number)
    if _email_registered(forum_id=forum.pk, email=email):
        raise DomainError(_("This e-mail address is already registered for this forum."), field="email")
    invite = None
    if registration_type.is_invitation_only and not seat_held:
        invite = _invite_code_use(registration_type=registration_type, code=applicant.invite_code)

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
            user=applicant.user if applicant.user is not None and applicant.user.is_authenticated else None,
            honorific=applicant.honorific or "",
            academic_title=applicant.academic_title or "",
            full_name_ar=full_name_ar.strip(),
            full_name_en=(applicant.full_name_en or "").strip(),
            email=email,
            phone=(applicant.phone or "").strip(),
            position=(applicant.position or "").strip(),
            organization_name=(applicant.organization_name or "").strip(),
            buyer_vat_number=(applicant.buyer_vat_number or "").strip(),
            buyer_address=(applicant.buyer_address or "").strip(),
            language=applicant.language if applicant.language in ("ar", "en") else "ar",
            amount_minor=registration_type.total_minor if registration_type.is_paid else 0,
            currency=registration_type.currency,
            hold_expires_at=hold_until,
            confirmed_at=now if status == Status.CONFIRMED else None,
            invite_code=invite,
        )
    except IntegrityError:
        raise DomainError(_("This e-mail address is already registered for this forum."), field="email") from None
    if applicant.answers:
        for answer in applicant.answers:
            answer.registration = registration
        Answer.objects.bulk_create(applicant.answers)
    # The seat is taken last: the forum row stays locked only from this statement to the commit.
    # When there is none, NoSeat rolls back the rows written above.
    if not seat_held:
        _seat_take(forum_id=forum.pk, type_id=registration_type.pk)
    return registration


def _notify_new(registration: Registration):
    """The job that sends a new registration its e-mail: run it once the registration is committed."""
    kind = "confirmation" if registration.status == Status.CONFIRMED else "received"
    return functools.partial(NEW_REGISTRATION_NOTIFICATIONS.add, [kind, registration.pk])


@_deadlock_retry
@transaction.atomic
def registration_create_atomic(
    *, forum: Forum, registration_type: RegistrationType, applicant: Applicant, seat_held: bool = False
) -> Registration:
    """registration_create in one transaction (the caller's, when there is one); NoSeat when no seat was
    free, after the rows written were rolled back."""
    registration = _registration_write(forum=forum, registration_type=registration_type, applicant=applicant,
                                       seat_held=seat_held)
    transaction.on_commit(_notify_new(registration))
    return registration


def _registration_create_in_one_round_trip(
    forum: Forum, registration_type: RegistrationType, applicant: Applicant
) -> Registration:
    """registration_create on PostgreSQL when it owns the transaction: the seat statement and the COMMIT
    leave in one round trip (psycopg pipeline), so the counter rows are locked only while the server runs
    them. The seat statement fails the transaction when there is no seat (see seats.SEAT_TAKE_SQL), so the
    COMMIT queued behind it cannot commit a registration without one: NoSeat, nothing written."""
    import psycopg

    connection.ensure_connection()
    if not psycopg.Pipeline.is_supported():
        return registration_create_atomic(forum=forum, registration_type=registration_type, applicant=applicant)
    try:
        with connection.connection.pipeline():
            registration = _registration_write_and_commit(forum=forum, registration_type=registration_type,
                                                          applicant=applicant)
    except DataError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == NO_SEAT_SQLSTATE:
            raise NoSeat from exc
        raise
    # Committed. The e-mail job is queued now, outside pipeline mode (tasks run in-process when no
    # broker is configured, and their queries should not share the pipeline).
    _notify_new(registration)()
    return registration


@_deadlock_retry
@transaction.atomic
def _registration_write_and_commit(
    *, forum: Forum, registration_type: RegistrationType, applicant: Applicant
) -> Registration:
    """The rows and the seat statement, then COMMIT sent right behind it. The surrounding atomic block
    then finds the transaction already ended and has nothing left to commit or roll back."""
    import psycopg

    registration = _registration_write(forum=forum, registration_type=registration_type, applicant=applicant,
                                       seat_held=False)
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
    return registration
