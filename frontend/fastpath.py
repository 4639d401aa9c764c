"""Cached agenda answers for visitors, straight from the cache, before the rest of the middleware.

The agenda page, the agenda API, the forum's .ics, schedule.xml and schedule.json are the same
bytes for every visitor of one published version (in one language and digit style), and the
views keep them in the cache, plain and gzipped. For a visitor's request (no session cookie,
so nobody is signed in and no message waits in a session; no message cookie; for the page,
no query string) this middleware finds them by the same key the view used and sends them with
their ETag (or a 304), skipping session, authentication, CSRF and message work, URL resolving
and the view. Anything else, or a render not yet in the cache, goes the usual way, where the
view renders and stores it. tests/frontend/test_fastpath.py holds the answers (body and
headers) equal to the view's.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse

from forum import formatting as fmt
from forum.middleware import api_language

from . import selectors
from .caching import VersionCache, accepted_encoding, pointer_get

_SLUG = r"(?P<slug>[-a-zA-Z0-9_]+)"
_LANG = r"(?:(?P<lang>en)/)?"


class _Route:
    def __init__(self, pattern: str, page: str, content_type: str, *, plain_query: bool = False,
                 extra=lambda request: (), headers=lambda slug: {}, not_modified_headers=lambda slug: {},
                 api: bool = False):
        self.regex = re.compile(pattern)
        self.page = page
        self.content_type = content_type
        self.plain_query = plain_query  # only the URL without a query string is cached
        self.extra = extra
        self.headers = headers
        self.not_modified_headers = not_modified_headers
        self.api = api


def _export_headers(filename: str, disposition: str = "inline"):
    return lambda slug: {"Content-Disposition": f'{disposition}; filename="{filename.format(slug=slug)}"',
                         "Access-Control-Allow-Origin": "*"}


# The keys' `extra` parts are those the views use (frontend.views.agenda, _export; frontend.api.views).
ROUTES = [
    _Route(rf"^/{_LANG}forums/{_SLUG}/agenda/$", "agenda", "text/html; charset=utf-8", plain_query=True,
           # The unfiltered agenda (AgendaFilters() fields), as a visitor sees it.
           extra=lambda request: ("", None, None, "", "", "visitor")),
    _Route(rf"^/{_LANG}forums/{_SLUG}/agenda\.ics$", "ics-forum", "text/calendar; charset=utf-8",
           extra=lambda request: (request.get_host(),), headers=_export_headers("{slug}.ics", "attachment"),
           # frontend.views._ics names the file on a 304 too.
           not_modified_headers=lambda slug: {"Content-Disposition": f'attachment; filename="{slug}.ics"'}),
    _Route(rf"^/{_LANG}forums/{_SLUG}/schedule\.xml$", "schedule.xml", "application/xml; charset=utf-8",
           extra=lambda request: ("papers", request.get_host()), headers=_export_headers("{slug}-schedule.xml")),
    _Route(rf"^/{_LANG}forums/{_SLUG}/schedule\.json$", "schedule.json", "application/json; charset=utf-8",
           extra=lambda request: ("papers", request.get_host()), headers=_export_headers("{slug}-schedule.json")),
    # No query string: DRF reads ?format= (an unknown one is a 404).
    _Route(rf"^/api/v1/forums/{_SLUG}/agenda/$", "agenda-api", "application/json; charset=utf-8", api=True,
           plain_query=True,
           headers=lambda slug: {"Allow": "GET, HEAD, OPTIONS"},
           not_modified_headers=lambda slug: {"Allow": "GET, HEAD, OPTIONS"}),
]


def _is_visitor(request, *, api: bool) -> bool:
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if not api:
        return True
    # The API also takes other credentials than the session, and DRF answers 406 to an Accept
    # that none of its renderers offers: only plain JSON requests are answered here.
    accept = request.META.get("HTTP_ACCEPT", "")
    return "HTTP_AUTHORIZATION" not in request.META and (not accept or "*/*" in accept or "application/json" in accept)


def cached_answer(request) -> HttpResponse | None:
    """The stored answer to a visitor's GET of a cached agenda URL, or None to go the usual way."""
    if request.method not in ("GET", "HEAD"):
        return None
    path = request.path_info
    if "/forums/" not in path:
        return None
    for route in ROUTES:
        match = route.regex.match(path)
        if match is not None:
            break
    else:
        return None
    if (route.plain_query and request.META.get("QUERY_STRING")) or not _is_visitor(request, api=route.api):
        return None
    slug = match["slug"]
    version = pointer_get(slug, lambda: selectors.public_version_by_slug(slug=slug))
    if version is None:
        return None
    if route.api:
        lang, page_lang, digits = "api", api_language(request), "latn"
    else:
        lang = page_lang = match["lang"] or settings.LANGUAGE_CODE
        digits = request.COOKIES.get("digits", "")
        if digits not in fmt.DIGITS_CHOICES:
            digits = fmt.default_digits(lang)
    try:
        extra = route.extra(request)
    except DisallowedHost:
        return None  # the usual way answers that (400)
    vc = VersionCache(version=version, lang=lang, digits=digits,
                      ended=False if route.api else version.forum.is_over)
    unprefixed = route.api or not match["lang"]
    # The headers below are those the usual way adds (the view, DRF's APIView for the API, then the
    # session middleware, which marks Vary: Cookie, LocaleMiddleware, CommonMiddleware, XFrameOptions).
    if (response := vc.not_modified(request, route.page, *extra)) is not None:
        vary = ["Accept"] if route.api else []
        vary += ["Accept-Language"] if unprefixed else []
        response["Vary"] = ", ".join([*vary, "Cookie"])
        headers = route.not_modified_headers(slug)
        body = b""
    else:
        encoding = accepted_encoding(request)
        body = cache.get(f"{vc.key(route.page, *extra)}:{encoding}")
        if body is None:
            return None
        response = HttpResponse(body, content_type=route.content_type)
        if encoding != "identity":
            response["Content-Encoding"] = encoding
        vc.stamp(response, route.page, *extra)
        vary = ["Accept"] if route.api else []
        vary += ["Accept-Language"] if unprefixed else []
        if vary:
            response["Vary"] = ", ".join([response["Vary"], *vary])
        headers = route.headers(slug)
    for name, value in headers.items():
        response[name] = value
    response["Content-Language"] = page_lang
    response["Content-Length"] = str(len(body))
    response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper())
    return response


class CachedAgendaMiddleware:
    """Answers visitors' requests for cached agenda renders from the cache (see the module's docstring).

    Placed right after SecurityMiddleware and WhiteNoise, which still add their headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return cached_answer(request) or self.get_response(request)
