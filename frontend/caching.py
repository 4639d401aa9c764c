"""Validators and the render cache, both tied to the published version.

A published version never changes, so whatever is rendered from it (in one
language and one digit style) can be kept until the next version is
published: the cache keys and ETags carry the version number, and a new
version simply makes new keys.
"""

from __future__ import annotations

import hashlib
from calendar import timegm
from collections.abc import Callable

from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

# Raised when templates or export formats change, so old renders are not served.
RENDER_REVISION = "3"
CACHE_SECONDS = 24 * 3600


def _digest(parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


class VersionCache:
    """ETag, Last-Modified and cache keys of one published version, as one visitor sees it."""

    def __init__(self, *, version, lang: str, digits: str):
        self.version = version
        self.lang = lang
        self.digits = digits

    def key(self, page: str, *extra) -> str:
        v = self.version
        # published_at too: a database restored or rebuilt may hand out the same ids again.
        stamp = v.published_at.timestamp()
        return (f"frontend:{RENDER_REVISION}:{v.forum_id}:{v.number}:{stamp}:{self.lang}:{self.digits}:"
                f"{page}:{_digest(extra)}")

    def etag(self, page: str, *extra) -> str:
        return f'"{_digest([self.key(page, *extra)])}"'

    @property
    def last_modified(self) -> int:
        return timegm(self.version.published_at.utctimetuple())

    def not_modified(self, request, page: str, *extra):
        """A 304 when the visitor already has this render, else None (nothing is rendered for a 304)."""
        return get_conditional_response(request, etag=self.etag(page, *extra), last_modified=self.last_modified)

    def stamp(self, response, page: str, *extra):
        response["ETag"] = self.etag(page, *extra)
        response["Last-Modified"] = http_date(self.last_modified)
        # Revalidate every time: a 304 is cheap, and a new version must show at once.
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ["Cookie"])
        return response

    def get_or_build(self, page: str, build: Callable[[], object], *extra, cacheable: bool = True):
        if not cacheable:
            return build()
        key = self.key(page, *extra)
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, CACHE_SECONDS)
        return value
