"""Validators and the render cache, both tied to the published version.

A published version never changes, so whatever is rendered from it (in one
language and one digit style) can be kept until the next version is
published: the cache keys and ETags carry the version number, and a new
version simply makes new keys.
"""

from __future__ import annotations

import gzip
import hashlib
from calendar import timegm
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

# Raised when templates or export formats change, so old renders are not served.
RENDER_REVISION = "6"
CACHE_SECONDS = 24 * 3600
# How long a visitor's request may trust the cached "latest version of this forum".
# Publishing forgets it at once where the cache is shared (Redis); with a cache
# per process this bounds how long another process may show the older version.
POINTER_SECONDS = 5


def _digest(parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


class VersionCache:
    """ETag, Last-Modified and cache keys of one published version, as one visitor sees it."""

    def __init__(self, *, version, lang: str, digits: str, ended: bool = False):
        self.version = version
        self.lang = lang
        self.digits = digits
        # Pages say when the forum has ended: the day after its last one, the same version renders anew.
        self.ended = ended

    def key(self, page: str, *extra) -> str:
        v = self.version
        # published_at too: a database restored or rebuilt may hand out the same ids again.
        stamp = v.published_at.timestamp()
        return (f"frontend:{RENDER_REVISION}:{v.forum_id}:{v.number}:{stamp}:{self.lang}:{self.digits}:"
                f"{int(self.ended)}:{page}:{_digest(extra)}")

    def etag(self, page: str, *extra) -> str:
        # Weak: the same representation is sent gzipped or not.
        return f'W/"{_digest([self.key(page, *extra)])}"'

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
        patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
        return response

    def body(self, request, page: str, build: Callable[[], bytes], *extra) -> tuple[bytes, str]:
        """The body of a render in the encoding the client takes, and that encoding ("gzip" or "identity").

        Both are kept side by side when the render is made, so that no request compresses or
        inflates anything: the cached answer is sent as it is stored (see frontend.fastpath).
        """
        encoding = accepted_encoding(request)
        key = self.key(page, *extra)
        stored = cache.get(f"{key}:{encoding}")
        if stored is None:
            plain = build()
            variants = {"identity": plain, "gzip": gzip.compress(plain, compresslevel=6)}
            cache.set_many({f"{key}:{name}": value for name, value in variants.items()}, CACHE_SECONDS)
            stored = variants[encoding]
        return stored, encoding


def accepted_encoding(request) -> str:
    """gzip for clients that take it (every browser), else the plain bytes. (No brotli: not installed.)"""
    return "gzip" if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else "identity"


def has_messages(request) -> bool:
    """Pending flash messages make a page personal: such a page is rendered, not taken from the cache."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(get_messages(request)) > 0


def encoded_response(body: bytes, encoding: str, content_type: str) -> HttpResponse:
    """A stored body as it is, labelled with its encoding."""
    response = HttpResponse(body, content_type=content_type)
    if encoding != "identity":
        response["Content-Encoding"] = encoding
    return response


def _pointer_key(slug: str) -> str:
    return f"frontend:{RENDER_REVISION}:pointer:{slug}"


def pointer_get(slug: str, load: Callable):
    """The latest published version (with its forum) of a public forum, for visitors, at no query when cached."""
    key = _pointer_key(slug)
    version = cache.get(key)
    if version is None:
        version = load()
        if version is not None:
            cache.set(key, version, POINTER_SECONDS)
    return version


def pointer_forget(*, slug: str) -> None:
    cache.delete(_pointer_key(slug))
