"""Writes for badges and check-in.

Rules:
- only a confirmed registration has a badge; it has at most one live badge
  (database constraint), and issuing is idempotent;
- re-issuing revokes the old token, cancelling revokes the badge;
- a scan always leaves a Scan row with the staff member who made it; the same
  client nonce from the same staff member is the same scan (same answer);
- a person is admitted at most once a day at the doors and once per session,
  however many scanners read the badge at the same moment: Admission's unique
  constraints decide (on PostgreSQL one upsert on them, SCAN_ADMIT_SQL; on the
  ORM path the badge row is also locked with select_for_update);
- an admission's day and order are the time the server received the scan; the
  scanner's clock only says, within bounds (scan_time), when the badge was scanned;
- every token is verified by token_verify, whatever the path.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import db, permissions
from forum.errors import DomainError, PermissionDenied
from forum.models import Forum
from registration.models import Registration

from . import rendering, signing, tasks
from .models import Admission, Badge, BadgeSettings, BulkPrintJob, Checkpoint, Scan, SessionAttendance, SigningKey

Outcome = Scan.Outcome
log = logging.getLogger(__name__)


# ---- Keys and settings ---------------------------------------------------------


def badge_settings_get(*, forum: Forum) -> BadgeSettings:
    settings_row = getattr(forum, "_badge_settings_cache", None)
    if settings_row is None:
        settings_row, _created = BadgeSettings.objects.get_or_create(forum=forum)
        forum._badge_settings_cache = settings_row
    return settings_row


def signing_key_active(*, forum: Forum) -> SigningKey:
    """The key that signs new badges; made on first use."""
    key = SigningKey.objects.filter(forum=forum, is_active=True).first()
    if key is not None:
        return key
    public, encrypted = signing.key_pair_new()
    try:
        with transaction.atomic():
            last = SigningKey.objects.filter(forum=forum).order_by("-key_id").values_list("key_id", flat=True).first()
            return SigningKey.objects.create(
                forum=forum, key_id=(last or 0) + 1, public_key=public, private_key_encrypted=encrypted
            )
    except IntegrityError:
        # Another request made it at the same moment: use theirs.
        return SigningKey.objects.get(forum=forum, is_active=True)


@transaction.atomic
def signing_key_rotate(*, forum: Forum) -> SigningKey:
    """A new key for new badges. Old badges stay valid (their key is still served) until re-issued."""
    SigningKey.objects.filter(forum=forum, is_active=True).update(is_active=False)
    return signing_key_active(forum=forum)


def badge_validity(*, forum: Forum) -> tuple[datetime, datetime]:
    options = badge_settings_get(forum=forum)
    tz = forum.tzinfo
    start = datetime.combine(forum.first_day - timedelta(days=options.valid_days_before), time.min, tzinfo=tz)
    end = datetime.combine(forum.last_day + timedelta(days=options.valid_days_after), time.max, tzinfo=tz)
    return start, end


# ---- Badges --------------------------------------------------------------------


def _registration_locked(registration: Registration) -> Registration:
    # Only the registration row: locking its type or forum too would stall registrations running at the same time.
    return (
        Registration.objects.select_for_update(of=("self",)).select_related("registration_type", "forum")
        .get(pk=registration.pk)
    )


@transaction.atomic
def badge_issue(*, registration: Registration) -> Badge:
    """The registration's live badge, issued now if it has none. Only confirmed registrations get one."""
    registration = _registration_locked(registration)
    if registration.status != Registration.Status.CONFIRMED:
        raise DomainError(_("Only a confirmed registration has a badge."), field="registration", code="not_confirmed")
    live = Badge.objects.filter(registration=registration, revoked_at__isnull=True).first()
    if live is not None:
        return live
    return _badge_create(registration)


def _badge_create(registration: Registration) -> Badge:
    forum = registration.forum
    key = signing_key_active(forum=forum)
    valid_from, valid_until = badge_validity(forum=forum)
    category = registration.registration_type.category
    # The token names the badge's id, so the row comes first with a placeholder.
    badge = Badge.objects.create(
        registration=registration, forum=forum, signing_key=key, token=f"~{uuid.uuid4().hex}",
        category=category, valid_from=valid_from, valid_until=valid_until,
    )
    badge.token = signing.token_sign(
        signing_key=key, registration_id=registration.pk, badge_id=badge.pk, category=category,
        valid_from=valid_from, valid_until=valid_until,
    )
    badge.save(update_fields=["token"])
    return badge


@transaction.atomic
def badge_revoke(*, registration: Registration, reason: str = "cancelled") -> int:
    """Revoke the registration's live badge (on cancellation). Returns how many were revoked (0 or 1)."""
    return Badge.objects.filter(registration=registration, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:40]
    )


@transaction.atomic
def badge_reissue(*, registration: Registration) -> Badge:
    """A new token for the registration (lost or compromised badge); the old one is revoked."""
    registration = _registration_locked(registration)
    if registration.status != Registration.Status.CONFIRMED:
        raise DomainError(_("Only a confirmed registration has a badge."), field="registration", code="not_confirmed")
    badge_revoke(registration=registration, reason="reissued")
    return _badge_create(registration)


# ---- Checkpoints ---------------------------------------------------------------


def checkpoints_ensure(*, forum: Forum) -> None:
    """The main entrance and one checkpoint per scheduled session exist (made on first use)."""
    from sessions.models import Session

    if not Checkpoint.objects.filter(forum=forum, kind=Checkpoint.Kind.DOOR).exists():
        try:
            with transaction.atomic():
                Checkpoint.objects.create(forum=forum, kind=Checkpoint.Kind.DOOR,
                                          name_ar="المدخل الرئيسي", name_en="Main entrance")
        except IntegrityError:
            pass
    have = set(Checkpoint.objects.filter(forum=forum, session__isnull=False).values_list("session_id", flat=True))
    skip = {Session.Kind.BREAK, Session.Kind.PRAYER}
    missing = [
        Checkpoint(forum=forum, kind=Checkpoint.Kind.SESSION, session=s, name_ar=s.title_ar[:120],
                   name_en=(s.title_en or "")[:120])
        for s in Session.objects.filter(forum=forum, status=Session.Status.SCHEDULED).exclude(kind__in=skip)
        if s.pk not in have
    ]
    if missing:
        Checkpoint.objects.bulk_create(missing, ignore_conflicts=True)


@transaction.atomic
def checkpoint_create(*, forum: Forum, by, name_ar: str, name_en: str = "", session=None) -> Checkpoint:
    """Another door (e.g. the VIP entrance) or a session checkpoint; organizers only."""
    if not permissions.can_edit_forum(by, forum):
        raise PermissionDenied(_("Only the organizers of this forum may add checkpoints."))
    if session is not None and session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session")
    kind = Checkpoint.Kind.SESSION if session is not None else Checkpoint.Kind.DOOR
    if session is not None and Checkpoint.objects.filter(session=session).exists():
        raise DomainError(_("This session already has a checkpoint."), field="session")
    if kind == Checkpoint.Kind.DOOR and Checkpoint.objects.filter(forum=forum, kind=kind, name_ar=name_ar).exists():
        raise DomainError(_("A checkpoint with this name already exists."), field="name_ar")
    return Checkpoint.objects.create(forum=forum, kind=kind, session=session, name_ar=name_ar, name_en=name_en)


# ---- Check-in ------------------------------------------------------------------


def scan_time(*, forum: Forum, now: datetime, claimed: datetime | None, valid_from: datetime) -> datetime:
    """When a scan is judged: the time the scanner's clock claims, if believable, else the server's `now`.

    An offline scanner queues scans and uploads them later, dated by its own clock. That
    date is believed only within bounds: not after `now`, not before the badge's validity
    or the forum's first day, and no more than CHECKIN_OFFLINE_MAX_HOURS in the past.
    It decides only whether the badge was valid then; the admission's day and order
    always come from `now` (see _admit).
    """
    if claimed is None:
        return now
    forum_start = datetime.combine(forum.first_day, time.min, tzinfo=forum.tzinfo)
    oldest = max(valid_from, forum_start, now - timedelta(hours=settings.CHECKIN_OFFLINE_MAX_HOURS))
    return claimed if oldest <= claimed <= now else now


def token_verify(*, token: str, forum: Forum, now: datetime | None = None, claimed_at: datetime | None = None,
                 signing_keys: dict[int, bytes] | None = None, read_badge: bool = True):
    """The one check of a badge token, on every path: a scan, an offline upload, the tests.

    Returns (outcome, badge): outcome None when the badge may be admitted, otherwise
    why not (invalid signature, wrong forum, not yet valid, expired, revoked). The token's
    signature is checked against the forum's key that signed it, its validity at
    scan_time(), and the badge row: still live, of this registration, confirmed. Inside a
    transaction the badge row comes locked (a second scanner of the same badge waits here
    until the first has committed), with its key, in one query.

    `signing_keys` (key number -> raw public key) are the forum's keys when the caller has
    read them. With `read_badge=False` the badge row is left to the caller (check_in_badge's
    statements check it): None then means the token itself passes, and the badge returned
    is an unsaved Badge carrying only what the token names (id, registration, forum).
    """
    now = now or timezone.now()
    try:
        claims, payload, signature = signing.token_parse(token)
    except signing.TokenError:
        return Outcome.INVALID_SIGNATURE, None
    badge = None
    if read_badge and claims.forum_id == forum.pk:
        badges = Badge.objects.select_related("signing_key", "registration__registration_type")
        if transaction.get_connection().in_atomic_block:
            badges = badges.select_for_update(of=("self",))
        badge = badges.filter(pk=claims.badge_id, forum=forum).first()
    if badge is not None and badge.signing_key.key_id == claims.key_id:
        raw_public = badge.signing_key.public_key
    elif signing_keys is not None and claims.forum_id == forum.pk:
        raw_public = signing_keys.get(claims.key_id)
    else:
        raw_public = (
            SigningKey.objects.filter(forum_id=claims.forum_id, key_id=claims.key_id)
            .values_list("public_key", flat=True).first()
        )
    if raw_public is None or not signing.signature_valid(raw_public, payload, signature):
        return Outcome.INVALID_SIGNATURE, None
    if claims.forum_id != forum.pk:
        return Outcome.WRONG_FORUM, None
    at = scan_time(forum=forum, now=now, claimed=claimed_at, valid_from=claims.valid_from)
    if at < claims.valid_from:
        return Outcome.NOT_YET_VALID, None
    if at > claims.valid_until:
        return Outcome.EXPIRED, None
    if not read_badge:
        return None, Badge(id=claims.badge_id, registration_id=claims.registration_id, forum_id=forum.pk)
    if (badge is None or badge.is_revoked or badge.registration_id != claims.registration_id
            or badge.registration.status != Registration.Status.CONFIRMED):
        return Outcome.REVOKED, badge
    return None, badge


def _scan_by_nonce(staff, client_nonce: str) -> Scan | None:
    if not client_nonce:
        return None
    return (
        Scan.objects.select_related("registration__registration_type", "admission__checkpoint", "checkpoint")
        .filter(staff=staff, client_nonce=client_nonce).first()
    )


def check_in_badge(*, token: str, checkpoint: Checkpoint, staff, client_nonce: str = "",
                   client_scanned_at: datetime | None = None, signing_keys: dict[int, bytes] | None = None) -> Scan:
    """Scan a badge at a checkpoint and record the scan; the Scan's outcome is the answer.

    Check-in staff, editors and owners of the checkpoint's forum only. A retry
    with the same client nonce returns the first scan and changes nothing.
    `signing_keys` (key number -> raw public key) are the forum's keys when the
    caller has already read them (the scan API reads them with the checkpoint);
    otherwise the one the token names is read here.

    On PostgreSQL a token that passes its own checks (signature, forum, validity)
    is admitted by one written-out statement (SCAN_ADMIT_SQL): the admission, the
    session attendance and the scan row. The admission is an upsert on the
    constraint that allows one a day at the doors (one per session): of scanners
    reading the badge at the same moment exactly one inserts it, the others wait
    for that row and get it back as the earlier admission. Outside a transaction
    the statement is its own transaction: one round trip, its locks held only
    while the server runs it. Everything else (SQLite, a refused token, a
    retried nonce) takes the ORM path below, with the same rules.
    """
    forum = checkpoint.forum
    if not permissions.can_check_in(staff, forum):
        raise PermissionDenied(_("Only the check-in team of this forum may admit badges."))
    if not checkpoint.is_active:
        raise DomainError(_("This checkpoint is closed."), field="checkpoint")
    client_nonce = (client_nonce or "")[:64]
    token = token.strip()[:300]
    now = timezone.now()  # when the server received the scan: the admission's day and order
    try:
        if connection.vendor == "postgresql":
            scan = _check_in_sql(token=token, checkpoint=checkpoint, forum=forum, staff=staff,
                                 client_nonce=client_nonce, client_scanned_at=client_scanned_at, now=now,
                                 signing_keys=signing_keys)
            if scan is not None:
                return scan
        with transaction.atomic():
            return _check_in(token=token, checkpoint=checkpoint, forum=forum, staff=staff,
                             client_nonce=client_nonce, client_scanned_at=client_scanned_at, now=now)
    except IntegrityError:
        # A retry: the nonce is already recorded (the insert waited for the first request to commit).
        # Everything this attempt did is rolled back and the first answer is given again.
        previous = _scan_by_nonce(staff, client_nonce)
        if previous is not None:
            return previous
        raise


# One statement. The badge (b) is live when not revoked, of the registration the token names and
# confirmed; then the admission is inserted (a), or, when the constraint that allows one a day at the
# doors (one per session) already holds one, that earlier admission is returned: ON CONFLICT DO UPDATE
# waits for a concurrent scanner's insert and returns its row once committed (a no-op update), which
# ON CONFLICT DO NOTHING and a separate read in the same snapshot could not see. xmax = 0 tells a row
# this statement inserted from one it found. Then the session attendance (att) and the scan row (s);
# the last SELECT reads back what the scanner shows.
SCAN_ADMIT_SQL = """
WITH b AS (
    SELECT b.id, b.registration_id,
           (b.revoked_at IS NULL AND b.registration_id = %(claimed_registration)s
            AND r.status = %(confirmed)s) AS live
    FROM badges_badge b JOIN registration_registration r ON r.id = b.registration_id
    WHERE b.id = %(badge)s AND b.forum_id = %(forum)s
), a AS (
    INSERT INTO badges_admission (registration_id, badge_id, checkpoint_id, session_id, day, admitted_at,
                                  admitted_by_id)
    SELECT b.registration_id, b.id, %(checkpoint)s, %(session)s, %(day)s, %(now)s, %(staff)s FROM b WHERE b.live
    ON CONFLICT {arbiter} DO UPDATE SET admitted_at = badges_admission.admitted_at
    RETURNING {admission_a}, (xmax = 0) AS inserted
), att AS (
    INSERT INTO badges_sessionattendance (registration_id, session_id, admission_id, attended_at)
    SELECT a.registration_id, a.session_id, a.id, a.admitted_at FROM a WHERE a.inserted AND a.session_id IS NOT NULL
), s AS (
    INSERT INTO badges_scan (forum_id, checkpoint_id, staff_id, client_nonce, token, outcome, badge_id,
                             registration_id, admission_id, scanned_at, client_scanned_at)
    SELECT %(forum)s, %(checkpoint)s, %(staff)s, %(nonce)s, %(token)s,
           CASE WHEN a.inserted THEN %(admitted)s WHEN a.id IS NOT NULL THEN %(already)s ELSE %(revoked)s END,
           b.id, b.registration_id, a.id, %(now)s, %(claimed_at)s
    FROM (SELECT 1) AS one LEFT JOIN b ON true LEFT JOIN a ON true
    RETURNING id, outcome, badge_id
)
SELECT s.id, s.outcome, s.badge_id, {admission}, {checkpoint}, {registration}, {registration_type}
FROM s LEFT JOIN a ON true LEFT JOIN b ON true
LEFT JOIN badges_checkpoint c ON c.id = a.checkpoint_id
LEFT JOIN registration_registration r ON r.id = b.registration_id
LEFT JOIN registration_registrationtype t ON t.id = r.registration_type_id
"""


# What a scan's answer shows of the person and their type (serializers.scan_result); the rest stays deferred.
SCAN_REGISTRATION_FIELDS = ("id", "honorific", "academic_title", "forum", "registration_type", "reference", "status",
                            "full_name_ar", "full_name_en", "organization_name", "language")
SCAN_REGISTRATION_TYPE_FIELDS = ("id", "forum", "code", "name_ar", "name_en", "category", "badge_color")


@functools.cache
def _scan_admit_sql(session: bool) -> str:
    from registration.models import RegistrationType

    columns = [field.column for field in Admission._meta.concrete_fields]
    return SCAN_ADMIT_SQL.format(
        admission_a=", ".join(columns), admission=", ".join(f"a.{c}" for c in columns),
        # The arbiters: Admission's constraints admission_once_per_session and admission_once_per_day_at_door.
        arbiter=("(registration_id, session_id) WHERE session_id IS NOT NULL" if session
                 else "(registration_id, day) WHERE session_id IS NULL"),
        checkpoint=db.select_columns(Checkpoint, "c"),
        registration=db.select_columns(Registration, "r", SCAN_REGISTRATION_FIELDS),
        registration_type=db.select_columns(RegistrationType, "t", SCAN_REGISTRATION_TYPE_FIELDS),
    )


def _check_in_sql(*, token, checkpoint, forum, staff, client_nonce, client_scanned_at, now,
                  signing_keys) -> Scan | None:
    """check_in_badge's written-out path (PostgreSQL): the Scan, or None when the token fails its own
    checks (the ORM path then records why, in the same words)."""
    from registration.models import RegistrationType

    outcome, named = token_verify(token=token, forum=forum, now=now, claimed_at=client_scanned_at,
                                  signing_keys=signing_keys, read_badge=False)
    if outcome is not None:
        return None
    params = {
        "badge": named.pk, "forum": forum.pk, "claimed_registration": named.registration_id,
        "confirmed": Registration.Status.CONFIRMED, "checkpoint": checkpoint.pk, "session": checkpoint.session_id,
        # Day and order from the server's clock, whatever the scan claims (see _admit).
        "day": timezone.localtime(now, forum.tzinfo).date(), "now": now, "staff": staff.pk, "nonce": client_nonce,
        "token": token, "claimed_at": client_scanned_at, "admitted": Outcome.ADMITTED,
        "already": Outcome.ALREADY_ADMITTED, "revoked": Outcome.REVOKED,
    }
    sql = _scan_admit_sql(checkpoint.session_id is not None)
    if connection.in_atomic_block:
        # Inside the caller's transaction: a failed statement (a retried nonce) must leave it usable.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    else:
        with connection.cursor() as cursor:  # autocommit: the statement is its own transaction
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return _scan_from_row(row, forum=forum, checkpoint=checkpoint, staff=staff, client_nonce=client_nonce,
                          token=token, now=now, client_scanned_at=client_scanned_at,
                          registration_type_model=RegistrationType)


def _scan_from_row(row, *, forum, checkpoint, staff, client_nonce, token, now, client_scanned_at,
                   registration_type_model) -> Scan:
    """The Scan SCAN_ADMIT_SQL wrote, with its registration, type and admission as the answer shows them."""
    scan_id, outcome, badge_id = row[:3]
    n_admission = db.column_count(Admission)
    admission_row, rest = row[3:3 + n_admission], row[3 + n_admission:]
    n_checkpoint = db.column_count(Checkpoint)
    n_registration = db.column_count(Registration, SCAN_REGISTRATION_FIELDS)
    checkpoint_row = rest[:n_checkpoint]
    registration_row = rest[n_checkpoint:n_checkpoint + n_registration]
    type_row = rest[n_checkpoint + n_registration:]
    registration = None
    if registration_row[0] is not None:
        registration = db.instance_from_row(Registration, registration_row, SCAN_REGISTRATION_FIELDS)
        registration.registration_type = db.instance_from_row(registration_type_model, type_row,
                                                              SCAN_REGISTRATION_TYPE_FIELDS)
        registration.forum = forum
    admission = None
    if admission_row[0] is not None:
        admission = db.instance_from_row(Admission, admission_row)
        admission.registration = registration
        admission.checkpoint = (checkpoint if checkpoint_row[0] == checkpoint.pk
                                else db.instance_from_row(Checkpoint, checkpoint_row))
    scan = Scan(id=scan_id, forum=forum, checkpoint=checkpoint, staff=staff, client_nonce=client_nonce, token=token,
                outcome=outcome, registration=registration, admission=admission, scanned_at=now,
                client_scanned_at=client_scanned_at)
    scan.badge_id = badge_id
    return scan


def _check_in(*, token, checkpoint, forum, staff, client_nonce, client_scanned_at, now) -> Scan:
    outcome, badge = token_verify(token=token, forum=forum, now=now, claimed_at=client_scanned_at)
    admission = None
    if outcome is None:
        # Day and order from the server's clock, whatever the scan claims: a badge admitted
        # today is already_admitted today even if a scanner dates the scan to another day.
        outcome, admission = _admit(badge=badge, checkpoint=checkpoint, staff=staff, at=now, forum=forum)
    scan = Scan.objects.create(
        forum=forum, checkpoint=checkpoint, staff=staff, client_nonce=client_nonce, token=token,
        outcome=outcome, badge=badge, registration=badge.registration if badge else None, admission=admission,
        client_scanned_at=client_scanned_at,
    )
    scan.checkpoint = checkpoint
    return scan


def _admit(*, badge: Badge, checkpoint: Checkpoint, staff, at: datetime, forum: Forum):
    day = timezone.localtime(at, forum.tzinfo).date()
    scope = {"session": checkpoint.session} if checkpoint.session_id else {"session__isnull": True, "day": day}
    try:
        # Insert first, ask later: the unique constraints decide, and the common case costs one statement.
        with transaction.atomic():
            admission = Admission.objects.create(
                registration_id=badge.registration_id, badge=badge, checkpoint=checkpoint,
                session_id=checkpoint.session_id, day=day, admitted_at=at, admitted_by=staff,
            )
            if checkpoint.session_id:
                SessionAttendance.objects.create(registration_id=badge.registration_id, session_id=checkpoint.session_id,
                                                 admission=admission, attended_at=at)
    except IntegrityError:
        earlier = Admission.objects.select_related("checkpoint").get(registration_id=badge.registration_id, **scope)
        return Outcome.ALREADY_ADMITTED, earlier
    admission.checkpoint = checkpoint
    return Outcome.ADMITTED, admission


# ---- Bulk printing -------------------------------------------------------------


@transaction.atomic
def print_job_create(*, forum: Forum, by, order_by: str = BulkPrintJob.Order.ORGANIZATION,
                     filters: dict | None = None) -> BulkPrintJob:
    """Queue printing of the forum's confirmed badges (or a filtered set); organizers only."""
    from .selectors import print_registrations

    if not permissions.can_edit_forum(by, forum):
        raise PermissionDenied(_("Only the organizers of this forum may print badges."))
    if order_by not in BulkPrintJob.Order.values:
        raise DomainError(_("Unknown sort order."), field="order_by")
    filters = filters or {}
    job = BulkPrintJob.objects.create(forum=forum, requested_by=by, order_by=order_by, filters=filters,
                                      total=print_registrations(forum=forum, filters=filters).count())
    transaction.on_commit(lambda: tasks.print_job_run_task.delay(job.pk))
    return job


def print_job_run(*, job_id: int) -> BulkPrintJob:
    """Render the job's badges into one PDF, page by page, recording progress as it goes."""
    import os
    import tempfile

    from django.core.files import File

    from .selectors import print_registrations

    job = BulkPrintJob.objects.select_related("forum").get(pk=job_id)
    if job.status == BulkPrintJob.Status.DONE:
        return job
    BulkPrintJob.objects.filter(pk=job.pk).update(status=BulkPrintJob.Status.RUNNING)
    registrations = print_registrations(forum=job.forum, filters=job.filters, order_by=job.order_by)

    def progress(done: int) -> None:
        BulkPrintJob.objects.filter(pk=job.pk).update(done=min(done, job.total))

    fd, path = tempfile.mkstemp(suffix=".pdf")
    os.close(fd)
    try:
        with open(path, "wb") as out:
            badges_sheet_write(forum=job.forum, registrations=registrations, out=out, progress=progress)
        with open(path, "rb") as handle:
            job.file.save(f"badges-{job.forum.slug}-{job.pk}.pdf", File(handle), save=False)
        job.status = BulkPrintJob.Status.DONE
        job.done = job.total
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "done", "finished_at"])
    except Exception as exc:
        # The job row carries the failure to the organizer; the worker keeps going.
        log.exception("badge print job %s failed", job.pk)
        BulkPrintJob.objects.filter(pk=job.pk).update(status=BulkPrintJob.Status.FAILED, error=str(exc)[:2000])
        job.refresh_from_db()
    finally:
        os.unlink(path)
    return job


# ---- Badges to print: issued here, then drawn by rendering -----------------------


def badge_pdf(*, registration: Registration) -> bytes:
    """One badge as a PDF page of the forum's badge size; the badge is issued first if it has none."""
    badge = badge_issue(registration=registration)
    forum = registration.forum
    return rendering.badge_pdf_draw(
        face=rendering.badge_face(registration=registration, badge=badge),
        paper_format=badge_settings_get(forum=forum).paper_format,
        title=f"{registration.full_name_ar} — {forum.title_ar}", logo=rendering.forum_logo(forum),
    )


QR_PNG_CACHE_SECONDS = 30 * 24 * 3600


def badge_qr_png(*, badge: Badge) -> bytes:
    """The badge's QR code as a PNG for the attendee's page, drawn once per badge version and then
    read from the cache (about 20 ms of CPU a view otherwise). The key names the badge and a digest
    of its token: a re-issued badge is another badge with another token, so it is drawn anew, and
    the token itself is not written into cache keys."""
    import hashlib

    from django.core.cache import cache

    key = f"badges:qr-png:{badge.pk}:{hashlib.sha256(badge.token.encode()).hexdigest()[:32]}"
    png = cache.get(key)
    if png is None:
        png = rendering.qr_png(badge.token)
        cache.set(key, png, QR_PNG_CACHE_SECONDS)
    return png


def badge_png(*, registration: Registration, dpi: int = 300) -> bytes:
    """The badge as a PNG image (for phones and e-mail); issued first if it has none."""
    badge = badge_issue(registration=registration)
    return rendering.badge_png_draw(face=rendering.badge_face(registration=registration, badge=badge),
                                    paper_format=badge_settings_get(forum=registration.forum).paper_format, dpi=dpi)


def _faces_issued(forum: Forum, registrations) -> Iterable[rendering.BadgeFace]:
    """Faces in print order, read 500 registrations at a time; a badge is issued on the way for any
    confirmed registration that lacks one."""
    chunk: list = []

    def flush():
        live = {
            b.registration_id: b
            for b in Badge.objects.filter(registration_id__in=[r.pk for r in chunk], revoked_at__isnull=True)
        }
        for registration in chunk:
            registration.forum = forum
            badge = live.get(registration.pk) or badge_issue(registration=registration)
            yield rendering.badge_face(registration=registration, badge=badge)

    for registration in registrations.iterator(chunk_size=500) if hasattr(registrations, "iterator") else registrations:
        chunk.append(registration)
        if len(chunk) == 500:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def badges_sheet_write(*, forum: Forum, registrations, out, progress: Callable[[int], None] | None = None) -> int:
    """The registrations' badges N-up on A4 with crop marks, into the binary file `out`; returns how many.
    Memory stays flat in the size of the sheet (see rendering)."""
    return rendering.badges_sheet_draw(
        faces=_faces_issued(forum, registrations), paper_format=badge_settings_get(forum=forum).paper_format,
        title=forum.title_ar, logo=rendering.forum_logo(forum), out=out, progress=progress,
    )
