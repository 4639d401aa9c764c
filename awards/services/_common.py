"""Small helpers every awards service uses: permission checks that raise, and bilingual e-mail."""

from __future__ import annotations

from django.utils.translation import gettext as _

from forum.errors import PermissionDenied
from forum.mailing.rendering import bilingual_text
from forum.mailing.services import message_enqueue

from .. import permissions
from ..links import site_url  # noqa: F401 - the services' shared helper


def require_manager(user, programme) -> None:
    if not permissions.can_manage(user, programme):
        raise PermissionDenied(_("Only the programme's owners and award staff may do this."))


def require_owner(user, programme) -> None:
    if not permissions.is_owner(user, programme):
        raise PermissionDenied(_("Only the programme's owners may do this."))


def send_bilingual(*, to: str, subject_ar: str, subject_en: str, ar: str, en: str, kind: str, related=None) -> None:
    """One message, Arabic first and English below, stored in the outbox and sent after commit."""
    if not to:
        return
    message_enqueue(
        to=to,
        subject=f"{subject_ar} | {subject_en}",
        text_body=bilingual_text(ar, en),
        language="ar",
        kind=kind,
        related=related,
    )
