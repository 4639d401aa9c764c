"""Writes for badges and check-in.

Rules:
- only a confirmed registration has a badge; it has at most one live badge
  (database constraint), and issuing is idempotent;
- re-issuing revokes the old token, cancelling revokes the badge;
- a scan always leaves a Scan row with the staff member who made it; the same
  client nonce from the same staff member is the same scan (same answer);
- a person is admitted at most once a day at the doors and once per session,
  however many scanners read the badge at the same moment: the badge row is
  locked (select_for_update) and Admission's unique constraints back it;
- an admission's day and order are the time the server received the scan; the
  scanner's clock only says, within bounds (scan_time), when the badge was scanned;
- every token is verified by token_verify, whatever the path.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions
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


def token_verify(*, token: str, forum: Forum, now: datetime | None = None, claimed_at: datetime | None = None):
    """The one check of a badge token, on every path: a scan, an offline upload, the tests.

    Returns (outcome, badge): outcome None when the badge may be admitted, otherwise
    why not (invalid signature, wrong forum, not yet valid, expired, revoked). The token's
    signature is checked against the forum's key that signed it, its validity at
    scan_time(), and the badge row: still live, of this registration, confirmed. Inside a
    transaction the badge row comes locked (a second scanner of the same badge waits here
    until the first has committed), with its key, in one query.
    """
    now = now or timezone.now()
    try:
        claims, payload, signature = signing.token_parse(token)
    except signing.TokenError:
        return Outcome.INVALID_SIGNATURE, None
    badge = None
    if claims.forum_id == forum.pk:
        badges = Badge.objects.select_related("signing_key", "registration__registration_type")
        if transaction.get_connection().in_atomic_block:
            badges = badges.select_for_update(of=("self",))
        badge = badges.filter(pk=claims.badge_id, forum=forum).first()
    if badge is not None and badge.signing_key.key_id == claims.key_id:
        raw_public = badge.signing_key.public_key
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
                   client_scanned_at: datetime | None = None) -> Scan:
    """Scan a badge at a checkpoint and record the scan; the Scan's outcome is the answer.

    Check-in staff, editors and owners of the checkpoint's forum only. A retry
    with the same client nonce returns the first scan and changes nothing.
    """
    forum = checkpoint.forum
    if not permissions.can_check_in(staff, forum):
        raise PermissionDenied(_("Only the check-in team of this forum may admit badges."))
    if not checkpoint.is_active:
        raise DomainError(_("This checkpoint is closed."), field="checkpoint")
    client_nonce = (client_nonce or "")[:64]
    now = timezone.now()  # when the server received the scan: the admission's day and order
    try:
        with transaction.atomic():
            return _check_in(token=token.strip()[:300], checkpoint=checkpoint, forum=forum, staff=staff,
                             client_nonce=client_nonce, client_scanned_at=client_scanned_at, now=now)
    except IntegrityError:
        # A retry: the nonce is already recorded (the insert waited for the first request to commit).
        # Everything this attempt did is rolled back and the first answer is given again.
        previous = _scan_by_nonce(staff, client_nonce)
        if previous is not None:
            return previous
        raise


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
