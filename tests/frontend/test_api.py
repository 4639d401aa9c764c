"""The public agenda API and the signed-in attendee's stars."""

import pytest

from sessions.models import StarredSession
from tests.factories import ForumFactory, SessionFactory, TeamMemberFactory, UserFactory

from .factories import small_agenda

pytestmark = pytest.mark.django_db


def test_agenda_api_returns_the_latest_published_snapshot_with_its_version(api_client):
    d = small_agenda()
    response = api_client.get(f"/api/v1/forums/{d['forum'].slug}/agenda/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert {s["id"] for s in body["agenda"]["sessions"]} == {
        d["opening"].pk, d["first"].pk, d["second"].pk, d["cancelled"].pk}
    assert response["ETag"]


def test_agenda_api_answers_304_to_a_repeat(api_client, django_assert_max_num_queries):
    d = small_agenda()
    url = f"/api/v1/forums/{d['forum'].slug}/agenda/"
    etag = api_client.get(url)["ETag"]
    with django_assert_max_num_queries(2):
        assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_agenda_api_of_a_draft_forum_is_404_for_visitors_and_outsiders(api_client, client_for):
    d = small_agenda(ForumFactory(status="draft"))
    url = f"/api/v1/forums/{d['forum'].slug}/agenda/"
    assert api_client.get(url).status_code == 404
    assert client_for(UserFactory()).get(url).status_code == 404
    member = TeamMemberFactory(forum=d["forum"], role="viewer").user
    assert client_for(member).get(url).status_code == 200


def test_agenda_api_before_publication_is_404(api_client):
    forum = ForumFactory()
    small_agenda(forum, publish=False)
    assert api_client.get(f"/api/v1/forums/{forum.slug}/agenda/").status_code == 404


def test_stars_need_a_signed_in_user(api_client):
    d = small_agenda()
    url = f"/api/v1/forums/{d['forum'].slug}/starred/"
    assert api_client.get(url).status_code in (401, 403)
    assert api_client.post(url, {"session_id": d["first"].pk}, format="json").status_code in (401, 403)
    assert not StarredSession.objects.exists()


def test_signed_in_attendee_stars_and_unstars_a_session(client_for):
    d = small_agenda()
    user = UserFactory()
    api = client_for(user)
    url = f"/api/v1/forums/{d['forum'].slug}/starred/"
    assert api.post(url, {"session_id": d["first"].pk}, format="json").status_code == 201
    assert api.post(url, {"session_id": d["first"].pk}, format="json").status_code == 201  # twice: one star
    assert api.get(url).json() == {"session_ids": [d["first"].pk]}
    assert StarredSession.objects.filter(user=user).count() == 1
    assert api.delete(f"{url}{d['first'].pk}/").status_code == 204
    assert api.get(url).json() == {"session_ids": []}


def test_star_of_a_session_of_another_forum_is_refused_with_a_field_error(client_for):
    d = small_agenda()
    other = SessionFactory()
    response = client_for(UserFactory()).post(
        f"/api/v1/forums/{d['forum'].slug}/starred/", {"session_id": other.pk}, format="json")
    assert response.status_code == 400
    assert "session_id" in response.json()
    assert not StarredSession.objects.exists()


def test_star_with_bad_input_gets_a_field_error(client_for):
    d = small_agenda()
    response = client_for(UserFactory()).post(
        f"/api/v1/forums/{d['forum'].slug}/starred/", {"session_id": "abc"}, format="json")
    assert response.status_code == 400
    assert "session_id" in response.json()


def test_star_in_a_draft_forum_is_404_for_an_outsider(client_for):
    d = small_agenda(ForumFactory(status="draft"))
    response = client_for(UserFactory()).post(
        f"/api/v1/forums/{d['forum'].slug}/starred/", {"session_id": d["first"].pk}, format="json")
    assert response.status_code == 404
    assert not StarredSession.objects.exists()


def test_stars_of_one_user_are_not_shown_to_another(client_for):
    d = small_agenda()
    owner = UserFactory()
    StarredSession.objects.create(user=owner, session=d["first"])
    response = client_for(UserFactory()).get(f"/api/v1/forums/{d['forum'].slug}/starred/")
    assert response.json() == {"session_ids": []}
