"""Badges' answers to registration's hooks (registration.hooks); connected in BadgesConfig.ready()."""

from forum.mailing.services import Attachment


def on_confirmation_preparing(sender, registration, **kwargs) -> None:
    """The confirmation e-mail carries the badge: issue it first."""
    from .services import badge_issue

    badge_issue(registration=registration)


def on_seat_released(sender, registration, **kwargs) -> None:
    from .services import badge_revoke

    badge_revoke(registration=registration)


def confirmation_badge_attachment(registration) -> Attachment:
    from .services import badge_pdf

    return Attachment(f"badge-{registration.reference}.pdf", badge_pdf(registration=registration), "application/pdf")
