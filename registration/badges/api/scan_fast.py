"""The scanner page's scan, answered in two SQL statements and without DRF's machinery.

A door scanner posts hundreds of scans a minute, each a few dozen bytes, and
the answer must come back while the attendee is still at the gate. Through
DRF and the ORM a scan cost about 10 ms of server CPU, most of it building
queries and objects: the session and user rows, the forum, the role, the
checkpoint, the badge with its key, the inserts (about a dozen statements).
Here it is one statement for the session row (read as the database session
engine would read it), the forum, checkpoint, user, role and signing keys
(selectors.scan_desk), and one for the admission with the scan row, its own
transaction (services.check_in_badge). A session's first scan in a process
reads the session row on its own first, to learn whose it is; the first read
also stands in for Django's health check of a reused connection.

It runs as a middleware (ScanMiddleware), right after the cached agenda's,
so a scan skips the session, locale, CSRF, authentication and message
middleware and URL resolving; the answer carries the headers they would add.
Only the common case is taken here: a request that would pass DRF's
SessionAuthentication (a live session of an active user whose password hash
still matches, and a good CSRF token), a body the ScanRequestSerializer would
accept unchanged, and a member of the check-in team at an open checkpoint of
this forum. Anything else returns None and goes on through the middleware to
ScanView, which answers it the ordinary way (refusals, field errors, API
tokens), so the rules stay in one place. The
decision who may check in is still forum.permissions.can_check_in, fed with
the role read here.
"""

from __future__ import annotations

import functools
import json
import re
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import DisallowedHost, ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from rest_framework.authentication import CSRFCheck

from forum import permissions
from forum.errors import DomainError
from forum.middleware import api_language

from .. import selectors, services
from ..models import Scan
from . import serializers

DB_SESSIONS = "django.contrib.sessions.backends.db"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# What a printed badge's QR holds (Base45); other text is left to the ordinary path, which refuses it.
TOKEN_RE = re.compile(r"[0-9A-Z $%*+\-./:]{1,300}")
OUTCOMES = frozenset(Scan.Outcome.values)


def _body(request) -> dict | None:
    """The scan's fields when the serializer would take them as they are, else None."""
    if request.content_type != "application/json":
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    token, checkpoint = data.get("token"), data.get("checkpoint")
    nonce, local = data.get("client_nonce", ""), data.get("local_outcome", "")
    if not isinstance(token, str) or not isinstance(checkpoint, int) or isinstance(checkpoint, bool):
        return None
    token = token.strip()
    if not 0 < checkpoint < 2**63 or not TOKEN_RE.fullmatch(token) or not isinstance(nonce, str) or not isinstance(local, str):
        return None
    nonce = nonce.strip()
    if len(nonce) > 64 or not nonce.isprintable() or (local and local not in OUTCOMES):
        return None
    if data.get("client_scanned_at") is not None:
        return None  # a date to parse: the serializer's work
    return {"token": token, "checkpoint": checkpoint, "client_nonce": nonce, "local_outcome": local}


def _session_key(request) -> str | None:
    """The session cookie, when sessions are kept in the database (the only engine read here)."""
    if settings.SESSION_ENGINE != DB_SESSIONS:
        return None
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def _session_row(key: str) -> str | None:
    """The live session's stored data, read as the database session engine reads it (one statement)."""
    from django.contrib.sessions.backends.db import SessionStore

    table = connection.ops.quote_name(SessionStore.get_model_class()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                       [key, connection.ops.adapt_datetimefield_value(timezone.now())])
        row = cursor.fetchone()
    return row[0] if row is not None else None


def _decoded(session_data: str) -> dict:
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore().decode(session_data)


def _user_id(session: dict):
    """The signed-in user's id as django.contrib.auth reads it, or None when the session is not one this
    path may take (another backend, no user, a malformed id)."""
    if session.get(BACKEND_SESSION_KEY) != MODEL_BACKEND or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return get_user_model()._meta.pk.to_python(session.get(SESSION_KEY))
    except ValidationError:
        return None


class _Seen(NamedTuple):
    user_id: object
    session_data: str
    session: dict


# Session key -> what this process read of it at its last scan: the user it named, the stored data and
# that data decoded. A scanner posts many scans on one session, so from its second scan on, the session
# row is read in the desk's statement with the user it named last time, and when the row's data is the
# same text as before, its decoding is too (the text is signed; the same text always decodes alike).
# If the row is gone or now names someone else, that read is not used. A hint, never a grant: the row
# is read every time; bounded, and emptied when full.
_seen_sessions: dict[str, _Seen] = {}
SESSIONS_SEEN_MAX = 10_000


def _desk(key: str, *, forum_slug: str, checkpoint_id: int) -> tuple[dict | None, dict | None]:
    """(session, desk) for the scan: the live session's data and selectors.scan_desk for the user it
    names, in one statement when this process has seen the session before, else two."""
    seen = _seen_sessions.get(key)
    if seen is None:
        data = _session_row(key)
        session = _decoded(data) if data is not None else None
    else:
        desk = selectors.scan_desk(forum_slug=forum_slug, checkpoint_id=checkpoint_id, user_id=seen.user_id,
                                   session_key=key)
        data = desk["session_data"] if desk is not None else None
        if data is None:  # signed out, expired, or no such forum
            _seen_sessions.pop(key, None)
            return None, desk
        if data == seen.session_data:
            return seen.session, desk
        session = _decoded(data)
        if _user_id(session) == seen.user_id:
            _seen_sessions[key] = _Seen(seen.user_id, data, session)
            return session, desk
        _seen_sessions.pop(key, None)  # it names someone else now: their desk is read below
    user_id = _user_id(session) if session else None
    if user_id is None:
        return session, None
    desk = selectors.scan_desk(forum_slug=forum_slug, checkpoint_id=checkpoint_id, user_id=user_id)
    if len(_seen_sessions) >= SESSIONS_SEEN_MAX:
        _seen_sessions.clear()
    _seen_sessions[key] = _Seen(user_id, data, session)
    return session, desk


def _csrf_ok(request) -> bool:
    """DRF's SessionAuthentication check, as it would run it."""
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is None


def _desk_checked(key: str, *, forum_slug: str, checkpoint_id: int) -> tuple[dict | None, dict | None]:
    """_desk, its first read standing in for Django's health check of a reused connection.

    With CONN_HEALTH_CHECKS Django sends its own SELECT 1 before a request's first statement, a round
    trip of its own on every scan. The desk's reads change nothing, so they are that check here: if the
    connection turns out broken, it is closed and (None, None) sends the request the ordinary way, which
    connects afresh, exactly as after a failed health check."""
    pending = (connection.connection is not None and connection.health_check_enabled
               and not connection.health_check_done and not connection.in_atomic_block)
    if not pending:
        return _desk(key, forum_slug=forum_slug, checkpoint_id=checkpoint_id)
    connection.health_check_done = True
    try:
        return _desk(key, forum_slug=forum_slug, checkpoint_id=checkpoint_id)
    except (OperationalError, InterfaceError):
        connection.close()
        return None, None


def scan_answer(request, *, forum_slug: str) -> HttpResponse | None:
    """The answer to the scanner page's scan, or None for ScanView to answer the ordinary way."""
    if request.method != "POST" or getattr(request, "_force_auth_user", None) is not None:
        return None
    body = _body(request)
    if body is None:
        return None
    key = _session_key(request)
    if key is None:
        return None
    session, desk = _desk_checked(key, forum_slug=forum_slug, checkpoint_id=body["checkpoint"])
    if not session or _user_id(session) is None:
        return None
    if desk is None or desk["checkpoint"] is None or not desk["checkpoint"].is_active:
        return None
    user, forum = desk["user"], desk["forum"]
    # django.contrib.auth.get_user's check; a session it would flush or re-key goes the ordinary way.
    if (user is None or not user.is_active or not session.get(HASH_SESSION_KEY)
            or not constant_time_compare(session[HASH_SESSION_KEY], user.get_session_auth_hash())):
        return None
    user._forum_roles = {forum.pk: desk["role"]} if desk["role"] else {}
    if not permissions.can_check_in(user, forum) or not _csrf_ok(request):
        return None
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None  # CsrfViewMiddleware would set a new cookie on the answer: the ordinary way does
    request.user = request._cached_user = user
    try:
        scan = services.check_in_badge(token=body["token"], checkpoint=desk["checkpoint"], staff=user,
                                       client_nonce=body["client_nonce"], signing_keys=desk["public_keys"])
    except DomainError:
        return None  # changed meanwhile (checkpoint closed, role withdrawn): nothing was written; ScanView says why
    result = serializers.scan_result(scan, local_outcome=body["local_outcome"])
    # As DRF's JSONRenderer writes it: compact, UTF-8, U+2028/2029 escaped.
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(text.encode(), content_type="application/json")


@functools.cache
def _scan_path() -> re.Pattern:
    """The scan URL (badges-api:scan) as a pattern, the forum's slug its group."""
    marker = "forumslugmarker"
    path = reverse("badges-api:scan", kwargs={"forum_slug": marker})
    return re.compile("^" + re.escape(path).replace(marker, "(?P<slug>[-a-zA-Z0-9_]+)") + "$")


class ScanMiddleware:
    """Answers the scanner page's scans before the rest of the middleware (see the module's docstring).

    Placed after SecurityMiddleware, WhiteNoise and the cached agenda, whose headers still come; the
    answer gets those the later middleware would add to ScanView's (Content-Language and Vary from
    LocaleMiddleware, Content-Length from CommonMiddleware, X-Frame-Options)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.answer(request) or self.get_response(request)

    @staticmethod
    def answer(request) -> HttpResponse | None:
        if request.method != "POST" or "/checkin/scans/" not in request.path_info or settings.CSRF_USE_SESSIONS:
            return None  # (a CSRF token kept in the session would need SessionMiddleware, not run yet)
        match = _scan_path().match(request.path_info)
        if match is None:
            return None
        try:
            request.get_host()
        except DisallowedHost:
            return None  # the ordinary way answers that (400)
        with translation.override(api_language(request)):
            response = scan_answer(request, forum_slug=match["slug"])
            if response is None:
                return None
            response["Content-Language"] = translation.get_language()
        response["Vary"] = "Accept-Language"
        response["Content-Length"] = str(len(response.content))
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper())
        return response
