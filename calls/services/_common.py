"""What the services of the call share: errors, permissions, links, words, throttling."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions
from forum.errors import DomainError, PermissionDenied
from forum.models import Forum


class TooManyRequests(DomainError):
    """Refused for now: too many attempts from this address or network (HTTP 429)."""

    status_code = 429
    default_code = "throttled"


def require_organizer(user, forum: Forum, message: str | None = None) -> None:
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(message or _("Only the organizers may do this."))


def bilingual(ar: str, en: str) -> str:
    return f"{ar}\n\n— English —\n\n{en}"


def site_links(name: str, **kwargs) -> tuple[str, str]:
    """(Arabic link, English link) to a page of the site."""
    links = []
    for language in ("ar", "en"):
        with translation.override(language):
            links.append(f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}")
    return links[0], links[1]


def word_count(text: str) -> int:
    return len((text or "").split())


def throttle(key: str, *, limit: int, seconds: int) -> None:
    """Count one attempt under `key`; refuse with 429 past `limit` attempts in the window.

    A key ending in ":" (no address known: a service called from the shell, a task or a test) is not counted.
    """
    if key.endswith(":"):
        return
    cache_key = f"calls:throttle:{key}"
    if cache.add(cache_key, 1, timeout=seconds):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return
    if count > limit:
        raise TooManyRequests(
            _("Too many attempts. Please wait a few minutes and try again."), code="throttled"
        )
