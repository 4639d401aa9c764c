"""The agenda page, the agenda API and every export cost the same number of queries for a
small forum and for a generated one of 3 days, 6 halls, 300 sessions and 900 people."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import big_agenda, small_agenda

pytestmark = pytest.mark.django_db

# Forum + version number + snapshot (+ published papers for exports that link them; + on a session page, the
# honors made on the day: their stamp in the cache key and, when the page is drawn, the rows).
MAX_QUERIES = 6

URLS = [
    "/forums/{slug}/agenda/",
    "/en/forums/{slug}/agenda/",
    "/forums/{slug}/agenda/print/",
    "/forums/{slug}/speakers/",
    "/forums/{slug}/changes/",
    "/forums/{slug}/my-agenda/",
    "/api/v1/forums/{slug}/agenda/",
    "/forums/{slug}/schedule.xml",
    "/forums/{slug}/schedule.json",
    "/forums/{slug}/agenda.ics",
]


@pytest.fixture
def big():
    forum = big_agenda()["forum"]
    from sessions.models import Session

    assert Session.objects.filter(forum=forum).count() == 300
    return forum


def _count(client, url) -> int:
    cache.clear()  # the rendering path, not the cached one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", URLS)
def test_query_count_does_not_grow_with_the_forum(client, big, url, django_assert_max_num_queries):
    small = small_agenda()["forum"]
    small_count = _count(client, url.format(slug=small.slug))
    big_count = _count(client, url.format(slug=big.slug))
    assert big_count == small_count
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url.format(slug=big.slug))


def test_session_speaker_pages_and_calendars_of_the_big_forum_use_few_queries(client, big, django_assert_max_num_queries):
    from sessions.models import Session

    session = Session.objects.filter(forum=big).first()
    person_id = session.roles.first().person_id
    ids = ",".join(str(pk) for pk in Session.objects.filter(forum=big).values_list("pk", flat=True)[:50])
    for url in (f"/forums/{big.slug}/sessions/{session.pk}/", f"/forums/{big.slug}/speakers/{person_id}/",
                f"/forums/{big.slug}/sessions/{session.pk}/calendar.ics",
                f"/forums/{big.slug}/halls/{session.hall_id}/calendar.ics",
                f"/forums/{big.slug}/tracks/{session.track_id}/calendar.ics",
                f"/forums/{big.slug}/speakers/{person_id}/calendar.ics",
                f"/forums/{big.slug}/my-agenda.ics?ids={ids}"):
        cache.clear()
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200


def test_forum_home_and_list_use_a_fixed_number_of_queries(client, big, django_assert_max_num_queries):
    from tests.factories import ForumFactory, SponsorshipFactory, TrackFactory

    for _ in range(5):
        SponsorshipFactory(forum=big, tier="gold")
        ForumFactory()
    TrackFactory(forum=big)
    with django_assert_max_num_queries(5):
        assert client.get(f"/forums/{big.slug}/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/").status_code == 200
