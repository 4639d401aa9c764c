"""Writes for certificates. Only the organizers of a forum (owners, editors) issue, correct and revoke.

Rules:
- a certificate states what it is for (`subject`); a forum has at most one live certificate of a kind
  for a subject (database constraint), so issuing twice gives the same certificate;
- issuing again with different printed facts (a corrected name, another role) revokes the old one and
  makes a new one under a new code; a revoked certificate shows "revoked" on its verification page at once;
- a holder with no name in one language gets the other;
- holders are e-mailed a link through the outbox after the commit.

A little over 600 lines: issuing, correcting, revoking, designs and batches share the one rule of
what a certificate states; to become a package by those if it grows.

For other apps (awards): `certificate_issue(forum=, kind=Kind.AWARD, holder=person_or_registration,
by=organizer, role_ar="بجائزة …", role_en="the … award", subject=f"award:{winner.pk}")`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forum import permissions
from forum.errors import DomainError, PermissionDenied
from forum.mailing.services import messages_schedule_batch, messages_store
from forum.models import Forum, Honorific, Person
from registration.models import Registration
from sessions.models import Honoree, Session, SessionRole

from . import selectors, tasks
from .models import (
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateSettings,
    Kind,
    Signatory,
)

log = logging.getLogger(__name__)

BATCH_CHUNK = 250
APPRECIATED_ROLES = (SessionRole.Role.CHAIR, SessionRole.Role.CO_CHAIR, SessionRole.Role.SPEAKER,
                     SessionRole.Role.PANELIST, SessionRole.Role.MODERATOR)


def _require_organizer(by, forum: Forum, message: str) -> None:
    if not permissions.can_edit_forum(by, forum):
        raise PermissionDenied(message)


# ---- Who the certificate is for ------------------------------------------------------------------


@dataclass
class Holder:
    """The printed facts of one certificate before it is issued."""

    subject: str
    name_ar: str
    name_en: str
    honorific: str = ""
    registration: Registration | None = None
    person: Person | None = None
    session: Session | None = None
    role_ar: str = ""
    role_en: str = ""
    hours: Decimal | None = None
    email: str = ""
    language: str = "ar"
    person_id: int | None = None  # an attendee's person is named by id: reading it would cost a query each

    def __post_init__(self):
        if self.person is not None:
            self.person_id = self.person.pk


def _names(name_ar: str, name_en: str) -> tuple[str, str]:
    name_ar, name_en = (name_ar or "").strip(), (name_en or "").strip()
    if not (name_ar or name_en):
        raise DomainError(_("The holder has no name in either language."), field="name_ar", code="no_name")
    return name_ar or name_en, name_en or name_ar


def holder_of(holder: Person | Registration, *, subject: str = "", session: Session | None = None,
              role_ar: str = "", role_en: str = "", hours: Decimal | None = None) -> Holder:
    if isinstance(holder, Registration):
        name_ar, name_en = _names(holder.full_name_ar, holder.full_name_en)
        return Holder(subject=subject or f"registration:{holder.pk}", name_ar=name_ar, name_en=name_en,
                      honorific=holder.honorific, registration=holder, person_id=holder.person_id, session=session,
                      role_ar=role_ar, role_en=role_en, hours=hours, email=holder.email, language=holder.language)
    if isinstance(holder, Person):
        name_ar, name_en = _names(holder.full_name_ar, holder.full_name_en)
        default = f"person:{holder.pk}" + (f":session:{session.pk}" if session is not None else "")
        return Holder(subject=subject or default, name_ar=name_ar, name_en=name_en, honorific=holder.honorific,
                      person=holder, session=session, role_ar=role_ar, role_en=role_en, hours=hours,
                      email=holder.email, language=holder.preferred_language or "ar")
    raise TypeError("a certificate is held by a Person or a Registration")


PRINTED = ("honorific", "name_ar", "name_en", "role_ar", "role_en", "hours")


def _same_print(cert: Certificate, holder: Holder) -> bool:
    return all(getattr(cert, f) == getattr(holder, f) for f in PRINTED) and cert.session_id == (
        holder.session.pk if holder.session is not None else None)


def _issue_many(*, forum: Forum, kind: str, holders: list[Holder], by=None) -> tuple[list[Certificate], list[Certificate]]:
    """(certificates in the order of `holders`, the ones new now). Three queries per call at most, plus the
    revocations of changed ones. Runs inside the caller's transaction."""
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of certificate."), field="kind")
    subjects = [h.subject for h in holders]
    live = {c.subject: c for c in Certificate.objects.filter(forum=forum, kind=kind, subject__in=subjects,
                                                            revoked_at__isnull=True)}
    result: dict[str, Certificate] = {}
    changed: list[Certificate] = []
    fresh: list[Certificate] = []
    for h in holders:
        current = live.get(h.subject)
        if current is not None and _same_print(current, h):
            result[h.subject] = current
            continue
        if current is not None:
            changed.append(current)
        cert = Certificate(
            forum=forum, kind=kind, subject=h.subject, registration=h.registration, person_id=h.person_id,
            session=h.session, honorific=h.honorific or "", name_ar=h.name_ar[:255], name_en=h.name_en[:255],
            role_ar=h.role_ar[:400], role_en=h.role_en[:400], hours=h.hours, email=h.email,
            language=h.language if h.language in ("ar", "en") else "ar", issued_by=by,
        )
        fresh.append(cert)
        result[h.subject] = cert
    now = timezone.now()
    if changed:
        Certificate.objects.filter(pk__in=[c.pk for c in changed]).update(revoked_at=now, revoked_reason="corrected")
    if fresh:
        for cert in fresh:
            cert.issued_at = now
        Certificate.objects.bulk_create(fresh)
        if any(c.pk is None for c in fresh):  # databases that do not return ids from a bulk insert
            codes = {c.code: c for c in fresh}
            for pk, code in Certificate.objects.filter(code__in=list(codes)).values_list("pk", "code"):
                codes[code].pk = pk
        if changed:
            replaced = {c.subject: result[c.subject].pk for c in changed}
            for old in changed:
                Certificate.objects.filter(pk=old.pk).update(replaced_by_id=replaced[old.subject])
    for cert in result.values():
        cert.forum = forum
    return [result[s] for s in subjects], fresh


@transaction.atomic
def certificate_issue(*, forum: Forum, kind: str, holder: Person | Registration, by, role_ar: str = "",
                      role_en: str = "", session: Session | None = None, hours: Decimal | None = None,
                      subject: str = "", notify: bool = True) -> Certificate:
    """Issue one certificate (or give back the live one with the same facts). Organizers only.

    `holder` is a Person (speakers, honorees, team, award winners) or a Registration (attendees).
    `subject` names what it is for when a holder may have several of a kind, e.g. f"award:{id}".
    """
    _require_organizer(by, forum, _("Only the organizers of this forum may issue certificates."))
    if isinstance(holder, Registration) and holder.forum_id != forum.pk:
        raise DomainError(_("This registration belongs to another forum."), field="holder")
    if session is not None and session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session")
    if hours is not None and hours <= 0:
        raise DomainError(_("Training hours must be more than zero."), field="hours")
    if kind == Kind.ATTENDANCE and isinstance(holder, Registration) and hours is None:
        hours = selectors.eligibility_for_registration(registration=holder).training_hours
    spec = holder_of(holder, subject=subject, session=session, role_ar=role_ar, role_en=role_en, hours=hours)
    try:
        with transaction.atomic():
            (cert,), fresh = _issue_many(forum=forum, kind=kind, holders=[spec], by=by)
    except IntegrityError:
        # Someone issued the same certificate at the same moment: theirs is the live one.
        cert = Certificate.objects.get(forum=forum, kind=kind, subject=spec.subject, revoked_at__isnull=True)
        fresh = []
    if notify and fresh:
        _notify([cert])
    return cert


@dataclass(frozen=True)
class AwardWinner:
    """A published winner, as the awards app states it: a person or an organization, and what was won."""

    subject: str  # one live certificate per winning entry, e.g. "award-result:<id>"
    name_ar: str
    name_en: str
    role_ar: str  # what was won: the programme, its cycle, and the category or tier
    role_en: str
    email: str = ""  # who is told: the winner, or whoever applied for an organization
    person: Person | None = None
    honorific: str = ""
    language: str = "ar"


@transaction.atomic
def award_certificates_issue(*, forum: Forum, winners: list[AwardWinner], by=None,
                             notify: bool = True) -> list[Certificate]:
    """Award certificates (kind "award") for published winners, in the order given.

    One live certificate per winning entry: publishing again gives back the same certificates, and a
    changed name or result re-issues under a new code and revokes the old one. The caller holds the right
    to honor on this forum: awards links a cycle to its ceremony forum only for that forum's organizers.
    """
    holders = []
    for winner in winners:
        name_ar, name_en = _names(winner.name_ar, winner.name_en)
        holders.append(Holder(subject=winner.subject, name_ar=name_ar, name_en=name_en, honorific=winner.honorific,
                              person=winner.person, role_ar=winner.role_ar, role_en=winner.role_en,
                              email=winner.email, language=winner.language))
    if not holders:
        return []
    certificates, fresh = _issue_many(forum=forum, kind=Kind.AWARD, holders=holders, by=by)
    if notify and fresh:
        _notify(fresh)
    return certificates


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str = "") -> Certificate:
    """Revoke a certificate now: its verification page says so, with the date. Organizers only."""
    current = Certificate.objects.select_for_update(of=("self",)).select_related("forum").get(pk=certificate.pk)
    _require_organizer(by, current.forum, _("Only the organizers of this forum may revoke certificates."))
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.revoked_reason = (reason or "").strip()[:255] or "revoked"
        current.save(update_fields=["revoked_at", "revoked_reason"])
    return current


@transaction.atomic
def certificate_correct(*, certificate: Certificate, by, notify: bool = True, **changes) -> Certificate:
    """Correct what a certificate prints (a misspelt name, the role): a new certificate under a new code
    replaces it, and the old one is revoked at once."""
    allowed = {"honorific", "name_ar", "name_en", "role_ar", "role_en", "hours"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown certificate fields: {sorted(unknown)}")
    if changes.get("honorific") and changes["honorific"] not in Honorific.values:
        raise DomainError(_("Choose one of the honorifics."), field="honorific", code="bad_honorific")
    current = Certificate.objects.select_for_update(of=("self",)).select_related("forum", "session").get(pk=certificate.pk)
    _require_organizer(by, current.forum, _("Only the organizers of this forum may correct certificates."))
    if current.revoked_at is not None:
        raise DomainError(_("This certificate was revoked; correct the one that replaced it."), code="revoked")
    facts = {f: getattr(current, f) for f in allowed} | changes
    name_ar, name_en = _names(facts["name_ar"], facts["name_en"])
    if facts["hours"] is not None and Decimal(facts["hours"]) <= 0:
        raise DomainError(_("Training hours must be more than zero."), field="hours")
    spec = Holder(subject=current.subject, name_ar=name_ar, name_en=name_en, honorific=facts["honorific"] or "",
                  registration=current.registration, person_id=current.person_id, session=current.session,
                  role_ar=facts["role_ar"], role_en=facts["role_en"], hours=facts["hours"], email=current.email,
                  language=current.language)
    (cert,), fresh = _issue_many(forum=current.forum, kind=current.kind, holders=[spec], by=by)
    if notify and fresh:
        _notify([cert])
    return cert


# ---- Settings and designs ------------------------------------------------------------------------


SETTINGS_FIELDS = ("rule", "min_sessions", "min_hours", "training_hours", "notify_holders")


@transaction.atomic
def certificate_settings_update(*, forum: Forum, by, **changes) -> CertificateSettings:
    _require_organizer(by, forum, _("Only the organizers of this forum may change its certificates."))
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    row, _created = CertificateSettings.objects.select_for_update().get_or_create(forum=forum)
    errors = {}
    if "rule" in changes and changes["rule"] not in CertificateSettings.Rule.values:
        errors["rule"] = [_("Choose one of the rules.")]
    if "min_sessions" in changes and not (isinstance(changes["min_sessions"], int) and 1 <= changes["min_sessions"] <= 500):
        errors["min_sessions"] = [_("Enter a whole number from 1 to 500.")]
    for name in ("min_hours", "training_hours"):
        value = changes.get(name)
        if value is None and name == "training_hours":
            continue
        if name in changes:
            try:
                value = Decimal(str(value))
            except ArithmeticError:
                value = None
            if value is None or not (Decimal("0.1") <= value <= Decimal("999")):
                errors[name] = [_("Enter a number of hours from 0.1 to 999.")]
            else:
                changes[name] = value.quantize(Decimal("0.1"))
    if errors:
        raise DomainError(errors=errors)
    for key, value in changes.items():
        setattr(row, key, value)
    row.save()
    return row


BACKGROUND_MAX_BYTES = 8 * 1024 * 1024
BACKGROUND_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def image_check(upload, *, field: str, max_bytes: int = BACKGROUND_MAX_BYTES) -> str:
    """A PNG or JPEG by its content, not its name; its extension as stored. Refuses oversize and broken ones."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise DomainError(_("The image is larger than %(mb)s MB; make it smaller.") % {"mb": max_bytes // 2**20},
                          field=field, code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise DomainError(_("Upload a PNG or JPEG image."), field=field, code="unsupported")
            if image.width * image.height > BACKGROUND_MAX_PIXELS:
                raise DomainError(_("The image has too many pixels; 300 dpi A4 is plenty."), field=field,
                                  code="too_large")
            image.verify()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(_("This image is damaged or not an image; it cannot be read."), field=field,
                          code="unreadable")
    finally:
        upload.seek(0)
    return IMAGE_FORMATS[fmt]


def background_check(upload) -> str:
    """The background's kind ("image" or "pdf") from its content; a clear refusal otherwise."""
    from speakers.uploads import detect_kind

    size = getattr(upload, "size", None)
    if size is None or size > BACKGROUND_MAX_BYTES:
        raise DomainError(_("The background is larger than %(mb)s MB; make it smaller.")
                          % {"mb": BACKGROUND_MAX_BYTES // 2**20}, field="background", code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        try:
            kind = detect_kind(upload)  # opens it with pypdf: encrypted or damaged files are refused
        except DomainError as exc:
            raise DomainError(exc.errors.get("file", [str(exc)])[0], field="background", code=exc.code) from exc
        if kind != "pdf":
            raise DomainError(_("Upload a PNG or JPEG image, or a one-page PDF."), field="background")
        return CertificateDesign.Background.PDF
    image_check(upload, field="background")
    return CertificateDesign.Background.IMAGE


DESIGN_FIELDS = ("title_ar", "title_en", "statement_ar", "statement_en", "accent_color", "show_logos")


@transaction.atomic
def certificate_design_save(*, forum: Forum, kind: str, by, background=None, remove_background: bool = False,
                            signatories: list[dict] | None = None, **fields) -> CertificateDesign:
    """Create or change the design of one kind. `signatories`: one to three dicts (honorific, name_ar,
    name_en, title_ar, title_en, signature upload) replacing the current ones."""
    import re

    _require_organizer(by, forum, _("Only the organizers of this forum may change its certificates."))
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of certificate."), field="kind")
    unknown = set(fields) - set(DESIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown design fields: {sorted(unknown)}")
    if "accent_color" in fields and not re.fullmatch(r"#[0-9A-Fa-f]{6}", fields["accent_color"] or ""):
        raise DomainError(_("Enter a colour like #14532d."), field="accent_color")
    design, _created = CertificateDesign.objects.select_for_update().get_or_create(forum=forum, kind=kind)
    for key, value in fields.items():
        setattr(design, key, value)
    if background is not None:
        design.background_kind = background_check(background)
        ext = "pdf" if design.background_kind == CertificateDesign.Background.PDF else image_check(
            background, field="background")
        design.background.save(f"{forum.slug}-{kind}.{ext}", background, save=False)
    elif remove_background:
        design.background = ""
        design.background_kind = CertificateDesign.Background.NONE
    design.save()
    if signatories is not None:
        if len(signatories) > 3:
            raise DomainError(_("A certificate has one to three signatories."), field="signatories")
        checked = []
        for index, s in enumerate(signatories):
            name_ar = (s.get("name_ar") or "").strip()
            if not name_ar:
                raise DomainError(_("Each signatory needs a name in Arabic."), field="signatories")
            signature = s.get("signature")
            ext = image_check(signature, field="signatories", max_bytes=2 * 2**20) if signature else None
            checked.append((index, s, name_ar, signature, ext))
        design.signatories.all().delete()
        for index, s, name_ar, signature, ext in checked:
            row = Signatory(design=design, order=index, honorific=s.get("honorific") or "", name_ar=name_ar,
                            name_en=(s.get("name_en") or "").strip(), title_ar=(s.get("title_ar") or "").strip(),
                            title_en=(s.get("title_en") or "").strip())
            if signature:
                row.signature.save(f"{forum.slug}-{kind}-{index}.{ext}", signature, save=False)
            row.save()
    return design


# ---- Groups: who a batch is for ------------------------------------------------------------------


def _session_label(session: Session, lang: str) -> str:
    with translation.override(lang):
        title = session.title_ar if lang == "ar" else (session.title_en or session.title_ar)
    return title


def _role_text(role: str, session: Session, paper_title: tuple[str, str] | None) -> tuple[str, str]:
    with translation.override("ar"):
        label_ar = str(SessionRole.Role(role).label)
    with translation.override("en"):
        label_en = str(SessionRole.Role(role).label).lower()
    ar = f"بصفة {label_ar} في «{_session_label(session, 'ar')}»"
    en = f"as {label_en} in “{_session_label(session, 'en')}”"
    if paper_title:
        ar += f" بورقة عمل عنوانها «{paper_title[0]}»"
        en += f", presenting the working paper “{paper_title[1] or paper_title[0]}”"
    return ar, en


def _paper_titles(forum: Forum) -> dict[tuple[int, int], tuple[str, str]]:
    """(person id, session id) -> the paper they present there (one query)."""
    from speakers.models import WorkingPaper

    titles = {}
    rows = WorkingPaper.objects.filter(forum=forum, session__isnull=False).values_list(
        "speakers__id", "session_id", "title_ar", "title_en")
    for person_id, session_id, title_ar, title_en in rows:
        if person_id:
            titles[(person_id, session_id)] = (title_ar, title_en)
    return titles


def _role_holders(forum: Forum, session: Session | None) -> Iterator[Holder]:
    roles = (SessionRole.objects.filter(session__forum=forum, role__in=APPRECIATED_ROLES)
             .exclude(session__status=Session.Status.CANCELLED)
             .select_related("person", "session").order_by("session__starts_at", "session_id", "order", "id"))
    if session is not None:
        roles = roles.filter(session=session)
    papers = _paper_titles(forum)
    for r in roles:
        role_ar, role_en = _role_text(r.role, r.session, papers.get((r.person_id, r.session_id)))
        yield holder_of(r.person, subject=f"person:{r.person_id}:session:{r.session_id}:{r.role}",
                        session=r.session, role_ar=role_ar, role_en=role_en)


def _honoree_holders(forum: Forum) -> Iterator[Holder]:
    honorees = (Honoree.objects.filter(forum=forum, person__isnull=False)
                .select_related("person", "session").order_by("order", "id"))
    for h in honorees:
        with translation.override("ar"):
            reason_ar = str(h.get_reason_display())
        with translation.override("en"):
            reason_en = str(h.get_reason_display()).lower()
        yield holder_of(h.person, subject=f"honoree:{h.pk}", session=h.session,
                        role_ar=f"بصفة {reason_ar}", role_en=f"as {reason_en}")


def _attendee_holders(forum: Forum) -> Iterator[Holder]:
    rules = selectors.certificate_settings_get(forum=forum)
    for registration in selectors.registrations_with_attendance(forum=forum).iterator(chunk_size=500):
        verdict = selectors.eligibility_of(registration, rules)
        if verdict.eligible:
            yield holder_of(registration, hours=verdict.training_hours)


def _team_holders(batch: CertificateBatch) -> Iterator[Holder]:
    people = Person.objects.filter(pk__in=batch.person_ids or []).order_by("full_name_ar", "id")
    kind = batch_kind(batch)
    if kind == Kind.PARTICIPATION:
        role_ar = batch.role_ar or "في تنظيم الملتقى"
        role_en = batch.role_en or "to the organization of the forum"
    else:
        role_ar, role_en = batch.role_ar, batch.role_en
    for person in people:
        yield holder_of(person, subject=f"person:{person.pk}:{kind}", role_ar=role_ar, role_en=role_en)


SCOPE_KIND = {
    CertificateBatch.Scope.ELIGIBLE_ATTENDEES: Kind.ATTENDANCE,
    CertificateBatch.Scope.SPEAKERS: Kind.APPRECIATION,
    CertificateBatch.Scope.SESSION: Kind.APPRECIATION,
    CertificateBatch.Scope.HONOREES: Kind.APPRECIATION,
    CertificateBatch.Scope.TEAM: Kind.PARTICIPATION,
}
# A list of people is thanked for taking part or appreciated; attendance follows check-in, and awards the
# awards' results.
LIST_KINDS = (Kind.PARTICIPATION, Kind.APPRECIATION)


def batch_kind(batch: CertificateBatch) -> str:
    return batch.kind or SCOPE_KIND[batch.scope]


def batch_holders(batch: CertificateBatch) -> Iterator[Holder]:
    Scope = CertificateBatch.Scope
    forum = batch.forum
    if batch.scope == Scope.ELIGIBLE_ATTENDEES:
        return _attendee_holders(forum)
    if batch.scope == Scope.SPEAKERS:
        return _role_holders(forum, None)
    if batch.scope == Scope.SESSION:
        return _role_holders(forum, batch.session)
    if batch.scope == Scope.HONOREES:
        return _honoree_holders(forum)
    return _team_holders(batch)


def _holders_count(batch: CertificateBatch) -> int:
    Scope = CertificateBatch.Scope
    if batch.scope == Scope.ELIGIBLE_ATTENDEES:
        return sum(1 for _h in _attendee_holders(batch.forum))
    if batch.scope in (Scope.SPEAKERS, Scope.SESSION):
        roles = SessionRole.objects.filter(session__forum=batch.forum, role__in=APPRECIATED_ROLES).exclude(
            session__status=Session.Status.CANCELLED)
        if batch.scope == Scope.SESSION:
            roles = roles.filter(session=batch.session)
        return roles.count()
    if batch.scope == Scope.HONOREES:
        return Honoree.objects.filter(forum=batch.forum, person__isnull=False).count()
    return Person.objects.filter(pk__in=batch.person_ids or []).count()


@transaction.atomic
def certificates_issue_for_roles(*, forum: Forum, by, session: Session | None = None,
                                 notify: bool = True) -> list[Certificate]:
    """Issue appreciation certificates at once (no PDF) to the chairs, speakers, panelists and moderators of
    the forum or of one session; the same certificates a batch of that group issues."""
    _require_organizer(by, forum, _("Only the organizers of this forum may issue certificates."))
    holders = list(_role_holders(forum, session))
    if not holders:
        return []
    certs, fresh = _issue_many(forum=forum, kind=Kind.APPRECIATION, holders=holders, by=by)
    if notify and fresh:
        _notify(fresh)
    return certs


# ---- Batches -------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, forum: Forum, by, scope: str, session: Session | None = None,
                 person_ids: Iterable[int] = (), role_ar: str = "", role_en: str = "", kind: str = "",
                 notify: bool | None = None) -> CertificateBatch:
    """Queue issuing and printing the certificates of a group; organizers only. Runs in the background.

    A list of people (scope "team") holds only people who take part in the forum (selectors.forum_people),
    and gets participation certificates unless `kind` says appreciation; other groups have their own kind.
    """
    _require_organizer(by, forum, _("Only the organizers of this forum may issue certificates."))
    if scope not in CertificateBatch.Scope.values:
        raise DomainError(_("Choose who the certificates are for."), field="scope")
    if scope == CertificateBatch.Scope.SESSION:
        if session is None:
            raise DomainError(_("Choose the session."), field="session")
        if session.forum_id != forum.pk:
            raise DomainError(_("This session belongs to another forum."), field="session")
    ids = sorted({int(i) for i in person_ids})
    if scope == CertificateBatch.Scope.TEAM:
        if not ids:
            raise DomainError(_("Choose the people to thank."), field="person_ids")
        if selectors.forum_people(forum=forum).filter(pk__in=ids).count() != len(ids):
            raise DomainError(_("Some of the people chosen take no part in this forum."), field="person_ids",
                              code="not_in_forum")
        if kind and kind not in LIST_KINDS:
            raise DomainError(_("A list of people gets participation or appreciation certificates."),
                              field="kind")
    elif kind and kind != SCOPE_KIND.get(scope):
        raise DomainError(_("This group gets its own kind of certificate."), field="kind")
    if notify is None:
        notify = selectors.certificate_settings_get(forum=forum).notify_holders
    batch = CertificateBatch(forum=forum, requested_by=by, scope=scope,
                             session=session if scope == CertificateBatch.Scope.SESSION else None,
                             person_ids=ids, role_ar=role_ar.strip()[:255], role_en=role_en.strip()[:255],
                             kind=kind if scope == CertificateBatch.Scope.TEAM else "", notify=notify)
    batch.total = _holders_count(batch)
    if batch.total == 0:
        raise DomainError(_("Nobody in this group is due a certificate yet."), field="scope", code="empty")
    batch.save()
    transaction.on_commit(lambda: tasks.batch_run_task.delay(batch.pk))
    return batch


def _issued_stream(batch: CertificateBatch, kind: str) -> Iterator[Certificate]:
    """Issue chunk by chunk, yielding the certificates in order. Each chunk is one transaction holding its
    certificates and the e-mails of the new ones (a fixed number of queries per chunk)."""
    chunk: list[Holder] = []

    def flush():
        with transaction.atomic():
            certs, fresh = _issue_many(forum=batch.forum, kind=kind, holders=chunk, by=batch.requested_by)
            if batch.notify and fresh:
                _notify(fresh, per_second=settings.OUTBOX_BULK_PER_SECOND)
        return certs

    seen: set[str] = set()
    for holder in batch_holders(batch):
        if holder.subject in seen:
            continue
        seen.add(holder.subject)
        chunk.append(holder)
        if len(chunk) >= BATCH_CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def batch_run(*, batch_id: int) -> CertificateBatch:
    """Issue the batch's certificates and print them into one PDF, recording progress and parts."""
    import os
    import tempfile

    from django.core.files import File

    from . import rendering

    batch = CertificateBatch.objects.select_related("forum__organizer", "session", "requested_by").get(pk=batch_id)
    if batch.status == CertificateBatch.Status.DONE:
        return batch
    CertificateBatch.objects.filter(pk=batch.pk).update(status=CertificateBatch.Status.RUNNING, done=0)
    kind = batch_kind(batch)
    look = rendering.look_for(forum=batch.forum, kind=kind)

    def progress(done: int, parts: int) -> None:
        CertificateBatch.objects.filter(pk=batch.pk).update(done=min(done, batch.total), parts=parts)

    fd, path = tempfile.mkstemp(suffix=".pdf")
    os.close(fd)
    try:
        with open(path, "wb") as out:
            count, parts = rendering.certificates_write(
                forum=batch.forum, certificates=_issued_stream(batch, kind), out=out,
                look_of=lambda _kind: look, progress=progress)
        with open(path, "rb") as handle:
            batch.file.save(f"certificates-{batch.forum.slug}-{batch.pk}.pdf", File(handle), save=False)
        batch.status = CertificateBatch.Status.DONE
        batch.total = max(batch.total, count)
        batch.done, batch.parts, batch.finished_at = count, parts, timezone.now()
        batch.save(update_fields=["file", "status", "total", "done", "parts", "finished_at"])
    except Exception as exc:
        # The batch row carries the failure to the organizer; the worker keeps going.
        log.exception("certificate batch %s failed", batch.pk)
        CertificateBatch.objects.filter(pk=batch.pk).update(status=CertificateBatch.Status.FAILED,
                                                            error=str(exc)[:2000])
        batch.refresh_from_db()
    finally:
        os.unlink(path)
    return batch


# ---- E-mail --------------------------------------------------------------------------------------


def _notify(certificates: Iterable[Certificate], *, per_second: float = 0) -> None:
    """Store the holders' e-mails in the outbox in one INSERT, in the caller's transaction, and hand them to the
    sender after the commit (`per_second`: the sender's pace, for a batch's many messages)."""
    from .mail import certificate_issued_messages

    messages = certificate_issued_messages(certificates=certificates)
    if messages:
        messages_schedule_batch(messages_store(messages), per_second=per_second)


def preview_certificate(*, forum: Forum, kind: str) -> Certificate:
    """An unsaved certificate for a sample holder, to preview a design (never stored)."""
    if kind not in Kind.values:
        raise DomainError(_("Unknown kind of certificate."), field="kind")
    sample = Certificate(forum=forum, kind=kind, subject="preview", honorific="doctor",
                         name_ar="عبدالرحمن بن محمد بن عبدالله آل سعود القحطاني", name_en="Abdulrahman M. Al-Qahtani",
                         hours=Decimal("6") if kind == Kind.ATTENDANCE else None, code="PREVIEW0PREVIEW0PREVIEW0AA")
    if kind == Kind.APPRECIATION:
        sample.role_ar, sample.role_en = "بصفة متحدث في «الجلسة الأولى»", "as speaker in “The first session”"
    elif kind == Kind.PARTICIPATION:
        sample.role_ar, sample.role_en = "في تنظيم الملتقى", "to the organization of the forum"
    elif kind == Kind.AWARD:
        sample.role_ar, sample.role_en = "بجائزة التميّز", "the excellence award"
    sample.issued_at = timezone.now()
    return sample
