"""Signing in without the Django admin, and owners building their team by e-mail.

Every message goes through the outbox without a forum: sign-in links, password resets and team
invitations carry secrets, so they never show in a forum's outbox page (superusers only see them
in the mailing admin).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from forum import permissions
from forum import services as forum_services
from forum.errors import DomainError, PermissionDenied
from forum.mailing.rendering import bilingual_text
from forum.mailing.services import message_enqueue
from forum.models import Forum, TeamMember

from .models import TeamInvitation

SIGN_IN_SALT = "accounts.sign_in_link"  # signs nothing else
SIGN_IN_MINUTES = 20
INVITATION_SALT = "accounts.team_invitation"
INVITATION_DAYS = 14


def _site_url(name: str, **kwargs) -> tuple[str, str]:
    """(Arabic link, English link) to a page of the site."""
    links = []
    for language in ("ar", "en"):
        with translation.override(language):
            links.append(f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}")
    return links[0], links[1]


def _normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def users_with_email(email: str):
    return get_user_model().objects.filter(email__iexact=_normalize_email(email), is_active=True)


# ---- e-mail sign-in link ----------------------------------------------------------------------


def _user_state(user) -> str:
    """Changes when the user signs in or changes password or e-mail: a link works once."""
    last = user.last_login.replace(microsecond=0, tzinfo=None).isoformat() if user.last_login else ""
    return salted_hmac(SIGN_IN_SALT, f"{user.pk}:{user.password}:{last}:{user.email}").hexdigest()[:32]


def sign_in_link_send(*, email: str) -> int:
    """E-mail a one-time sign-in link to the active accounts with this address.

    Answers the same whether or not an account exists (the page says "if…"), so the form
    does not tell who has an account. Returns how many links were sent.
    """
    sent = 0
    for user in users_with_email(email)[:5]:
        token = signing.dumps({"u": user.pk, "s": _user_state(user)}, salt=SIGN_IN_SALT)
        link_ar, link_en = _site_url("accounts:link_open", token=token)
        message_enqueue(
            to=user.email,
            subject="رابط الدخول إلى منصة الملتقيات | Your sign-in link",
            text_body=bilingual_text(
                f"السلام عليكم،\n\nلتسجيل الدخول باسم المستخدم «{user.get_username()}» افتحوا هذا الرابط خلال "
                f"{SIGN_IN_MINUTES} دقيقة. يصلح مرة واحدة.\n{link_ar}\n\nإن لم تطلبوه فتجاهلوا هذه الرسالة.\n",
                f"Hello,\n\nTo sign in as “{user.get_username()}”, open this link within {SIGN_IN_MINUTES} "
                f"minutes. It works once.\n{link_en}\n\nIf you did not ask for it, ignore this message.\n",
            ),
            language="ar", kind="accounts.sign_in_link", related=user,
        )
        sent += 1
    return sent


def sign_in_link_user(*, token: str):
    """The user a sign-in link is for, if the link is genuine, recent and unused."""
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=timedelta(minutes=SIGN_IN_MINUTES))
        user = get_user_model().objects.filter(pk=int(data["u"]), is_active=True).first()
        state = data["s"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user, state = None, None
    if user is None or state != _user_state(user):
        raise PermissionDenied(
            _("This sign-in link is not valid: it expired, was already used, or was replaced. Ask for a new one."),
            code="link_invalid",
        )
    return user


# ---- password reset through the outbox ----------------------------------------------------------


def password_reset_send(*, user, uidb64: str, token: str) -> None:
    link_ar, link_en = _site_url("accounts:password_reset_confirm", uidb64=uidb64, token=token)
    message_enqueue(
        to=user.email,
        subject="إعادة تعيين كلمة المرور | Reset your password",
        text_body=bilingual_text(
            f"السلام عليكم،\n\nلتعيين كلمة مرور جديدة لاسم المستخدم «{user.get_username()}» افتحوا الرابط:\n"
            f"{link_ar}\n\nإن لم تطلبوا ذلك فتجاهلوا هذه الرسالة؛ كلمة مروركم لم تتغير.\n",
            f"Hello,\n\nTo choose a new password for “{user.get_username()}”, open this link:\n{link_en}\n\n"
            "If you did not ask for this, ignore this message; your password has not changed.\n",
        ),
        language="ar", kind="accounts.password_reset", related=user,
    )


# ---- team invitations ------------------------------------------------------------------------------


def _token_hash(nonce: str) -> str:
    return hashlib.sha256(f"{INVITATION_SALT}:{nonce}".encode()).hexdigest()


def where_role_lands(role: str) -> str:
    return {
        TeamMember.Role.CHECKIN: _("the check-in scanner"),
        TeamMember.Role.VIEWER: _("the forum's pages and reports, to read"),
    }.get(role, _("the forum's agenda, speakers, registrations and team"))


@transaction.atomic
def team_invitation_create(*, forum: Forum, email: str, role: str, invited_by) -> TeamInvitation:
    """An owner invites someone to the team by e-mail. A pending invitation of the same address
    is withdrawn and replaced (its link stops working)."""
    if not permissions.can_manage_team(invited_by, forum):
        raise PermissionDenied(_("Only the forum's owners invite team members."))
    email = _normalize_email(email)
    if not email:
        raise DomainError(_("Enter an e-mail address."), field="email", code="required")
    if role not in TeamMember.Role.values:
        raise DomainError(_("Choose a role."), field="role", code="bad_role")
    if TeamMember.objects.filter(forum=forum, user__email__iexact=email).exists():
        raise DomainError(_("Someone with this e-mail is already in the team; change their role below."),
                          field="email", code="already_member")
    TeamInvitation.objects.filter(forum=forum, email=email, status=TeamInvitation.Status.PENDING).update(
        status=TeamInvitation.Status.WITHDRAWN
    )
    nonce = secrets.token_urlsafe(32)
    token = signing.dumps({"n": nonce}, salt=INVITATION_SALT, compress=False)
    now = timezone.now()
    invitation = TeamInvitation.objects.create(
        forum=forum, email=email, role=role, token_hash=_token_hash(nonce), invited_by=invited_by,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    link_ar, link_en = _site_url("accounts:invitation", token=token)
    with translation.override("ar"):
        role_ar, lands_ar = str(TeamMember.Role(role).label), where_role_lands(role)
    with translation.override("en"):
        role_en, lands_en = str(TeamMember.Role(role).label), where_role_lands(role)
    message_enqueue(
        to=email,
        subject=f"دعوة للانضمام إلى فريق {forum.title_ar} | Join the team of {forum.title_en or forum.title_ar}",
        text_body=bilingual_text(
            f"السلام عليكم،\n\nيدعوكم فريق تنظيم «{forum.title_ar}» للانضمام إليه بدور: {role_ar}.\n"
            f"افتحوا الرابط لتعيين كلمة المرور (أو الدخول بحسابكم إن كان لديكم حساب)، وستصلون إلى {lands_ar}:\n"
            f"{link_ar}\n\nالرابط خاص بكم وصالح {INVITATION_DAYS} يومًا.\n",
            f"Hello,\n\nThe organizers of “{forum.title_en or forum.title_ar}” invite you to their team as: "
            f"{role_en}.\nOpen the link to set your password (or sign in, if you have an account); you will "
            f"land on {lands_en}:\n{link_en}\n\nThe link is personal and valid for {INVITATION_DAYS} days.\n",
        ),
        language="ar", kind="accounts.team_invitation", related=invitation,
    )
    invitation.token = token
    return invitation


def team_invitation_for_token(token: str) -> TeamInvitation:
    try:
        nonce = signing.loads(token, salt=INVITATION_SALT)["n"]
    except (signing.BadSignature, KeyError, TypeError):
        raise PermissionDenied(_("This invitation link is not valid."), code="link_invalid")
    invitation = TeamInvitation.objects.select_related("forum").filter(token_hash=_token_hash(nonce)).first()
    if invitation is None:
        raise PermissionDenied(_("This invitation link is not valid."), code="link_invalid")
    if invitation.status == TeamInvitation.Status.WITHDRAWN:
        raise PermissionDenied(_("This invitation was withdrawn or replaced by a newer one."), code="link_revoked")
    if invitation.status == TeamInvitation.Status.ACCEPTED:
        raise PermissionDenied(_("This invitation was already accepted; sign in."), code="link_used")
    if invitation.expires_at <= timezone.now():
        raise PermissionDenied(_("This invitation has expired; ask the forum's owners for a new one."),
                               code="link_expired")
    return invitation


def invitation_needs_sign_in(invitation: TeamInvitation) -> bool:
    """An account with a password exists for the address: its owner signs in with it to accept."""
    return any(u.has_usable_password() for u in users_with_email(invitation.email))


@transaction.atomic
def team_invitation_accept(*, token: str, user=None, password: str = ""):
    """Join the team. Signed in: as that account (its e-mail must be the invited one). Otherwise a
    password is set for a new account (or for a link-only account of that address). Returns the user."""
    invitation = team_invitation_for_token(token)
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != TeamInvitation.Status.PENDING:
        raise PermissionDenied(_("This invitation was already answered."), code="link_used")
    if user is not None and user.is_authenticated:
        if _normalize_email(user.email) != invitation.email:
            raise PermissionDenied(
                _("This invitation is for %(email)s; sign in with that account.") % {"email": invitation.email},
                code="other_account",
            )
    else:
        if invitation_needs_sign_in(invitation):
            raise DomainError(_("An account with this e-mail exists: sign in with its password to accept."),
                              code="sign_in_first")
        user = users_with_email(invitation.email).first()
        if user is None:
            User = get_user_model()
            username = invitation.email[:150]
            if User.objects.filter(username=username).exists():
                username = f"{invitation.email[:140]}-{secrets.token_hex(3)}"
            user = User(username=username, email=invitation.email)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(errors={"password1": exc.messages}, code="weak_password") from None
        user.set_password(password)
        user.save()
    TeamMember.objects.update_or_create(forum=invitation.forum, user=user, defaults={"role": invitation.role})
    invitation.status = TeamInvitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "responded_at"])
    return user


@transaction.atomic
def team_invitation_withdraw(*, invitation: TeamInvitation, user) -> None:
    if not permissions.can_manage_team(user, invitation.forum):
        raise PermissionDenied(_("Only the forum's owners invite team members."))
    TeamInvitation.objects.filter(pk=invitation.pk, status=TeamInvitation.Status.PENDING).update(
        status=TeamInvitation.Status.WITHDRAWN
    )


@transaction.atomic
def team_member_update(*, member: TeamMember, role: str, user) -> TeamMember:
    """An owner changes a member's role (the rule of at least one owner: forum.services)."""
    if not permissions.can_manage_team(user, member.forum):
        raise PermissionDenied(_("Only the forum's owners change the team."))
    if role not in TeamMember.Role.values:
        raise DomainError(_("Choose a role."), field="role", code="bad_role")
    return forum_services.team_member_update(member=member, role=role)


@transaction.atomic
def team_member_remove(*, member: TeamMember, user) -> None:
    if not permissions.can_manage_team(user, member.forum):
        raise PermissionDenied(_("Only the forum's owners change the team."))
    forum_services.team_member_remove(member=member)
