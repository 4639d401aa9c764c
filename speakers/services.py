"""Every write about speakers and papers goes through here: pages, API, admin and tasks.

E-mails are composed from templates by speakers.mail (Arabic first, English
below), stored in the outbox inside the same transaction and sent after commit
by forum.mailing.

Why one module of some 700 lines: it is still one sub-domain per section
(invitations, profile, papers and uploads, reminders, review, proceedings),
and work in progress elsewhere edits it; it is to become a package by those
sections, as registration/services/ did, once that work has landed.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from forum import permissions as forum_permissions
from forum.errors import DomainError, ForumEnded, NotFound, PermissionDenied
from forum.models import Forum, Person
from forum.tokens import link_token_hash, link_token_make
from sessions.models import Session, SessionItem, SessionRole

from . import mail, selectors
from .models import (
    SCORE_MAX,
    SCORE_MIN,
    Invitation,
    PaperFile,
    PaperSettings,
    ProceedingsJob,
    ProfilePhoto,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    WorkingPaper,
)
from .uploads import UploadRefused, inspect_upload, reencode_photo

TOKEN_SALT = "speakers.invitation.signin"  # single purpose: this salt signs nothing else


# -- invitation tokens ------------------------------------------------------------------------


def _make_token() -> tuple[str, str]:
    """(token for the link, hash to store). The token is signed; only the nonce's hash is kept."""
    return link_token_make(purpose=TOKEN_SALT)


def invitation_for_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation a link belongs to, if the link is genuine, current and not revoked.

    Raises PermissionDenied with a plain message otherwise. The signature is
    checked with this purpose's salt, so tokens made for anything else fail.
    """
    now = now or timezone.now()
    hashed = link_token_hash(token, purpose=TOKEN_SALT, max_age=timedelta(days=366))
    if hashed is None:
        raise PermissionDenied(_("This link is not valid."), code="link_invalid")
    invitation = Invitation.objects.select_related("person__user", "forum", "session").filter(token_hash=hashed).first()
    if invitation is None:
        raise PermissionDenied(_("This link is not valid."), code="link_invalid")
    if invitation.link_revoked_at is not None or invitation.status == Invitation.Status.REVOKED:
        raise PermissionDenied(
            _("This link was replaced by a newer invitation. Use the link in the latest e-mail."), code="link_revoked"
        )
    if invitation.expires_at <= now:
        raise PermissionDenied(
            _("This link has expired. Ask the organizers to send you a new invitation."), code="link_expired"
        )
    return invitation


def portal_user_for_invitation(*, invitation: Invitation):
    """The user account the invited person signs in with (see portal_user_for_person)."""
    return portal_user_for_person(person=invitation.person)


def portal_user_for_person(*, person: Person):
    """The user account a person signs in with by an e-mailed link; created and linked when missing.

    A link signs in only a portal account (one made by a link, without a
    password). Accounts with a password, staff, and members of any organizing
    team sign in with their password: otherwise whoever can read a forum's
    outbox could borrow another forum's organizer through an invitation.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    user = person.user
    if user is None:
        User = get_user_model()
        user = User(username=f"person-{person.pk}-{secrets.token_hex(3)}", email=person.email)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    from forum.models import TeamMember

    if (
        user.is_staff or user.is_superuser or not user.is_active or user.has_usable_password()
        or TeamMember.objects.filter(user=user).exists()
    ):
        raise PermissionDenied(
            _("This account signs in with its password, not with an invitation link."), code="link_not_for_staff"
        )
    return user


@transaction.atomic
def invitation_sign_in(*, token: str):
    """Check an invitation link and return (invitation, user) for the portal session."""
    invitation = invitation_for_token(token)
    return invitation, portal_user_for_invitation(invitation=invitation)


# -- invitations ------------------------------------------------------------------------------


def _paper_slot(*, session: Session, person: Person, paper: WorkingPaper) -> SessionItem:
    """The paper's place in the run of the session, so the agenda lists it: the organizer's
    existing item for this presenter if there is one, otherwise a new one at the end."""
    item = SessionItem.objects.filter(
        session=session, presenter=person, kind=SessionItem.Kind.PAPER, paper__isnull=True
    ).first()
    if item is None:
        last = SessionItem.objects.filter(session=session).aggregate(m=Max("order"))["m"]
        item = SessionItem.objects.create(
            session=session, kind=SessionItem.Kind.PAPER, presenter=person, title_ar=paper.title_ar,
            title_en=paper.title_en, order=0 if last is None else last + 1,
        )
    return item


@transaction.atomic
def invitation_create(
    *, forum: Forum, session: Session, person: Person, role: str = SessionRole.Role.SPEAKER, invited_by=None,
    paper_title_ar: str = "", paper_title_en: str = "", message: str = "", valid_days: int | None = None,
) -> Invitation:
    """Invite a person to a part in a session and e-mail them their personal link.

    The invitation creates the SessionRole (or points to the existing one) and,
    for a speaker, the working paper to upload into. Any older link of the
    same person in this forum stops working; an older pending invitation to
    the same part is withdrawn.
    """
    if session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session", code="other_forum")
    if forum.is_over:
        # The reason registration gives after the last day; nothing is written and no mail goes out.
        raise ForumEnded(field="session")
    if role not in {r for r, _label in Invitation.ROLES}:
        raise DomainError(_("Choose speaker, chair or panelist."), field="role", code="bad_role")
    if not person.email:
        raise DomainError(_("This person has no e-mail address; add one first."), field="person", code="no_email")
    if role == SessionRole.Role.CHAIR:
        other_chair = SessionRole.objects.filter(session=session, role=SessionRole.Role.CHAIR).exclude(person=person)
        if other_chair.exists():
            raise DomainError(_("This session already has a chair."), field="role", code="has_chair")
    now = timezone.now()
    Invitation.objects.filter(forum=forum, person=person, link_revoked_at__isnull=True).update(link_revoked_at=now)
    Invitation.objects.filter(session=session, person=person, role=role, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED
    )
    session_role, _created = SessionRole.objects.get_or_create(
        session=session, person=person, role=role,
        defaults={"order": SessionRole.objects.filter(session=session).count()},
    )
    paper = None
    if role == SessionRole.Role.SPEAKER:
        # The speaker's paper in this session, whether it was linked to the session itself or only
        # through its slot in the run of items (as organizers and the demo do): never a second one.
        paper = (
            WorkingPaper.objects.filter(Q(session=session) | Q(session_item__session=session), forum=forum,
                                        speakers=person)
            .order_by("id").first()
        )
        if paper is not None and paper.session_id is None:
            paper.session = session
            paper.save(update_fields=["session"])
        if paper is None:
            paper = WorkingPaper.objects.create(
                forum=forum, session=session,
                title_ar=paper_title_ar or f"ورقة عمل: {person.full_name_ar}",
                title_en=paper_title_en,
            )
            paper.speakers.add(person)
        if paper.session_item_id is None:
            paper.session_item = _paper_slot(session=session, person=person, paper=paper)
            paper.save(update_fields=["session_item"])
    token, token_hash = _make_token()
    invitation = Invitation.objects.create(
        forum=forum, session=session, person=person, role=role, session_role=session_role, paper=paper,
        token_hash=token_hash, invited_by=invited_by, message=message,
        expires_at=now + timedelta(days=valid_days or settings.SPEAKERS_INVITATION_DAYS),
    )
    mail.invitation_mail_enqueue(invitation=invitation, token=token)
    # The token leaves the system only in the e-mail; keep it on the object for the caller's response.
    invitation.token = token
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Withdraw an invitation: its link stops working at once."""
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.REVOKED if invitation.status == Invitation.Status.PENDING else invitation.status,
        link_revoked_at=timezone.now(),
    )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_respond(*, invitation: Invitation, person: Person, accept: bool) -> Invitation:
    """The invited person accepts or declines. Only they may; a withdrawn invitation cannot be answered."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.person_id != person.pk:
        raise NotFound(_("No such invitation."))
    if invitation.status == Invitation.Status.REVOKED:
        raise DomainError(_("This invitation was withdrawn by the organizers."), code="revoked")
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


# -- profile ----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "honorific", "academic_title", "full_name_ar", "full_name_en", "position_ar", "position_en", "bio_ar", "bio_en",
    "preferred_language",
)
PHOTO_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def profile_update(*, person: Person, organization_name: str | None = None, photo=None, **changes) -> Person:
    """The person completes their profile. A photo is re-encoded (metadata stripped) with a thumbnail."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    if "full_name_ar" in changes and not (changes["full_name_ar"] or "").strip():
        raise DomainError(_("The name in Arabic is required."), field="full_name_ar", code="required")
    person = Person.objects.select_for_update().get(pk=person.pk)
    for key, value in changes.items():
        setattr(person, key, value)
    if organization_name is not None and organization_name.strip():
        from forum.models import Organization

        name = organization_name.strip()
        org = Organization.objects.filter(name_ar=name, parent=None).first() or Organization.objects.filter(
            name_en=name
        ).first()
        if org is None:
            org = Organization.objects.create(name_ar=name)
        person.organization = org
    if photo is not None:
        if photo.size > PHOTO_MAX_BYTES:
            raise UploadRefused(_("The photo is too large; the limit is 10 MB."), code="photo_too_large")
        photo_bytes, thumb_bytes = reencode_photo(photo)
        stem = uuid.uuid4().hex
        person.photo.save(f"{stem}.jpg", ContentFile(photo_bytes), save=False)
        thumb, _created = ProfilePhoto.objects.get_or_create(person=person, defaults={"thumbnail": ""})
        thumb.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumb_bytes), save=True)
    person.full_clean(validate_unique=False, validate_constraints=False)
    person.save()
    return person


# -- the person's own e-mail --------------------------------------------------------------------
#
# The e-mail is how a person signs in, so only they change it, from their profile: a link goes to
# the new address (proving it is theirs) and a notice to the old one (so a stolen session cannot
# move the account quietly). Neither message belongs to a forum's outbox.

EMAIL_CHANGE_SALT = "speakers.profile.email_change"  # signs nothing else
EMAIL_CHANGE_DAYS = 2


def _email_key(email: str) -> str:
    return (email or "").strip().lower()


@transaction.atomic
def profile_email_change_request(*, person: Person, new_email: str) -> None:
    new_email = (new_email or "").strip()
    if not new_email:
        raise DomainError(_("Enter the new e-mail address."), field="email", code="required")
    if _email_key(new_email) == _email_key(person.email):
        raise DomainError(_("This is already your e-mail address."), field="email", code="unchanged")
    if Person.objects.filter(email__iexact=new_email).exclude(pk=person.pk).exists():
        raise DomainError(_("Another person already uses this e-mail address."), field="email", code="email_taken")
    token = signing.dumps({"p": person.pk, "old": person.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    mail.email_change_mail_enqueue(person=person, new_email=new_email, token=token)


@transaction.atomic
def profile_email_change_confirm(*, token: str) -> Person:
    """Apply a confirmed change; the link works once (the old address must still be the current one)."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=timedelta(days=EMAIL_CHANGE_DAYS))
        person_id, old, new = int(data["p"]), data["old"], data["new"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PermissionDenied(_("This confirmation link is not valid or has expired."), code="link_invalid")
    person = Person.objects.select_for_update().select_related("user").filter(pk=person_id).first()
    if person is None or _email_key(person.email) != _email_key(old):
        raise PermissionDenied(_("This confirmation link was already used or replaced."), code="link_used")
    if Person.objects.filter(email__iexact=new).exclude(pk=person.pk).exists():
        raise DomainError(_("Another person already uses this e-mail address."), field="email", code="email_taken")
    person.email = new
    person.save(update_fields=["email"])
    if person.user is not None:
        person.user.email = new
        person.user.save(update_fields=["email"])
    return person


# -- paper files ------------------------------------------------------------------------------


def upload_allowed_now(*, paper: WorkingPaper, user, now: datetime | None = None) -> bool:
    """Organizers may always upload; speakers until the deadline or their extension."""
    if forum_permissions.can_edit_forum(user, paper.forum):
        return True
    deadline = selectors.paper_deadline(paper=paper)
    return deadline is None or (now or timezone.now()) <= deadline


def paper_file_upload(
    *, paper: WorkingPaper, user, upload, role: str = PaperFile.Role.PAPER, now: datetime | None = None
) -> PaperFile:
    """Store a new version of a paper (or of its slides) after checking it completely.

    Only the paper's speakers and the forum's editors may upload; after the
    deadline, speakers need an organizer's extension. The file is checked
    (kind from content, macros, ZIP bombs, encryption, size) before anything
    is written; it is stored under a random name, then the row is committed.
    If anything fails, the stored file is removed and earlier versions stay
    exactly as they were.
    """
    if not selectors.user_can_upload(user, paper):
        raise PermissionDenied(_("You cannot upload files for this paper."))
    if role not in PaperFile.Role.values:
        raise DomainError(_("Unknown file."), field="role", code="bad_role")
    if not upload_allowed_now(paper=paper, user=user, now=now):
        deadline = selectors.paper_deadline(paper=paper)
        local = deadline.astimezone(paper.forum.tzinfo)
        raise DomainError(
            _("The deadline passed on %(date)s. Uploading now needs an extension from the organizers.")
            % {"date": local.strftime("%Y-%m-%d %H:%M")},
            field="file", code="deadline_passed",
        )
    settings_ = selectors.paper_settings_for(forum=paper.forum)
    accepted = list(settings_.accepted_kinds)
    if role == PaperFile.Role.SLIDES:
        accepted = [k for k in accepted if k in ("pdf", "pptx")] or ["pdf", "pptx"]
    inspected = inspect_upload(
        upload, name=getattr(upload, "name", ""), size=upload.size, accepted_kinds=accepted,
        max_bytes=settings_.max_upload_bytes,
    )
    stored = PaperFile(
        paper=paper, role=role, kind=inspected.kind, original_name=(getattr(upload, "name", "") or "")[-255:],
        size=inspected.size, sha256=inspected.sha256, uploaded_by=user if user.is_authenticated else None,
    )
    upload.seek(0)
    # Written under a name nobody chooses, before the row exists: a failure below leaves no row.
    stored.file.save(f"{uuid.uuid4().hex}.{inspected.kind}", File(upload), save=False)
    try:
        with transaction.atomic():
            WorkingPaper.objects.select_for_update().get(pk=paper.pk)
            last = PaperFile.objects.filter(paper=paper, role=role).order_by("-version").first()
            stored.version = (last.version + 1) if last else 1
            stored.save()
            if role == PaperFile.Role.PAPER and paper.status in (WorkingPaper.Status.DRAFT, WorkingPaper.Status.REVISE):
                WorkingPaper.objects.filter(pk=paper.pk).update(status=WorkingPaper.Status.SUBMITTED)
    except BaseException:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


@transaction.atomic
def paper_update(*, paper: WorkingPaper, user, **changes) -> WorkingPaper:
    """Speakers (and editors) correct the title and abstract."""
    if not selectors.user_can_upload(user, paper):
        raise PermissionDenied(_("You cannot change this paper."))
    allowed = {"title_ar", "title_en", "abstract_ar", "abstract_en"}
    if set(changes) - allowed:
        raise TypeError(f"unknown paper fields: {sorted(set(changes) - allowed)}")
    if "title_ar" in changes and not changes["title_ar"].strip():
        raise DomainError(_("The title in Arabic is required."), field="title_ar", code="required")
    for key, value in changes.items():
        setattr(paper, key, value)
    paper.save(update_fields=list(changes))
    return paper


@transaction.atomic
def paper_extension_grant(*, paper: WorkingPaper, until: datetime, granted_by) -> WorkingPaper:
    """An organizer lets this paper's speakers upload until `until`, past the forum deadline."""
    if not forum_permissions.can_edit_forum(granted_by, paper.forum):
        raise PermissionDenied(_("Only the organizers may grant an extension."))
    if until <= timezone.now():
        raise DomainError(_("The extension must end in the future."), field="until", code="past")
    paper.extended_until = until
    paper.extended_by = granted_by
    paper.save(update_fields=["extended_until", "extended_by"])
    return paper


@transaction.atomic
def paper_settings_update(*, forum: Forum, user, **changes) -> PaperSettings:
    """Deadline, accepted kinds, size limit, review and publication for one forum."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may change the paper settings."))
    allowed = {"deadline", "accepted_kinds", "max_upload_mb", "review_enabled", "publication"}
    if set(changes) - allowed:
        raise TypeError(f"unknown settings: {sorted(set(changes) - allowed)}")
    kinds = changes.get("accepted_kinds")
    if kinds is not None:
        from .models import FileKind

        kinds = [k for k in FileKind.values if k in set(kinds)]
        if not kinds:
            raise DomainError(_("Accept at least one kind of file."), field="accepted_kinds", code="required")
        changes["accepted_kinds"] = kinds
    size = changes.get("max_upload_mb")
    if size is not None and not 1 <= int(size) <= 200:
        raise DomainError(_("The size limit must be between 1 and 200 MB."), field="max_upload_mb", code="range")
    obj, _created = PaperSettings.objects.select_for_update().get_or_create(forum=forum)
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.save()
    return obj


REMINDER_ITEMS = {"reply": gettext_noop("a reply to the invitation"), "paper": gettext_noop("the working paper")}


@transaction.atomic
def reminders_send(*, forum: Forum, user) -> int:
    """One e-mail to everyone who still owes a reply or a paper; returns how many were queued."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may send reminders."))
    owed: dict[int, tuple[Person, list[str]]] = {}
    for status in selectors.forum_dashboard(forum=forum):
        for part in status.parts:
            inv = part.invitation
            items = []
            if inv is not None and inv.status == Invitation.Status.PENDING:
                items.append(REMINDER_ITEMS["reply"])
            if part.paper is not None and not part.has_paper_file and (
                inv is None or inv.status != Invitation.Status.DECLINED
            ):
                items.append(REMINDER_ITEMS["paper"])
            if items and part.person.email:
                entry = owed.setdefault(part.person.pk, (part.person, []))
                entry[1].extend(i for i in items if i not in entry[1])
    deadline = selectors.paper_settings_for(forum=forum).deadline
    for person, items in owed.values():
        mail.reminder_mail_enqueue(person=person, forum=forum, missing=items, deadline=deadline)
    return len(owed)


# -- review -----------------------------------------------------------------------------------


@transaction.atomic
def criterion_create(*, forum: Forum, user, name_ar: str, name_en: str = "", weight: int = 1, order: int = 0):
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may define review criteria."))
    if weight < 1:
        raise DomainError(_("The weight must be at least 1."), field="weight", code="range")
    if ReviewCriterion.objects.filter(forum=forum, name_ar=name_ar).exists():
        raise DomainError(_("A criterion with this name exists."), field="name_ar", code="duplicate")
    return ReviewCriterion.objects.create(forum=forum, name_ar=name_ar, name_en=name_en, weight=weight, order=order)


@transaction.atomic
def review_assign(*, paper: WorkingPaper, reviewer, assigned_by) -> ReviewAssignment:
    """An organizer asks a user to review a paper. A speaker of the paper cannot review it."""
    if not forum_permissions.can_edit_forum(assigned_by, paper.forum):
        raise PermissionDenied(_("Only the organizers may assign reviewers."))
    if selectors.user_is_paper_speaker(reviewer, paper):
        raise DomainError(_("A speaker cannot review their own paper."), field="reviewer", code="own_paper")
    if ReviewAssignment.objects.filter(paper=paper, reviewer=reviewer).exists():
        raise DomainError(_("This reviewer is already assigned to this paper."), field="reviewer", code="duplicate")
    assignment = ReviewAssignment.objects.create(paper=paper, reviewer=reviewer, assigned_by=assigned_by)
    if reviewer.email:
        mail.review_request_mail_enqueue(assignment=assignment)
    return assignment


@transaction.atomic
def review_submit(*, assignment: ReviewAssignment, user, scores: dict[int, int], comment: str = "") -> ReviewAssignment:
    """The assigned reviewer scores every criterion (SCORE_MIN..SCORE_MAX) and comments, once."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("paper__forum").get(pk=assignment.pk)
    if assignment.reviewer_id != user.pk:
        raise NotFound(_("No such review."))
    if assignment.is_submitted:
        raise DomainError(_("This review was already submitted."), code="already_submitted")
    criteria = selectors.criteria_for_forum(forum=assignment.paper.forum)
    if not criteria:
        raise DomainError(_("The organizers have not defined review criteria yet."), code="no_criteria")
    errors = {}
    clean: dict[int, int] = {}
    for c in criteria:
        raw = scores.get(c.pk, scores.get(str(c.pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[f"score_{c.pk}"] = [_("Give a score for this criterion.")]
            continue
        if not SCORE_MIN <= value <= SCORE_MAX:
            errors[f"score_{c.pk}"] = [
                _("The score must be between %(min)s and %(max)s.") % {"min": SCORE_MIN, "max": SCORE_MAX}
            ]
            continue
        clean[c.pk] = value
    if errors:
        raise DomainError(errors=errors, code="invalid_scores")
    ReviewScore.objects.filter(assignment=assignment).delete()
    ReviewScore.objects.bulk_create(
        [ReviewScore(assignment=assignment, criterion_id=cid, score=v) for cid, v in clean.items()]
    )
    assignment.comment = comment
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["comment", "submitted_at"])
    return assignment


DECISIONS = (WorkingPaper.Status.ACCEPTED, WorkingPaper.Status.REVISE, WorkingPaper.Status.REJECTED)


@transaction.atomic
def paper_decide(*, paper: WorkingPaper, user, decision: str, comment: str = "") -> WorkingPaper:
    """Accept, ask for a revision, or reject. The speakers are told; on revise, with the comments."""
    if not forum_permissions.can_edit_forum(user, paper.forum):
        raise PermissionDenied(_("Only the organizers may decide on papers."))
    if decision not in DECISIONS:
        raise DomainError(_("Choose accept, revise or reject."), field="decision", code="bad_decision")
    if decision == WorkingPaper.Status.REVISE and not comment.strip():
        raise DomainError(_("Tell the speaker what to revise."), field="comment", code="required")
    if decision == WorkingPaper.Status.ACCEPTED and selectors.paper_current_file(paper=paper) is None:
        raise DomainError(_("A paper without a file cannot be accepted."), field="decision", code="no_file")
    paper = WorkingPaper.objects.select_for_update().get(pk=paper.pk)
    paper.status = decision
    paper.decision_comment = comment
    paper.decided_at = timezone.now()
    paper.decided_by = user
    paper.save(update_fields=["status", "decision_comment", "decided_at", "decided_by"])
    mail.decision_mail_enqueue(paper=paper, decision=decision, comment=comment)
    return paper


# -- proceedings ------------------------------------------------------------------------------


@transaction.atomic
def proceedings_request(*, forum: Forum, user, digits: str = "arab") -> ProceedingsJob:
    """Queue a build of the proceedings book; it runs in the background after commit."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may build the proceedings."))
    # One build at a time; a build whose worker died an hour ago no longer blocks a new one.
    running = ProceedingsJob.objects.filter(
        forum=forum, status__in=[ProceedingsJob.Status.QUEUED, ProceedingsJob.Status.RUNNING],
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).first()
    if running is not None:
        return running
    job = ProceedingsJob.objects.create(forum=forum, requested_by=user, digits="latn" if digits == "latn" else "arab")
    from .tasks import build_proceedings

    transaction.on_commit(lambda: build_proceedings.delay(job.pk))
    return job


def proceedings_build(*, job_id: int) -> ProceedingsJob:
    """Build the book for a queued job, recording progress as each paper is appended."""
    from .proceedings import build_book

    job = ProceedingsJob.objects.select_related("forum").get(pk=job_id)
    if job.status not in (ProceedingsJob.Status.QUEUED, ProceedingsJob.Status.FAILED):
        return job
    ProceedingsJob.objects.filter(pk=job.pk).update(status=ProceedingsJob.Status.RUNNING, error="", done=0)

    def progress(done: int, total: int) -> None:
        ProceedingsJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        result = build_book(forum=job.forum, progress=progress, digits=job.digits)
        try:
            with open(result.path, "rb") as fh:
                job.file.save(f"{uuid.uuid4().hex}.pdf", File(fh), save=False)
        finally:
            result.path.unlink(missing_ok=True)
        ProceedingsJob.objects.filter(pk=job.pk).update(
            status=ProceedingsJob.Status.DONE, file=job.file.name, page_count=result.page_count,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        ProceedingsJob.objects.filter(pk=job.pk).update(
            status=ProceedingsJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job
