"""Invitations: the personal link (its token), signing in by it, inviting to a part in a session, withdrawing, replying."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import DomainError, ForumEnded, NotFound, PermissionDenied
from forum.models import Forum, Person
from forum.tokens import link_token_hash, link_token_make
from sessions.models import Session, SessionItem, SessionRole

from .. import mail
from ..models import (
    Invitation,
    WorkingPaper,
)

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
