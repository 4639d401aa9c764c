"""The public side: forum list and home, agenda, sessions, speakers, changes,
"my agenda", print view and the exports (frab schedule, iCalendar).

Agenda pages and exports read only the latest published snapshot. Each one
answers a conditional GET with 304 before loading or rendering anything, and
keeps its rendered body in the cache under the version number.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from forum import formatting as fmt
from sessions import ics
from sessions import selectors as session_selectors
from sessions.models import StarredSession

from . import selectors
from .caching import VersionCache, encoded_response, has_messages, pointer_get
from .exports import frab

DIGITS_COOKIE = "digits"


def current_lang() -> str:
    return translation.get_language() or "ar"


def current_digits(request) -> str:
    value = request.COOKIES.get(DIGITS_COOKIE, "")
    return value if value in fmt.DIGITS_CHOICES else fmt.default_digits(current_lang())


class Public:
    """The forum a public page is about, its latest published version and the visitor's settings."""

    def __init__(self, request, slug: str):
        self.request = request
        # Visitors, the most frequent readers, get forum and version in one query.
        version = None if request.user.is_authenticated else pointer_get(slug, lambda: selectors.public_version_by_slug(slug=slug))
        if version is not None:
            self.forum, self.version = version.forum, version
        else:
            self.forum = selectors.forum_public_get(slug=slug, user=request.user)
            self.version = selectors.version_latest_meta(forum=self.forum)
        self.lang = current_lang()
        self.digits = current_digits(request)
        self.cache = (
            VersionCache(version=self.version, lang=self.lang, digits=self.digits, ended=self.forum.is_over)
            if self.version else None
        )
        self._snapshot = None
        self._paper_ids = None
        if request.user.is_authenticated:
            # The page's script syncs stars through the API: it needs the CSRF cookie (the page stays cacheable).
            get_token(request)

    @property
    def snapshot(self) -> dict:
        if self._snapshot is None:
            self._snapshot = selectors.version_snapshot(version=self.version)
        return self._snapshot

    @property
    def paper_ids(self) -> frozenset:
        if self._paper_ids is None:
            self._paper_ids = frozenset(selectors.published_paper_ids(forum=self.forum))
        return self._paper_ids

    def papers_key(self) -> str:
        return ",".join(str(i) for i in sorted(self.paper_ids))

    def page(self, template: str, context: dict, status: int = 200):
        return render(self.request, template, {"forum": self.forum, "version": self.version,
                                               "digits": self.digits, **context}, status=status)

    def not_published(self):
        return self.page("frontend/not_published.html", {})

    def cached_page(self, page: str, extra: tuple, template: str, fragment: str, build, *, cacheable: bool = True):
        """A page of the published version: 304 for a repeat, else the cached gzip, else rendered and kept.

        `build()` returns the context of `fragment` (the page's main part), or
        None for a 404. A visitor with pending messages gets a fresh render.
        """
        extra = (*extra, "signed-in" if self.request.user.is_authenticated else "visitor")
        if response := self.cache.not_modified(self.request, page, *extra):
            return response

        def render_page():
            context = build()
            if context is None:
                raise Http404
            body = render_to_string(fragment, {"slug": self.forum.slug, "digits": self.digits,
                                               "version": self.version, **context})
            # The page gets the fragment's session or person too, for its browser title.
            named = {k: context[k] for k in ("s", "person") if k in context}
            return self.page(template, {**named, "body": mark_safe(body)})

        # Only the plain URL is cached: its links (language, digits) carry the query string of the request.
        if cacheable and not self.request.GET and not has_messages(self.request):
            body, encoding = self.cache.body(self.request, page, lambda: render_page().content, *extra)
            response = encoded_response(body, encoding, "text/html; charset=utf-8")
        else:
            response = render_page()
        return self.cache.stamp(response, page, *extra)


def paper_download_url(paper_id: int) -> str | None:
    try:
        return reverse("speakers:paper_download", kwargs={"paper_id": paper_id})
    except NoReverseMatch:
        return None


def _safe_next(request, default: str = "/") -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# ---- pages -----------------------------------------------------------------

@require_GET
def ping(request):
    """A trivial view of this app: the baseline of the agenda benchmark."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def set_digits(request):
    """Remember Arabic-Indic or Latin digits for this browser, then go back."""
    value = request.GET.get("digits", "")
    response = HttpResponseRedirect(_safe_next(request))
    if value in fmt.DIGITS_CHOICES:
        response.set_cookie(DIGITS_COOKIE, value, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_GET
def forum_list(request):
    lang, digits = current_lang(), current_digits(request)
    forums = [
        {"forum": f, "dates": fmt.dual_range(f.first_day, f.last_day, lang, digits),
         "edition": fmt.digits_for(f.edition, digits)}
        for f in selectors.forums_public(user=request.user)
    ]
    return render(request, "frontend/forum_list.html", {"forums": forums, "digits": digits})


def _where(person) -> str:
    sep = "، " if fmt.is_arabic(current_lang()) else ", "
    org = person.organization.name if person.organization else ""
    return sep.join(x for x in (person.localized("position"), org) if x)


@require_GET
def forum_home(request, slug: str):
    forum = selectors.forum_home_get(slug=slug, user=request.user)
    lang, digits = current_lang(), current_digits(request)
    # Sponsors by tier; partners and participating bodies under their own headings, so that a
    # heading never disagrees with the tag beside a name (a participant is not a "supporting" sponsor).
    sponsorship = forum.sponsorships.model
    everyone = list(forum.sponsorships.all())
    tiers = [{"label": label, "members": [s for s in everyone if s.kind == sponsorship.Kind.SPONSOR and s.tier == value]}
             for value, label in sponsorship.Tier.choices]
    tiers += [{"label": label, "members": [s for s in everyone if s.kind == kind]}
              for kind, label in ((sponsorship.Kind.PARTNER, _("Partners")),
                                  (sponsorship.Kind.PARTICIPANT, _("Participating bodies")))]
    tiers = [t for t in tiers if t["members"]]
    map_url = ""
    if forum.latitude is not None and forum.longitude is not None:
        map_url = (f"https://www.openstreetmap.org/?mlat={forum.latitude}&mlon={forum.longitude}"
                   f"#map=17/{forum.latitude}/{forum.longitude}")
    return render(request, "frontend/forum_home.html", {
        "forum": forum,
        "digits": digits,
        "dates": fmt.dual_range(forum.first_day, forum.last_day, lang, digits),
        "edition": fmt.digits_for(forum.edition, digits),
        "tiers": tiers,
        "tracks": [{"name": t.name, "color": t.color, "description": t.localized("description")}
                   for t in forum.tracks.all()],
        "venue": forum.localized("venue_name"),
        "address": forum.localized("venue_address"),
        "description": forum.localized("description"),
        "notice": forum.localized("notice"),
        "patron_where": _where(forum.patron) if forum.patron else "",
        "map_url": map_url,
        "has_agenda": selectors.version_latest_meta(forum=forum) is not None,
    })


@require_GET
def agenda(request, slug: str):
    p = Public(request, slug)
    if p.version is None:
        return p.not_published()
    filters = selectors.AgendaFilters.from_query(request.GET)

    def build():
        data = selectors.agenda_build(snapshot=p.snapshot, lang=p.lang, digits=p.digits, filters=filters)
        return {**data, "filters": filters}

    # The full agenda, read by most, is cached; filtered views (from forms without script) are rendered.
    return p.cached_page("agenda", (filters.day, filters.hall, filters.track, filters.kind, filters.q),
                         "frontend/agenda.html", "frontend/_agenda_body.html", build, cacheable=not filters.active)


@require_GET
def print_agenda(request, slug: str):
    p = Public(request, slug)
    if p.version is None:
        return p.not_published()
    return p.cached_page("print", (), "frontend/print.html", "frontend/_print_body.html",
                         lambda: selectors.agenda_build(snapshot=p.snapshot, lang=p.lang, digits=p.digits))


@require_GET
def session_detail(request, slug: str, session_id: int):
    p = Public(request, slug)
    if p.version is None:
        raise Http404

    def build():
        session = selectors.session_build(snapshot=p.snapshot, session_id=session_id, lang=p.lang,
                                          digits=p.digits, paper_ids=p.paper_ids)
        if session is None:
            return None
        for paper in session["papers"]:
            paper["download_url"] = paper_download_url(paper["id"]) if paper["published"] else None
        session["honors_made"] = selectors.honors_made_build(session_id=session_id, lang=p.lang)
        return {"s": session}

    # Papers are published apart from the agenda, and honors are marked made on the day: both are in the key.
    honors = session_selectors.honors_made_stamp(forum_id=p.version.forum_id)
    return p.cached_page("session", (session_id, p.papers_key(), honors), "frontend/session_detail.html",
                         "frontend/_session_body.html", build)


@require_GET
def speakers(request, slug: str):
    p = Public(request, slug)
    if p.version is None:
        return p.not_published()
    return p.cached_page("speakers", (), "frontend/speakers.html", "frontend/_speakers_body.html",
                         lambda: {"people": selectors.speakers_build(snapshot=p.snapshot, lang=p.lang,
                                                                     digits=p.digits)})


@require_GET
def speaker_detail(request, slug: str, person_id: int):
    p = Public(request, slug)
    if p.version is None:
        raise Http404

    def build():
        people = selectors.speakers_build(snapshot=p.snapshot, lang=p.lang, digits=p.digits, paper_ids=p.paper_ids)
        person = next((x for x in people if x["id"] == person_id), None)
        if person is None:
            return None
        for paper in person["papers"]:
            paper["download_url"] = paper_download_url(paper["id"]) if paper["published"] else None
        return {"person": person}

    return p.cached_page("speaker", (person_id, p.papers_key()), "frontend/speaker_detail.html",
                         "frontend/_speaker_body.html", build)


@require_GET
def changes(request, slug: str):
    """What changed in the latest published versions, in words."""
    p = Public(request, slug)
    if p.version is None:
        return p.not_published()

    def build():
        versions = selectors.versions_recent(forum=p.forum)
        return {
            "versions": selectors.changes_build(versions=versions, snapshot=p.snapshot, lang=p.lang, digits=p.digits),
            "session_count": fmt.digits_for(len(p.snapshot.get("sessions", [])), p.digits),
        }

    return p.cached_page("changes", (), "frontend/changes.html", "frontend/_changes_body.html", build)


def _starred_ids(request, forum) -> list[int]:
    if not request.user.is_authenticated:
        return []
    return list(
        StarredSession.objects.filter(user=request.user, session__forum=forum).values_list("session_id", flat=True)
    )


@require_GET
def my_agenda(request, slug: str):
    """Starred sessions: from the server for signed-in users, from the browser (script) for visitors."""
    p = Public(request, slug)
    if p.version is None:
        return p.not_published()
    starred = set(_starred_ids(request, p.forum))
    sessions = selectors.Presenter(p.snapshot, p.lang, p.digits).sessions()
    for s in sessions:
        s["starred"] = s["id"] in starred
    mine = [s for s in sessions if s["starred"]]
    return p.page("frontend/my_agenda.html", {
        "sessions": sessions,
        "mine": mine,
        "clashes": selectors.clashes(mine),
        "signed_in": request.user.is_authenticated,
        "starred_ids": ",".join(str(i) for i in sorted(starred)),
    })


# ---- exports ---------------------------------------------------------------

def _frab_data(p: Public, request) -> dict:
    forum_url = request.build_absolute_uri(reverse("frontend:forum_home", args=[p.forum.slug]))

    def paper_url(paper_id):
        if paper_id not in p.paper_ids:
            return None
        url = paper_download_url(paper_id)
        return request.build_absolute_uri(url) if url else None

    return frab.schedule_build(
        snapshot=p.snapshot, version=p.version.number, lang=p.lang,
        base_url=request.build_absolute_uri("/"), forum_url=forum_url,
        cancelled_label=_("Cancelled"), plenary_label=_("All halls"), published_paper_url=paper_url,
    )


def _export(request, slug: str, page: str, content_type: str, build, *, filename: str, extra=()):
    p = Public(request, slug)
    if p.version is None:
        raise Http404
    extra = (*extra, request.get_host())
    if response := p.cache.not_modified(request, page, *extra):
        return response
    body, encoding = p.cache.body(request, page, lambda: build(p), *extra)
    response = encoded_response(body, encoding, content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return p.cache.stamp(response, page, *extra)


@require_GET
def schedule_xml(request, slug: str):
    def build(p):
        return frab.schedule_xml(_frab_data(p, request), url=request.build_absolute_uri(request.path))

    return _export(request, slug, "schedule.xml", "application/xml; charset=utf-8", build,
                   filename=f"{slug}-schedule.xml", extra=("papers",))


@require_GET
def schedule_json(request, slug: str):
    return _export(request, slug, "schedule.json", "application/json; charset=utf-8",
                   lambda p: frab.schedule_json(_frab_data(p, request)), filename=f"{slug}-schedule.json",
                   extra=("papers",))


def _calendar(p: Public, sessions: list[dict], name: str | None = None) -> bytes:
    return ics.calendar_bytes(
        p.snapshot, sessions, method="PUBLISH", name=name,
        # Each publication raises SEQUENCE, so calendars take the newer copy of a moved session.
        sequences={s["id"]: p.version.number for s in sessions},
        base_url=p.request.build_absolute_uri("/").rstrip("/"),
    )


def _ics(request, slug: str, page: str, pick, *, filename: str, extra=()):
    """An .ics of the sessions `pick(snapshot)` returns (404 when it returns None)."""

    def build(p):
        chosen = pick(p.snapshot)
        if chosen is None:
            raise Http404  # not cached: nothing is kept for ids that do not exist
        sessions, name = chosen
        return _calendar(p, sessions, name)

    response = _export(request, slug, page, "text/calendar; charset=utf-8", build, filename=filename, extra=extra)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _forum_name(snapshot, suffix_ar="", suffix_en="") -> str:
    forum = snapshot["forum"]
    ar = " — ".join(x for x in (forum.get("title_ar", ""), suffix_ar) if x)
    en = " — ".join(x for x in (forum.get("title_en") or forum.get("title_ar", ""), suffix_en) if x)
    return f"{ar} / {en}"


@require_GET
def calendar_forum(request, slug: str):
    return _ics(request, slug, "ics-forum", lambda snap: (snap["sessions"], None), filename=f"{slug}.ics")


@require_GET
def calendar_session(request, slug: str, session_id: int):
    def pick(snap):
        found = [s for s in snap["sessions"] if s["id"] == session_id]
        return (found, None) if found else None

    return _ics(request, slug, "ics-session", pick, filename=f"{slug}-session-{session_id}.ics", extra=(session_id,))


@require_GET
def calendar_hall(request, slug: str, hall_id: int):
    def pick(snap):
        hall = next((h for h in snap["halls"] if h["id"] == hall_id), None)
        if hall is None:
            return None
        return ([s for s in snap["sessions"] if s.get("hall_id") == hall_id],
                _forum_name(snap, hall["name_ar"], hall.get("name_en") or hall["name_ar"]))

    return _ics(request, slug, "ics-hall", pick, filename=f"{slug}-hall-{hall_id}.ics", extra=(hall_id,))


@require_GET
def calendar_track(request, slug: str, track_id: int):
    def pick(snap):
        track = next((t for t in snap["tracks"] if t["id"] == track_id), None)
        if track is None:
            return None
        return ([s for s in snap["sessions"] if s.get("track_id") == track_id],
                _forum_name(snap, track["name_ar"], track.get("name_en") or track["name_ar"]))

    return _ics(request, slug, "ics-track", pick, filename=f"{slug}-track-{track_id}.ics", extra=(track_id,))


def _sessions_of_person(snap, person_id: int) -> list[dict]:
    chosen = []
    for s in snap["sessions"]:
        ids = {r["person_id"] for r in s.get("roles", [])}
        for item in s.get("items", []):
            ids.add(item.get("presenter_id"))
            ids.update((item.get("paper") or {}).get("speaker_ids", []))
        if person_id in ids:
            chosen.append(s)
    return chosen


@require_GET
def calendar_person(request, slug: str, person_id: int):
    def pick(snap):
        person = snap.get("people", {}).get(str(person_id))
        chosen = _sessions_of_person(snap, person_id)
        if person is None or not chosen:
            return None
        return chosen, _forum_name(snap, person.get("display_name_ar", ""), person.get("display_name_en", ""))

    return _ics(request, slug, "ics-person", pick, filename=f"{slug}-person-{person_id}.ics", extra=(person_id,))


def _parse_ids(value: str) -> list[int]:
    ids = []
    for part in (value or "").split(",")[:500]:
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
    return sorted(set(ids))


@require_GET
def calendar_mine(request, slug: str):
    """My agenda as .ics: the ids the browser sends (visitors), or the server's stars (signed-in users)."""
    p = Public(request, slug)
    if p.version is None:
        raise Http404
    ids = _parse_ids(request.GET.get("ids", ""))
    if not ids and request.user.is_authenticated:
        ids = sorted(_starred_ids(request, p.forum))
    wanted = set(ids)
    sessions = [s for s in p.snapshot["sessions"] if s["id"] in wanted]
    name = _forum_name(p.snapshot, "أجندتي", "My agenda")
    response = HttpResponse(_calendar(p, sessions, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-my-agenda.ics"'
    return response
