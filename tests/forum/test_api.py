"""The forum REST API: who may read and write what, and what bad input gets back."""

import pytest

from forum.models import Forum, Hall, TeamMember
from tests.factories import (
    ForumFactory,
    HallFactory,
    OrganizationFactory,
    PersonFactory,
    SessionRoleFactory,
    SponsorshipFactory,
    TeamMemberFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def forum_payload(organizer, **overrides):
    return {
        "slug": "new-forum",
        "title_ar": "ملتقى جديد",
        "title_en": "New forum",
        "organizer": organizer.pk,
        "first_day": "2026-12-01",
        "last_day": "2026-12-02",
        **overrides,
    }


# --- reading -------------------------------------------------------------------------------------


def test_anonymous_reads_published_forum(api_client, forum):
    response = api_client.get(f"/api/v1/forums/{forum.slug}/")
    assert response.status_code == 200
    assert response.json()["title_ar"] == forum.title_ar


def test_anonymous_cannot_read_draft_forum(api_client, draft_forum):
    assert api_client.get(f"/api/v1/forums/{draft_forum.slug}/").status_code == 404
    listed = [f["slug"] for f in api_client.get("/api/v1/forums/").json()["results"]]
    assert draft_forum.slug not in listed


def test_anonymous_cannot_read_draft_forum_halls(api_client, draft_forum):
    HallFactory(forum=draft_forum)
    assert api_client.get(f"/api/v1/forums/{draft_forum.slug}/halls/").status_code == 404


def test_team_member_reads_own_draft(client_for, draft_forum):
    viewer = TeamMemberFactory(forum=draft_forum, role="viewer").user
    assert client_for(viewer).get(f"/api/v1/forums/{draft_forum.slug}/").status_code == 200


def test_organizer_of_other_forum_cannot_read_draft(client_for, draft_forum):
    other_owner = TeamMemberFactory(forum=ForumFactory(), role="owner").user
    assert client_for(other_owner).get(f"/api/v1/forums/{draft_forum.slug}/").status_code == 404


def test_anonymous_reads_halls_tracks_and_sponsors_of_published_forum(api_client, forum):
    HallFactory(forum=forum, name_ar="القاعة الكبرى")
    TrackFactory(forum=forum)
    SponsorshipFactory(forum=forum, tier="gold")
    base = f"/api/v1/forums/{forum.slug}"
    assert api_client.get(f"{base}/halls/").json()["results"][0]["name_ar"] == "القاعة الكبرى"
    assert api_client.get(f"{base}/tracks/").json()["count"] == 1
    assert api_client.get(f"{base}/sponsorships/").json()["results"][0]["tier"] == "gold"


def test_team_list_is_private_even_for_published_forum(api_client, client_for, forum, owner, outsider):
    assert api_client.get(f"/api/v1/forums/{forum.slug}/team/").status_code == 404
    assert client_for(outsider).get(f"/api/v1/forums/{forum.slug}/team/").status_code == 404
    assert client_for(owner).get(f"/api/v1/forums/{forum.slug}/team/").json()["count"] == 1


def test_people_hide_contact_details_from_the_public(api_client, client_for, forum, editor):
    role = SessionRoleFactory(session__forum=forum, person__email="speaker@example.org", person__phone="0500000000",
                              person__created_by_forum=forum)
    public = api_client.get(f"/api/v1/people/{role.person.pk}/").json()
    assert "email" not in public and "phone" not in public
    assert public["display_name_ar"].startswith("الدكتور ")
    assert client_for(editor).get(f"/api/v1/people/{role.person.pk}/").json()["email"] == "speaker@example.org"


def test_people_not_in_any_public_forum_are_not_listed_publicly(api_client):
    hidden = PersonFactory()
    assert api_client.get(f"/api/v1/people/{hidden.pk}/").status_code == 404


def test_lists_filter_and_search(api_client):
    OrganizationFactory(name_ar="أمانة العاصمة المقدسة", kind="municipality")
    OrganizationFactory(name_ar="جامعة أم القرى", kind="university")
    found = api_client.get("/api/v1/organizations/", {"kind": "university"}).json()
    assert [o["name_ar"] for o in found["results"]] == ["جامعة أم القرى"]
    found = api_client.get("/api/v1/organizations/", {"search": "العاصمة"}).json()
    assert [o["name_ar"] for o in found["results"]] == ["أمانة العاصمة المقدسة"]


# --- writing -------------------------------------------------------------------------------------


def test_anonymous_cannot_write_anything(api_client, forum):
    org = OrganizationFactory()
    assert api_client.post("/api/v1/forums/", forum_payload(org), format="json").status_code in (401, 403)
    assert api_client.patch(f"/api/v1/forums/{forum.slug}/", {"title_ar": "x"}, format="json").status_code in (401, 403)
    assert api_client.post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "x"}, format="json").status_code in (401, 403)
    assert api_client.post("/api/v1/organizations/", {"name_ar": "x"}, format="json").status_code in (401, 403)
    forum.refresh_from_db()
    assert forum.title_ar != "x" and not Hall.objects.filter(name_ar="x").exists()


def test_creating_a_forum_makes_the_creator_its_owner(client_for):
    user = UserFactory()
    response = client_for(user).post("/api/v1/forums/", forum_payload(OrganizationFactory()), format="json")
    assert response.status_code == 201, response.json()
    forum = Forum.objects.get(slug="new-forum")
    assert TeamMember.objects.get(forum=forum, user=user).role == "owner"


def test_forum_last_day_before_first_day_gets_field_error(client_for):
    response = client_for(UserFactory()).post(
        "/api/v1/forums/", forum_payload(OrganizationFactory(), last_day="2026-11-30"), format="json"
    )
    assert response.status_code == 400
    assert "last_day" in response.json()
    assert not Forum.objects.filter(slug="new-forum").exists()


def test_forum_unknown_time_zone_gets_field_error(client_for):
    response = client_for(UserFactory()).post(
        "/api/v1/forums/", forum_payload(OrganizationFactory(), time_zone="Mars/Olympus"), format="json"
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()


def test_editor_changes_own_forum(client_for, forum, editor):
    response = client_for(editor).patch(f"/api/v1/forums/{forum.slug}/", {"title_en": "Renamed"}, format="json")
    assert response.status_code == 200
    forum.refresh_from_db()
    assert forum.title_en == "Renamed"


@pytest.mark.parametrize("role", ["viewer", "checkin"])
def test_viewer_and_checkin_staff_cannot_change_forum(client_for, forum, role):
    user = TeamMemberFactory(forum=forum, role=role).user
    response = client_for(user).patch(f"/api/v1/forums/{forum.slug}/", {"title_en": "Renamed"}, format="json")
    assert response.status_code == 403
    assert client_for(user).post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "x"}, format="json").status_code == 403


def test_organizer_of_forum_a_cannot_change_forum_b(client_for, forum):
    other = ForumFactory()
    owner_of_other = TeamMemberFactory(forum=other, role="owner").user
    client = client_for(owner_of_other)
    assert client.patch(f"/api/v1/forums/{forum.slug}/", {"title_en": "Hijacked"}, format="json").status_code == 403
    assert client.post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/forums/{forum.slug}/").status_code == 403
    forum.refresh_from_db()
    assert forum.title_en != "Hijacked" and Forum.objects.filter(pk=forum.pk).exists()


def test_hall_created_in_forum_from_url_not_payload(client_for, forum, editor):
    other = ForumFactory()
    response = client_for(editor).post(
        f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "قاعة الملك", "capacity": 200, "forum": other.pk}, format="json"
    )
    assert response.status_code == 201
    assert Hall.objects.get(name_ar="قاعة الملك").forum == forum


def test_duplicate_hall_name_gets_field_error_not_500(client_for, forum, editor):
    HallFactory(forum=forum, name_ar="القاعة الكبرى")
    response = client_for(editor).post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "القاعة الكبرى"}, format="json")
    assert response.status_code == 400
    assert "name_ar" in response.json()


def test_deleting_a_used_organization_is_refused_with_message(client_for, forum, editor):
    response = client_for(editor).delete(f"/api/v1/organizations/{forum.organizer.pk}/")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_only_owners_manage_the_team(client_for, forum, owner, editor):
    newcomer = UserFactory()
    payload = {"user": newcomer.pk, "role": "viewer"}
    assert client_for(editor).post(f"/api/v1/forums/{forum.slug}/team/", payload, format="json").status_code == 403
    assert client_for(owner).post(f"/api/v1/forums/{forum.slug}/team/", payload, format="json").status_code == 201


def test_last_owner_cannot_be_removed(client_for, forum, owner):
    member = TeamMember.objects.get(forum=forum, user=owner)
    response = client_for(owner).delete(f"/api/v1/forums/{forum.slug}/team/{member.pk}/")
    assert response.status_code == 400
    assert TeamMember.objects.filter(pk=member.pk).exists()


def test_organizers_edit_shared_directory_but_plain_users_cannot(client_for, editor, outsider):
    payload = {"name_ar": "هيئة الاتصالات وتقنية المعلومات", "kind": "authority"}
    assert client_for(outsider).post("/api/v1/organizations/", payload, format="json").status_code == 403
    assert client_for(editor).post("/api/v1/organizations/", payload, format="json").status_code == 201


# --- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, make",
    [
        ("/api/v1/forums/", lambda n: [ForumFactory(patron=PersonFactory()) for _ in range(n)]),
        ("/api/v1/organizations/", lambda n: [OrganizationFactory(parent=OrganizationFactory()) for _ in range(n)]),
        ("/api/v1/people/", lambda n: [SessionRoleFactory() for _ in range(n)]),
    ],
)
def test_list_endpoints_keep_constant_queries_as_rows_grow(api_client, django_assert_max_num_queries, path, make):
    make(2)
    with django_assert_max_num_queries(4) as small:
        assert api_client.get(path).status_code == 200
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api_client.get(path).status_code == 200


def test_forum_scoped_lists_keep_constant_queries(api_client, forum, django_assert_max_num_queries):
    for _ in range(3):
        SponsorshipFactory(forum=forum)
    base = f"/api/v1/forums/{forum.slug}/sponsorships/"
    with django_assert_max_num_queries(4) as small:
        api_client.get(base)
    for _ in range(30):
        SponsorshipFactory(forum=forum)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api_client.get(base).json()["count"] == 33


def test_token_authentication_lets_an_organizer_write(api_client, forum, editor):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=editor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "قاعة التوكن"}, format="json")
    assert response.status_code == 201
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.post(f"/api/v1/forums/{forum.slug}/halls/", {"name_ar": "أخرى"}, format="json").status_code in (401, 403)
    assert list(Hall.objects.filter(forum=forum).values_list("name_ar", flat=True)) == ["قاعة التوكن"]
