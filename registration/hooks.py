"""What registration lets the apps above it add, without importing them.

Badges (registration.badges) and calendars sit on top of registration: they read its models. When
registration must make them act (issue a badge for the confirmation e-mail, attach the calendar invite,
revoke a badge when a seat is given back), it sends a signal or asks the providers those apps registered
in their AppConfig.ready(). Nothing here names an app above.
"""

from __future__ import annotations

from collections.abc import Callable

from django.dispatch import Signal

# Sent before the confirmation e-mail of a confirmed registration is composed, with `registration`.
# The badges app issues the badge the e-mail carries. Sent robustly: a receiver's failure is logged
# and the e-mail still goes (the badge can be fetched from the registration page).
confirmation_preparing = Signal()

# Sent when a registration no longer holds a seat (cancelled, expired, refunded), with `registration`.
# The badges app revokes its live badge.
seat_released = Signal()

# Attachments of the confirmation e-mail: provider(registration) -> Attachment, in `position` order
# (the badge PDF first, then the calendar invite).
_attachment_providers: list[tuple[int, str, Callable]] = []


def confirmation_attachment_register(*, position: int, name: str, provider: Callable) -> None:
    """Add (once per name) a provider of a confirmation e-mail attachment; called from AppConfig.ready()."""
    if any(n == name for _, n, _ in _attachment_providers):
        return
    _attachment_providers.append((position, name, provider))
    _attachment_providers.sort(key=lambda entry: entry[0])


def confirmation_attachment_providers() -> list[tuple[str, Callable]]:
    return [(name, provider) for _, name, provider in _attachment_providers]

# Sent when an attendee's own registration page is drawn, with `registration` and `request`; each receiver
# returns an HTML fragment (or "") shown on the page, e.g. the certificates app's "certificate of attendance".
registration_page_sections = Signal()
