"""The nominations portal: e-mail sign-in, drafts, documents, submission, withdrawal, extensions.

Drafts keep whatever was saved: a refused submission (late, a required answer
or document missing) changes nothing already stored, and says which field.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import formatting as fmt
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.models import Organization, Person
from forum.tokens import link_token_hash, link_token_make
from speakers.services import portal_user_for_person
from speakers.uploads import UploadRefused, inspect_upload, version_store

from .. import permissions
from ..models import Category, Cycle, Nomination, NominationDocument, NominationEvent, RequiredDocument, SignInLink
from ._common import require_manager, send_bilingual, site_url

SIGNIN_PURPOSE = "awards.portal.signin"  # single purpose: this salt signs nothing else
SIGNIN_VALID = timedelta(hours=2)
SIGNIN_PER_HOUR = 5
EDITABLE = (Nomination.Status.DRAFT, Nomination.Status.RETURNED)
DOCUMENT_KINDS = ["pdf", "docx", "pptx"]


# -- e-mail sign-in -----------------------------------------------------------------------------


@transaction.atomic
def signin_link_send(*, email: str) -> bool:
    """E-mail a one-time sign-in link. The answer never tells whether the address is known.

    Returns False (and sends nothing) past SIGNIN_PER_HOUR links an hour for one address.
    """
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(_("Enter a valid e-mail address."), field="email", code="invalid_email")
    now = timezone.now()
    if SignInLink.objects.filter(email=email, created_at__gte=now - timedelta(hours=1)).count() >= SIGNIN_PER_HOUR:
        return False
    token, token_hash = link_token_make(purpose=SIGNIN_PURPOSE)
    link = SignInLink.objects.create(email=email, token_hash=token_hash, expires_at=now + SIGNIN_VALID)
    url_ar = site_url("awards:portal_signin_open", "ar", token=token)
    url_en = site_url("awards:portal_signin_open", "en", token=token)
    send_bilingual(
        to=email,
        subject_ar="رابط الدخول إلى بوابة الترشيح", subject_en="Your sign-in link to the nominations portal",
        ar=f"لدخول بوابة الترشيح لجوائز التميز افتحوا هذا الرابط خلال ساعتين:\n{url_ar}\n\n"
           "إن لم تطلبوا الرابط فتجاهلوا هذه الرسالة.",
        en=f"To sign in to the excellence awards nominations portal, open this link within two hours:\n{url_en}\n\n"
           "If you did not ask for it, ignore this message.",
        kind="awards.signin", related=link,
    )
    return True


@transaction.atomic
def signin_link_use(*, token: str):
    """Check a sign-in link (genuine, current, unused), mark it used, and return the applicant's user.

    The applicant is the Person with that e-mail, created when missing; the
    account is a portal account (no password), as for speakers.
    """
    hashed = link_token_hash(token, purpose=SIGNIN_PURPOSE, max_age=SIGNIN_VALID)
    link = SignInLink.objects.select_for_update().filter(token_hash=hashed).first() if hashed else None
    if link is None:
        raise PermissionDenied(_("This link is not valid."), code="link_invalid")
    if link.used_at is not None:
        raise PermissionDenied(_("This link was already used. Ask for a new one."), code="link_used")
    if link.expires_at <= timezone.now():
        raise PermissionDenied(_("This link has expired. Ask for a new one."), code="link_expired")
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    person = Person.objects.filter(email__iexact=link.email).first()
    if person is None:
        person = Person.objects.create(email=link.email, full_name_ar=link.email.split("@")[0])
    return portal_user_for_person(person=person)


def applicant_for(user) -> Person:
    person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
    if person is None:
        raise PermissionDenied(_("Sign in to the nominations portal first."), code="not_applicant")
    return person


# -- deadlines ----------------------------------------------------------------------------------


def deadline_for(nomination: Nomination) -> datetime:
    """When this nomination stops accepting changes: the cycle's close, or the applicant's own
    extension, or (returned for completion) the completion deadline."""
    deadline = nomination.cycle.nominations_close
    if nomination.extended_until and nomination.extended_until > deadline:
        deadline = nomination.extended_until
    if nomination.status == Nomination.Status.RETURNED and nomination.return_deadline:
        deadline = max(deadline, nomination.return_deadline)
    return deadline


def _late_error(nomination: Nomination) -> DomainError:
    local = deadline_for(nomination).astimezone(timezone.get_current_timezone())
    return DomainError(
        _("The deadline passed on %(date)s at %(time)s; submissions are closed.")
        % {"date": fmt.dual_date(local.date(), "en" if _is_en() else "ar"), "time": local.strftime("%H:%M")},
        field="deadline", code="late",
    )


def _is_en() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ar").startswith("en")


def _check_open(nomination: Nomination, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if nomination.status not in EDITABLE:
        raise DomainError(_("This nomination can no longer be changed."), field="status", code="not_editable")
    if now < nomination.cycle.nominations_open:
        raise DomainError(_("Nominations are not open yet."), field="deadline", code="not_open")
    if now > deadline_for(nomination):
        raise _late_error(nomination)


def _own(user, nomination: Nomination) -> None:
    if not permissions.is_applicant(user, nomination):
        raise NotFound(_("No such nomination."))


# -- drafts -------------------------------------------------------------------------------------


def nominee_person_resolve(*, name_ar: str, email: str = "", name_en: str = "") -> Person:
    """The person a manager nominates: the one with that e-mail, or a new entry in the directory."""
    if not (name_ar or "").strip():
        raise DomainError(_("Give the nominee's name in Arabic."), field="nominee_name_ar", code="required")
    if email and (person := Person.objects.filter(email__iexact=email.strip()).first()) is not None:
        return person
    return Person.objects.create(full_name_ar=name_ar.strip(), full_name_en=(name_en or "").strip(),
                                 email=(email or "").strip().lower())


def nominee_organization_resolve(*, name_ar: str, name_en: str = "") -> Organization:
    """The organization or unit entered (a municipality, a department, a service centre)."""
    if not (name_ar or "").strip():
        raise DomainError(_("Give the name of the nominated body in Arabic."),
                          field="organization_name_ar", code="required")
    organization = Organization.objects.filter(name_ar=name_ar.strip(), parent=None).first()
    return organization or Organization.objects.create(name_ar=name_ar.strip(), name_en=(name_en or "").strip())


@transaction.atomic
def nomination_create(
    *, category: Category, user, nominee_person: Person | None = None,
    nominee_organization: Organization | None = None, title: str = "",
) -> Nomination:
    """Start a draft. Individual categories: the applicant (self) or a person they nominate;
    institutional categories: an organization or unit."""
    applicant = applicant_for(user)
    cycle = category.cycle
    now = timezone.now()
    if now < cycle.nominations_open:
        raise DomainError(_("Nominations are not open yet."), field="category", code="not_open")
    if now > cycle.nominations_close:
        raise DomainError(_("Nominations for this cycle are closed."), field="category", code="late")
    if category.kind == Category.Kind.INDIVIDUAL:
        nominee_organization = None
        nominee_person = nominee_person or applicant
    else:
        nominee_person = None
        if nominee_organization is None:
            raise DomainError(_("Give the name of the nominated body in Arabic."),
                              field="organization_name_ar", code="required")
    duplicate = Nomination.objects.filter(
        category=category, nominee_person=nominee_person, nominee_organization=nominee_organization
    ).exclude(status=Nomination.Status.WITHDRAWN)
    if duplicate.exists():
        raise DomainError(_("This nominee is already nominated in this category."), field="category",
                          code="duplicate")
    nomination = Nomination.objects.create(
        cycle=cycle, category=category, applicant=applicant, nominee_person=nominee_person,
        nominee_organization=nominee_organization, title=title,
    )
    NominationEvent.objects.create(nomination=nomination, kind="created", by=user)
    return nomination


@transaction.atomic
def nomination_save(*, nomination: Nomination, user, answers: dict | None = None, title: str | None = None) -> Nomination:
    """Keep the draft's answers (all or some); required answers are checked only on submission."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("cycle", "category").get(pk=nomination.pk)
    _own(user, nomination)
    _check_open(nomination)
    errors = {}
    if answers is not None:
        questions = {q.pk: q for q in nomination.category.questions.all()}
        clean = dict(nomination.answers)
        for key, value in answers.items():
            qid = str(key).removeprefix("question_")
            question = questions.get(int(qid)) if qid.isdigit() else None
            if question is None:
                errors[f"question_{key}"] = [_("No such question in this category.")]
                continue
            value = str(value or "").strip()
            if len(value) > question.max_length:
                errors[f"question_{qid}"] = [
                    _("At most %(n)s characters.") % {"n": question.max_length}
                ]
                continue
            clean[str(qid)] = value
        if errors:
            raise DomainError(errors=errors, code="invalid_answers")
        nomination.answers = clean
    if title is not None:
        nomination.title = title.strip()[:300]
    nomination.save(update_fields=["answers", "title", "updated_at"])
    return nomination


def document_upload(*, nomination: Nomination, user, document: RequiredDocument, upload) -> NominationDocument:
    """Store a new version of a required document, checked by content as working papers are."""
    nomination = Nomination.objects.select_related("cycle", "category").get(pk=nomination.pk)
    _own(user, nomination)
    _check_open(nomination)
    if document.category_id != nomination.category_id:
        raise DomainError(_("This document is not asked for in this category."), field="document", code="other")
    max_bytes = settings.AWARDS_MAX_UPLOAD_MB * 1024 * 1024
    try:
        inspected = inspect_upload(
            upload, name=upload.name, size=upload.size, accepted_kinds=DOCUMENT_KINDS, max_bytes=max_bytes
        )
    except UploadRefused as exc:
        raise DomainError(errors={f"document_{document.pk}": exc.errors["file"]}, code=exc.code)
    stored = NominationDocument(
        nomination=nomination, document=document, kind=inspected.kind,
        original_name=(upload.name or "")[-255:], size=inspected.size, sha256=inspected.sha256, uploaded_by=user,
    )
    version_store(stored=stored, upload=upload, kind=inspected.kind,
                  parent=Nomination.objects.filter(pk=nomination.pk),
                  versions=NominationDocument.objects.filter(nomination=nomination, document=document))
    return stored


def missing_for_submission(nomination: Nomination) -> dict[str, list[str]]:
    """Field -> message for every required answer and document still missing."""
    errors: dict[str, list[str]] = {}
    for question in nomination.category.questions.all():
        if question.required and not (nomination.answers.get(str(question.pk)) or "").strip():
            errors[f"question_{question.pk}"] = [_("This answer is required.")]
    uploaded = set(NominationDocument.objects.filter(nomination=nomination).values_list("document_id", flat=True))
    for document in nomination.category.documents.all():
        if document.required and document.pk not in uploaded:
            errors[f"document_{document.pk}"] = [
                _("The document «%(name)s» is required.") % {"name": document.name}
            ]
    return errors


@transaction.atomic
def nomination_submit(*, nomination: Nomination, user) -> Nomination:
    """Submit before the deadline with every required answer and document; the applicant gets a receipt."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related(
        "cycle__programme", "category", "applicant", "nominee_person", "nominee_organization"
    ).get(pk=nomination.pk)
    _own(user, nomination)
    _check_open(nomination)
    errors = missing_for_submission(nomination)
    if errors:
        raise DomainError(errors=errors, code="incomplete")
    was_returned = nomination.status == Nomination.Status.RETURNED
    nomination.status = Nomination.Status.SUBMITTED
    nomination.submitted_at = timezone.now()
    nomination.return_deadline = None
    nomination.save(update_fields=["status", "submitted_at", "return_deadline", "updated_at"])
    NominationEvent.objects.create(nomination=nomination, kind="resubmitted" if was_returned else "submitted", by=user)
    _receipt(nomination)
    return nomination


def _receipt(nomination: Nomination) -> None:
    programme, applicant = nomination.cycle.programme, nomination.applicant
    when = timezone.localtime(nomination.submitted_at)
    url = site_url("awards:portal_nomination", "ar", nomination_id=nomination.pk)
    send_bilingual(
        to=applicant.email,
        subject_ar=f"إيصال استلام ترشيح: {programme.name_ar}",
        subject_en=f"Nomination received: {programme.name_en or programme.name_ar}",
        ar=f"{applicant.display_name_ar}،\n\nاستلمنا ترشيح «{nomination.nominee_name_ar}» في فئة "
           f"«{nomination.category.name_ar}» ضمن {programme.name_ar} (الدورة {nomination.cycle.number}).\n"
           f"رقم الترشيح: {nomination.reference}\nوقت الاستلام: {fmt.dual_date(when.date(), 'ar')} "
           f"{when:%H:%M}\n\nمتابعة الترشيح: {url}\n",
        en=f"Dear {applicant.display_name_en},\n\nWe received the nomination of “{nomination.nominee_name_ar}” in "
           f"“{nomination.category.name_en or nomination.category.name_ar}”, {programme.name_en or programme.name_ar} "
           f"(cycle {nomination.cycle.number}).\nReference: {nomination.reference}\n"
           f"Received: {fmt.dual_date(when.date(), 'en')} {when:%H:%M}\n\nFollow it here: {url}\n",
        kind="awards.receipt", related=nomination,
    )


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, user, reason: str = "") -> Nomination:
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("cycle__programme", "applicant").get(
        pk=nomination.pk
    )
    _own(user, nomination)
    if nomination.status == Nomination.Status.WITHDRAWN:
        raise DomainError(_("This nomination was already withdrawn."), field="status", code="withdrawn")
    if nomination.cycle.results != Cycle.Results.PENDING:
        raise DomainError(_("Results are final; the nomination can no longer be withdrawn."), field="status",
                          code="final")
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.save(update_fields=["status", "updated_at"])
    NominationEvent.objects.create(nomination=nomination, kind="withdrawn", note=reason, by=user)
    programme = nomination.cycle.programme
    send_bilingual(
        to=nomination.applicant.email,
        subject_ar=f"سحب ترشيح: {programme.name_ar}", subject_en=f"Nomination withdrawn: {programme.name_en or programme.name_ar}",
        ar=f"سُحب الترشيح رقم {nomination.reference} («{nomination.nominee_name_ar}») بناءً على طلبكم.\n",
        en=f"Nomination {nomination.reference} (“{nomination.nominee_name_ar}”) was withdrawn as you asked.\n",
        kind="awards.withdrawn", related=nomination,
    )
    return nomination


@transaction.atomic
def extension_grant(*, nomination: Nomination, user, until: datetime) -> Nomination:
    """Award staff let this one applicant's nomination be changed and submitted until `until`."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("cycle__programme").get(pk=nomination.pk)
    require_manager(user, nomination.cycle.programme)
    if until <= timezone.now():
        raise DomainError(_("The extension must end in the future."), field="until", code="past")
    nomination.extended_until = until
    nomination.save(update_fields=["extended_until", "updated_at"])
    NominationEvent.objects.create(nomination=nomination, kind="extended", note=until.isoformat(), by=user)
    return nomination
