"""Visitors' cached agenda answers come straight from the cache (frontend.fastpath), the same as the view's."""

import gzip

import pytest
from django.conf import settings
from django.test import Client, override_settings

from sessions.services import schedule_publish
from tests.factories import UserFactory

from .factories import small_agenda

pytestmark = pytest.mark.django_db

FAST = "frontend.fastpath.CachedAgendaMiddleware"
WITHOUT_FAST_PATH = [m for m in settings.MIDDLEWARE if m != FAST]

URLS = [
    "/forums/{slug}/agenda/",
    "/en/forums/{slug}/agenda/",
    "/api/v1/forums/{slug}/agenda/",
    "/forums/{slug}/agenda.ics",
    "/en/forums/{slug}/agenda.ics",
    "/forums/{slug}/schedule.xml",
    "/forums/{slug}/schedule.json",
]


def _slow_client() -> Client:
    """A client whose middleware has no fast path (a client loads its middleware on its first request)."""
    with override_settings(MIDDLEWARE=WITHOUT_FAST_PATH):
        slow = Client()
        slow.get("/forums/ping")
    return slow


def _fast(response) -> bool:
    """Answered before AuthenticationMiddleware ran: by the fast path."""
    return not hasattr(response.wsgi_request, "user")


@pytest.fixture
def forum():
    return small_agenda()["forum"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("encoding", ["gzip, deflate, br", ""])
def test_fast_path_answer_is_the_views_answer(client, forum, url, encoding, django_assert_num_queries):
    url = url.format(slug=forum.slug)
    headers = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
    slow = _slow_client()
    rendered = slow.get(url, **headers)  # renders and stores
    stored = slow.get(url, **headers)  # from the cache, through the view
    assert rendered.status_code == stored.status_code == 200
    assert not _fast(stored)
    with django_assert_num_queries(0):
        fast = client.get(url, **headers)
    assert _fast(fast)
    assert fast.content == stored.content == rendered.content
    assert dict(fast.headers) == dict(stored.headers)
    assert list(fast.cookies) == list(stored.cookies) == []
    assert (fast.headers.get("Content-Encoding") == "gzip") == bool(encoding)
    body = gzip.decompress(fast.content) if encoding else fast.content
    assert forum.slug.encode() in body


@pytest.mark.parametrize("url", URLS)
def test_fast_path_answers_a_repeat_visit_with_304(client, forum, url):
    url = url.format(slug=forum.slug)
    slow_client = _slow_client()
    etag = slow_client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    slow = slow_client.get(url, HTTP_IF_NONE_MATCH=etag)
    fast = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert _fast(fast)
    assert fast.status_code == slow.status_code == 304
    assert fast.content == b""
    assert dict(fast.headers) == dict(slow.headers)


def test_fast_path_serves_nothing_stale_after_a_new_publish(client, forum, django_capture_on_commit_callbacks):
    url = f"/en/forums/{forum.slug}/agenda/"
    first = client.get(url)
    assert _fast(client.get(url))
    old_etag = first["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        schedule_publish(forum=forum)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=old_etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != old_etag
    assert "version 2" in fresh.content.decode()


def test_fast_path_keeps_languages_and_digits_apart(client, forum):
    for _ in range(2):  # the second round comes from the fast path
        arabic = client.get(f"/forums/{forum.slug}/agenda/")
        english = client.get(f"/en/forums/{forum.slug}/agenda/")
        assert '<html lang="ar" dir="rtl">' in arabic.content.decode()
        assert '<html lang="en" dir="ltr">' in english.content.decode()
        assert arabic["Content-Language"] == "ar" and english["Content-Language"] == "en"
    assert _fast(arabic) and _fast(english)
    client.cookies["digits"] = "latn"
    latin = client.get(f"/forums/{forum.slug}/agenda/")
    assert 'data-digits="latn"' in latin.content.decode()
    assert latin["ETag"] != arabic["ETag"]


def test_fast_path_never_answers_a_signed_in_user(client, forum):
    url = f"/forums/{forum.slug}/agenda/"
    visitor = client.get(url)
    assert 'data-signed-in=""' in visitor.content.decode()
    client.force_login(UserFactory())
    signed_in = client.get(url)
    assert not _fast(signed_in)
    assert 'data-signed-in="1"' in signed_in.content.decode()
    assert signed_in["ETag"] != visitor["ETag"]
    client.logout()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    again = client.get(url)
    assert _fast(again)
    assert 'data-signed-in=""' in again.content.decode()


def test_fast_path_leaves_pending_messages_and_filters_to_the_view(client, forum):
    url = f"/forums/{forum.slug}/agenda/"
    client.get(url)
    filtered = client.get(url + "?type=opening")
    assert not _fast(filtered)
    assert "data-server-filtered" in filtered.content.decode()
    client.cookies["messages"] = "anything"
    assert not _fast(client.get(url))


def test_fast_path_leaves_api_calls_with_credentials_to_the_view(client, forum):
    url = f"/api/v1/forums/{forum.slug}/agenda/"
    client.get(url)
    assert _fast(client.get(url))
    assert not _fast(client.get(url, HTTP_AUTHORIZATION="Token nonsense"))
    assert _fast(client.get(url, HTTP_ACCEPT="application/json"))
    refused = client.get(url, HTTP_ACCEPT="application/xml")
    assert not _fast(refused)
    assert refused.status_code == 406
    assert not _fast(client.get(url + "?format=json"))


def test_publishing_renders_the_agenda_into_the_cache(client, forum, django_capture_on_commit_callbacks,
                                                      django_assert_num_queries, settings):
    from django.core.cache import cache

    from frontend import caching

    settings.SITE_URL = "http://testserver"
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        version = schedule_publish(forum=forum)
    vc = caching.VersionCache(version=version, lang="ar", digits="arab", ended=forum.is_over)
    key = vc.key("agenda", "", None, None, "", "", "visitor")
    assert cache.get(f"{key}:gzip") and cache.get(f"{key}:identity")
    # Every warmed answer is then served from the cache, without a query and without rendering.
    for url in URLS:
        if url.startswith("/en/forums/{slug}/agenda.ics"):
            continue  # not warmed: read less; rendered on demand
        with django_assert_num_queries(0):
            response = client.get(url.format(slug=forum.slug), HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert _fast(response), url
    page = gzip.decompress(client.get(f"/en/forums/{forum.slug}/agenda/", HTTP_ACCEPT_ENCODING="gzip").content)
    assert b"version 2" in page


def test_publishing_a_forum_not_public_keeps_nothing(forum):
    from frontend.services import agenda_cache_warm

    type(forum).objects.filter(pk=forum.pk).update(status=type(forum).Status.DRAFT)
    forum.refresh_from_db()
    assert agenda_cache_warm(forum=forum) == []
