"""The agenda REST API: shape, permissions, optimistic locking, publishing, copy edition."""

from datetime import date, time, timedelta

import pytest
from rest_framework.test import APIClient

from forum.models import Forum, TeamMember
from sessions import services
from sessions.models import ScheduleVersion, Session, SessionItem, SessionRole
from tests.factories import (
    FORUM_DAY,
    ForumFactory,
    HallFactory,
    HonoreeFactory,
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    SessionRoleFactory,
    TeamMemberFactory,
    at,
)

pytestmark = pytest.mark.django_db


def api(forum, path=""):
    return f"/api/v1/forums/{forum.slug}/{path}"


@pytest.fixture
def hall(forum):
    return HallFactory(forum=forum, capacity=100)


@pytest.fixture
def other_hall(forum):
    return HallFactory(forum=forum, capacity=100)


@pytest.fixture
def session(forum, hall):
    return SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(9), ends_at=at(10))


def payload(hall, start=None, end=None, **extra):
    data = {"kind": "keynote", "title_ar": "جلسة جديدة", "title_en": "New session", "hall": hall.pk,
            "starts_at": (start or at(10)).isoformat(), "ends_at": (end or at(11)).isoformat()}
    data.update(extra)
    return data


# ---- shape --------------------------------------------------------------------------------------


def test_create_in_busy_hall_returns_conflict_report_and_changes_nothing(client_for, owner, forum, session, hall):
    response = client_for(owner).post(api(forum, "sessions/"), payload(hall, at(9, 30), at(10, 30)), format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errors", "warnings", "code"}
    assert body["code"] == "conflict"
    error = body["errors"][0]
    assert error["code"] == "hall_double_booked"
    assert error["session_ids"] == [session.pk]
    assert error["hall_id"] == hall.pk
    assert error["field"] == "hall"
    assert isinstance(error["message"], str) and error["message"]
    assert Session.objects.filter(forum=forum).count() == 1


def test_conflict_message_follows_the_request_language(client_for, owner, forum, session, hall):
    client = client_for(owner)
    english = client.post(api(forum, "sessions/"), payload(hall, at(9), at(10)), format="json",
                          HTTP_ACCEPT_LANGUAGE="en").json()["errors"][0]["message"]
    arabic = client.post(api(forum, "sessions/"), payload(hall, at(9), at(10)), format="json",
                         HTTP_ACCEPT_LANGUAGE="ar").json()["errors"][0]["message"]
    assert "same time" in english
    assert arabic != english


def test_created_session_carries_its_warnings(client_for, owner, forum, hall):
    response = client_for(owner).post(api(forum, "sessions/"), payload(hall, kind="papers"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["conflicts"]["errors"] == []
    assert [w["code"] for w in body["conflicts"]["warnings"]] == ["paper_session_without_chair"]
    assert body["lock_version"] == 0


def test_end_before_start_is_refused_with_field(client_for, owner, forum, hall):
    response = client_for(owner).post(api(forum, "sessions/"), payload(hall, at(11), at(10)), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] | {} == response.json()["errors"][0]
    assert response.json()["errors"][0]["code"] == "ends_before_start"
    assert response.json()["errors"][0]["field"] == "ends_at"


def test_hall_of_another_forum_is_refused(client_for, owner, forum):
    foreign = HallFactory()
    response = client_for(owner).post(api(forum, "sessions/"), payload(foreign), format="json")
    assert response.status_code == 400
    assert "hall" in response.json()


def test_conflicts_endpoint_lists_warnings(client_for, viewer, forum, hall, other_hall):
    person = PersonFactory()
    a = SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(9), ends_at=at(10))
    b = SessionFactory(forum=forum, hall=other_hall, kind="keynote", starts_at=at(9, 30), ends_at=at(10, 30))
    SessionRoleFactory(session=a, person=person)
    SessionRoleFactory(session=b, person=person, role="panelist")
    body = client_for(viewer).get(api(forum, "conflicts/")).json()
    assert body["errors"] == []
    assert body["warnings"] == [
        {"code": "person_double_booked", "message": body["warnings"][0]["message"],
         "session_ids": sorted([a.pk, b.pk]), "person_id": person.pk}
    ]


def test_list_filters_by_day_hall_kind_and_search(client_for, viewer, forum, hall, other_hall):
    second_day = forum.first_day + timedelta(days=1)
    first = SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(9), ends_at=at(10),
                           title_ar="التحول الرقمي")
    SessionFactory(forum=forum, hall=other_hall, kind="papers", starts_at=at(9, day=second_day),
                   ends_at=at(10, day=second_day))
    client = client_for(viewer)

    def ids(query):
        return [s["id"] for s in client.get(api(forum, "sessions/") + query).json()["results"]]

    assert ids(f"?day={forum.first_day.isoformat()}") == [first.pk]
    assert ids(f"?hall={hall.pk}") == [first.pk]
    assert ids("?kind=keynote") == [first.pk]
    assert ids("?search=الرقمي") == [first.pk]
    assert len(ids("?status=scheduled")) == 2


def test_list_query_count_does_not_grow_with_sessions(client_for, owner, forum, django_assert_max_num_queries):
    client = client_for(owner)

    def add_sessions(count, offset):
        for n in range(count):
            hall = HallFactory(forum=forum)
            s = SessionFactory(forum=forum, hall=hall, kind="papers", starts_at=at(8 + n % 3, offset),
                               ends_at=at(9 + n % 3, offset))
            SessionRoleFactory(session=s, role="chair")
            SessionRoleFactory(session=s)
            SessionItemFactory(session=s)

    add_sessions(3, 0)
    client.get(api(forum, "sessions/"))  # warm per-process caches (content types, translations)
    with django_assert_max_num_queries(20) as small:
        assert client.get(api(forum, "sessions/")).status_code == 200
    add_sessions(12, 5)
    with django_assert_max_num_queries(20) as large:
        response = client.get(api(forum, "sessions/"))
    assert len(response.json()["results"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


# ---- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "checkin_staff"])
def test_viewer_and_checkin_staff_cannot_edit(request, client_for, forum, session, hall, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(api(forum, "sessions/")).status_code == 200
    assert client.post(api(forum, "sessions/"), payload(hall), format="json").status_code == 403
    assert client.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "x"}, format="json").status_code == 403
    assert client.post(api(forum, f"sessions/{session.pk}/cancel/"), {}, format="json").status_code == 403
    assert client.post(api(forum, "publish/")).status_code == 403
    assert client.post(api(forum, "copy-edition/"), {"slug": "x", "first_day": "2019-10-01"}).status_code == 403
    session.refresh_from_db()
    assert session.title_ar != "x" and session.status == "scheduled"
    assert not ScheduleVersion.objects.exists()


def test_organizer_of_another_forum_cannot_see_the_draft(client_for, forum, session):
    stranger = TeamMemberFactory(forum=ForumFactory(), role="owner").user
    client = client_for(stranger)
    assert client.get(api(forum, "sessions/")).status_code == 404
    assert client.get(api(forum, f"sessions/{session.pk}/")).status_code == 404
    assert client.get(api(forum, "conflicts/")).status_code == 404
    assert client.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "x"}, format="json").status_code == 404


def test_anonymous_cannot_read_the_draft_or_write(forum, session, hall):
    client = APIClient()
    assert client.get(api(forum, "sessions/")).status_code == 404
    assert client.post(api(forum, "sessions/"), payload(hall), format="json").status_code in (401, 403, 404)
    assert client.post(api(forum, "publish/")).status_code in (401, 403, 404)
    assert Session.objects.filter(forum=forum).count() == 1
    assert not ScheduleVersion.objects.exists()


def test_editor_can_change_a_session(client_for, editor, forum, session):
    response = client_for(editor).patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "عنوان"}, format="json")
    assert response.status_code == 200
    assert response.json()["title_ar"] == "عنوان"


# ---- optimistic locking ---------------------------------------------------------------------------


def test_stale_lock_version_is_refused_with_409_and_nothing_changes(client_for, owner, editor, forum, session):
    first, second = client_for(owner), client_for(editor)
    read = second.get(api(forum, f"sessions/{session.pk}/")).json()
    assert first.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "الأول", "lock_version": 0},
                       format="json").status_code == 200
    response = second.patch(api(forum, f"sessions/{session.pk}/"),
                            {"title_ar": "الثاني", "lock_version": read["lock_version"]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert "lock_version" in response.json()
    session.refresh_from_db()
    assert (session.title_ar, session.lock_version) == ("الأول", 1)


def test_if_match_etag_works_like_lock_version(client_for, owner, forum, session):
    client = client_for(owner)
    read = client.get(api(forum, f"sessions/{session.pk}/"))
    etag = read["ETag"]
    ok = client.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "أ"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    assert ok["ETag"] != etag
    stale = client.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "ب"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    session.refresh_from_db()
    assert session.title_ar == "أ"


def test_refused_move_leaves_lock_version_unchanged(client_for, owner, forum, session, hall, other_hall):
    other = SessionFactory(forum=forum, hall=other_hall, kind="keynote", starts_at=at(9), ends_at=at(10))
    response = client_for(owner).patch(api(forum, f"sessions/{other.pk}/"), {"hall": hall.pk, "lock_version": 0},
                                       format="json")
    assert response.status_code == 400
    other.refresh_from_db()
    assert (other.hall_id, other.lock_version) == (other_hall.pk, 0)


# ---- participants and items -----------------------------------------------------------------------


def test_roles_add_second_chair_is_refused(client_for, owner, forum, session):
    client = client_for(owner)
    first = client.post(api(forum, "session-roles/"), {"session": session.pk, "person": PersonFactory().pk,
                                                       "role": "chair"}, format="json")
    assert first.status_code == 201
    assert "conflicts" in first.json()
    second = client.post(api(forum, "session-roles/"), {"session": session.pk, "person": PersonFactory().pk,
                                                        "role": "chair"}, format="json")
    assert second.status_code == 400
    assert "role" in second.json()
    assert SessionRole.objects.filter(session=session).count() == 1


def test_reorder_speakers_keeps_the_chair_first(client_for, owner, forum, session):
    chair = SessionRoleFactory(session=session, role="chair", order=0)
    a = SessionRoleFactory(session=session, order=1)
    b = SessionRoleFactory(session=session, order=2)
    c = SessionRoleFactory(session=session, order=3)
    response = client_for(owner).post(api(forum, "session-roles/reorder/"),
                                      {"session": session.pk, "ids": [c.pk, a.pk, b.pk]}, format="json")
    assert response.status_code == 200
    ordered = list(SessionRole.objects.filter(session=session).order_by("order").values_list("id", flat=True))
    assert ordered == [chair.pk, c.pk, a.pk, b.pk]


def test_reorder_opening_items(client_for, owner, forum, session):
    anthem = SessionItemFactory(session=session, kind="anthem", order=0)
    quran = SessionItemFactory(session=session, kind="quran", order=0)
    speech = SessionItemFactory(session=session, kind="speech", order=0)
    response = client_for(owner).post(api(forum, "session-items/reorder/"),
                                      {"session": session.pk, "ids": [quran.pk, anthem.pk, speech.pk]}, format="json")
    assert response.status_code == 200
    assert [i["id"] for i in response.json()] == [quran.pk, anthem.pk, speech.pk]
    assert list(SessionItem.objects.filter(session=session).order_by("order").values_list("kind", flat=True)) == [
        "quran", "anthem", "speech"]


def test_reorder_with_a_row_of_another_session_is_refused(client_for, owner, forum, session):
    mine = SessionItemFactory(session=session, order=0)
    foreign = SessionItemFactory(order=0)
    response = client_for(owner).post(api(forum, "session-items/reorder/"),
                                      {"session": session.pk, "ids": [foreign.pk, mine.pk]}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


def test_item_create_and_update(client_for, owner, forum, session):
    client = client_for(owner)
    created = client.post(api(forum, "session-items/"), {"session": session.pk, "kind": "speech",
                                                         "title_ar": "كلمة", "duration_minutes": 90}, format="json")
    assert created.status_code == 201
    assert [w["code"] for w in created.json()["conflicts"]["warnings"]] == ["items_exceed_session"]
    updated = client.patch(api(forum, f"session-items/{created.json()['id']}/"), {"duration_minutes": 10},
                           format="json")
    assert updated.json()["conflicts"]["warnings"] == []


def test_honoree_needs_person_or_organization(client_for, owner, forum, session):
    client = client_for(owner)
    bad = client.post(api(forum, "honorees/"), {"session": session.pk, "reason": "speaker"}, format="json")
    assert bad.status_code == 400
    good = client.post(api(forum, "honorees/"), {"session": session.pk, "person": PersonFactory().pk,
                                                 "reason": "speaker", "gift": "shield"}, format="json")
    assert good.status_code == 201
    HonoreeFactory(forum=ForumFactory())
    assert len(client.get(api(forum, "honorees/")).json()["results"]) == 1


# ---- prayer times --------------------------------------------------------------------------------


def test_prayer_times_per_day_with_override(client_for, owner, forum, hall):
    client = client_for(owner)
    created = client.post(api(forum, "prayer-time-overrides/"),
                          {"day": FORUM_DAY.isoformat(), "prayer": "dhuhr", "time": "12:15"}, format="json")
    assert created.status_code == 201
    body = client.get(api(forum, "prayer-times/")).json()
    assert body["method"] == "umm_al_qura"
    assert [d["day"] for d in body["days"]] == [FORUM_DAY.isoformat(), (FORUM_DAY + timedelta(days=1)).isoformat()]
    first = {p["prayer"]: p for p in body["days"][0]["prayers"]}
    assert list(first) == ["fajr", "dhuhr", "asr", "maghrib", "isha"]
    assert first["dhuhr"]["source"] == "override"
    assert first["dhuhr"]["time"].startswith(f"{FORUM_DAY.isoformat()}T12:15")
    assert first["dhuhr"]["computed_time"].startswith(f"{FORUM_DAY.isoformat()}T12:04")
    assert first["asr"]["source"] == "computed"


def test_prayer_override_outside_forum_days_is_refused(client_for, owner, forum):
    response = client_for(owner).post(api(forum, "prayer-time-overrides/"),
                                      {"day": "2030-01-01", "prayer": "dhuhr", "time": "12:15"}, format="json")
    assert response.status_code == 400
    assert "day" in response.json()


def test_insert_prayer_break_in_one_step(client_for, owner, forum, hall):
    client = client_for(owner)
    response = client.post(api(forum, "prayer-breaks/"),
                           {"day": FORUM_DAY.isoformat(), "prayer": "dhuhr", "hall": hall.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "prayer"
    assert response.json()["starts_at"].startswith(f"{FORUM_DAY.isoformat()}T12:04")
    body = client.get(api(forum, "prayer-times/")).json()
    dhuhr = next(p for p in body["days"][0]["prayers"] if p["prayer"] == "dhuhr")
    assert dhuhr["prayer_break_ids"] == [response.json()["id"]]
    again = client.post(api(forum, "prayer-breaks/"),
                        {"day": FORUM_DAY.isoformat(), "prayer": "dhuhr", "hall": hall.pk}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "hall_double_booked"


# ---- publishing ------------------------------------------------------------------------------------


def test_publish_numbers_versions_and_logs_each_kind_of_change(client_for, owner, forum, hall, other_hall):
    client = client_for(owner)
    moving = SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(9), ends_at=at(10))
    renamed = SessionFactory(forum=forum, hall=other_hall, kind="keynote", starts_at=at(9), ends_at=at(10))
    cancelled = SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(10), ends_at=at(11))
    leaving = SessionRoleFactory(session=renamed)
    v1 = client.post(api(forum, "publish/"))
    assert v1.status_code == 201
    assert (v1.json()["number"], v1.json()["changelog"]) == (1, [])

    added = client.post(api(forum, "sessions/"), payload(hall, at(13), at(14)), format="json").json()
    assert client.patch(api(forum, f"sessions/{moving.pk}/"), {"starts_at": at(8).isoformat(),
                        "ends_at": at(9).isoformat()}, format="json").status_code == 200
    client.patch(api(forum, f"sessions/{renamed.pk}/"), {"title_ar": "عنوان جديد"}, format="json")
    client.post(api(forum, f"sessions/{cancelled.pk}/cancel/"), {}, format="json")
    joining = PersonFactory()
    client.post(api(forum, "session-roles/"), {"session": renamed.pk, "person": joining.pk, "role": "panelist"},
                format="json")
    client.delete(api(forum, f"session-roles/{leaving.pk}/"))
    v2 = client.post(api(forum, "publish/"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert v2["number"] == 2
    log = {(e["type"], e["session_id"]) for e in v2["changelog"]}
    assert log == {
        ("added", added["id"]), ("moved", moving.pk), ("retitled", renamed.pk), ("cancelled", cancelled.pk),
        ("person_added", renamed.pk), ("person_removed", renamed.pk),
    }
    texts = {e["type"]: e["text"] for e in v2["changelog"]}
    assert texts["moved"].startswith("Moved")
    assert f"{FORUM_DAY.isoformat()} 08:00" in texts["moved"]
    assert joining.full_name_en in texts["person_added"]
    assert client.post(api(forum, "publish/")).json()["number"] == 3
    assert list(ScheduleVersion.objects.filter(forum=forum).order_by("number").values_list("number", flat=True)) == [
        1, 2, 3]


def test_public_versions_do_not_change_with_draft_edits(client_for, owner, forum, session):
    client = client_for(owner)
    client.post(api(forum, "publish/"))
    public = APIClient()
    before = public.get(api(forum, "schedule-versions/1/")).json()
    listing = public.get(api(forum, "schedule-versions/")).json()
    assert [v["number"] for v in listing["results"]] == [1]
    assert "snapshot" not in listing["results"][0]
    client.patch(api(forum, f"sessions/{session.pk}/"), {"title_ar": "مسودة"}, format="json")
    client.post(api(forum, "sessions/"), payload(session.hall, at(13), at(14)), format="json")
    assert public.get(api(forum, "schedule-versions/1/")).json() == before
    assert [v["number"] for v in public.get(api(forum, "schedule-versions/")).json()["results"]] == [1]
    assert [s["title_ar"] for s in before["snapshot"]["sessions"]] == [session.title_ar]
    client.post(api(forum, "publish/"))
    latest = public.get(api(forum, "schedule-versions/2/")).json()
    assert "مسودة" in [s["title_ar"] for s in latest["snapshot"]["sessions"]]


def test_versions_of_a_draft_forum_are_hidden_from_the_public(client_for, draft_forum):
    owner = TeamMemberFactory(forum=draft_forum, role="owner").user
    services.schedule_publish(forum=draft_forum, user=owner)
    assert APIClient().get(api(draft_forum, "schedule-versions/")).status_code == 404
    assert client_for(owner).get(api(draft_forum, "schedule-versions/")).status_code == 200


# ---- copy to a new edition ------------------------------------------------------------------------


def test_copy_edition_shifts_dates_and_keeps_people(client_for, owner, forum, session, hall):
    chair = SessionRoleFactory(session=session, role="chair")
    SessionItemFactory(session=session, kind="anthem")
    SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(14), ends_at=at(15), status="cancelled")
    response = client_for(owner).post(api(forum, "copy-edition/"),
                                      {"slug": "next-edition", "first_day": "2019-11-04"}, format="json")
    assert response.status_code == 201
    assert response.json()["builder_url"].endswith("/organize/next-edition/builder/")
    new = Forum.objects.get(slug="next-edition")
    assert (new.edition, new.first_day, new.last_day, new.status) == (
        forum.edition + 1, date(2019, 11, 4), date(2019, 11, 5), Forum.Status.DRAFT)
    copied = Session.objects.get(forum=new)
    assert copied.starts_at == at(9, day=date(2019, 11, 4))
    assert copied.hall.forum_id == new.pk and copied.hall.name_ar == hall.name_ar
    assert list(copied.roles.values_list("person_id", "role")) == [(chair.person_id, "chair")]
    assert copied.items.count() == 1
    assert TeamMember.objects.filter(forum=new, user=owner, role="owner").exists()
    assert Session.objects.filter(forum=forum).count() == 2


def test_copy_edition_to_a_taken_slug_is_refused(client_for, owner, forum, session):
    taken = ForumFactory()
    response = client_for(owner).post(api(forum, "copy-edition/"), {"slug": taken.slug, "first_day": "2019-11-04"},
                                      format="json")
    assert response.status_code == 400
    assert "slug" in response.json()
    assert Forum.objects.count() == 2


def test_prayer_time_override_time_is_local(forum):
    override = services.prayer_time_override_set(forum=forum, day=FORUM_DAY, prayer="asr", time=time(15, 30))
    assert str(override) == f"{FORUM_DAY} العصر 15:30"


def test_participants_list_query_count_does_not_grow(client_for, owner, forum, django_assert_max_num_queries):
    client = client_for(owner)

    def add(count):
        for _ in range(count):
            s = SessionFactory(forum=forum, hall=HallFactory(forum=forum), kind="papers", starts_at=at(9),
                               ends_at=at(10))
            SessionRoleFactory(session=s, role="chair")
            SessionRoleFactory(session=s)

    add(2)
    client.get(api(forum, "session-roles/"))
    with django_assert_max_num_queries(20) as small:
        client.get(api(forum, "session-roles/"))
    add(10)
    with django_assert_max_num_queries(20) as large:
        response = client.get(api(forum, "session-roles/"))
    assert response.json()["count"] == 24
    assert all("conflicts" in row for row in response.json()["results"])
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("when", ["0113-06-26T23:21:40", "2999-01-01T10:00:00+03:00"])
def test_session_time_outside_the_years_1900_to_2200_is_a_field_error(client_for, owner, forum, session, when):
    before = (session.starts_at, session.ends_at)
    response = client_for(owner).patch(api(forum, f"sessions/{session.pk}/"),
                                       {"starts_at": when, "lock_version": session.lock_version}, format="json")
    assert response.status_code == 400 and "starts_at" in str(response.json()), response.content
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == before
