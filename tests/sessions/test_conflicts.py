"""Every conflict rule, both sides of each boundary (sessions.conflicts via the services)."""

from datetime import time, timedelta

import pytest

from sessions import services
from sessions.conflicts import ScheduleConflict, forum_conflicts
from sessions.models import Session, SessionRole
from tests.factories import (
    FORUM_DAY,
    ForumFactory,
    HallFactory,
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    SessionRoleFactory,
    WorkingPaperFactory,
    at,
)

pytestmark = pytest.mark.django_db


def codes(report, severity="warnings"):
    return [entry["code"] for entry in report[severity]]


def create(forum, hall, start, end, **extra):
    data = {"kind": Session.Kind.KEYNOTE, "title_ar": "جلسة", "title_en": "Session", "hall": hall,
            "starts_at": start, "ends_at": end}
    data.update(extra)
    return services.session_create(forum=forum, **data)


@pytest.fixture
def hall(forum):
    return HallFactory(forum=forum, capacity=100)


# ---- errors -------------------------------------------------------------------------------------


def test_hall_double_booked_when_overlapping_by_a_minute_is_refused(forum, hall):
    create(forum, hall, at(9), at(10))
    with pytest.raises(ScheduleConflict) as caught:
        create(forum, hall, at(9, 59), at(11))
    entry = caught.value.report["errors"][0]
    assert entry["code"] == "hall_double_booked"
    assert entry["hall_id"] == hall.pk
    assert Session.objects.filter(forum=forum).count() == 1


def test_hall_back_to_back_sessions_are_not_a_conflict(forum, hall):
    create(forum, hall, at(9), at(10))
    second = create(forum, hall, at(10), at(11))
    assert second.conflicts["errors"] == []


def test_hall_double_booked_ignores_cancelled_sessions(forum, hall):
    first = create(forum, hall, at(9), at(10))
    services.session_cancel(session=first)
    second = create(forum, hall, at(9), at(10))
    assert second.conflicts["errors"] == []


def test_restoring_a_cancelled_session_into_a_taken_hall_is_refused(forum, hall):
    first = create(forum, hall, at(9), at(10))
    services.session_cancel(session=first)
    create(forum, hall, at(9), at(10))
    with pytest.raises(ScheduleConflict):
        services.session_update(session=first, status=Session.Status.SCHEDULED)
    first.refresh_from_db()
    assert first.status == Session.Status.CANCELLED


def test_same_time_in_different_halls_is_allowed(forum, hall):
    create(forum, hall, at(9), at(10))
    other = create(forum, HallFactory(forum=forum), at(9), at(10))
    assert other.conflicts["errors"] == []


def test_moving_into_a_busy_hall_is_refused_and_leaves_the_session_unchanged(forum, hall):
    create(forum, hall, at(9), at(10))
    other_hall = HallFactory(forum=forum)
    moving = create(forum, other_hall, at(9, 30), at(10, 30))
    with pytest.raises(ScheduleConflict):
        services.session_update(session=moving, hall=hall)
    moving.refresh_from_db()
    assert moving.hall_id == other_hall.pk
    assert moving.lock_version == 0


def test_session_before_the_first_day_in_forum_time_zone_is_refused(forum, hall):
    # 23:30 Riyadh time the evening before: still outside, even though it is 20:30 UTC.
    with pytest.raises(ScheduleConflict) as caught:
        create(forum, hall, at(23, 30, day=FORUM_DAY - timedelta(days=1)), at(8, 0))
    assert codes(caught.value.report, "errors") == ["outside_forum_days"]


def test_session_starting_at_midnight_of_the_first_day_is_inside(forum, hall):
    session = create(forum, hall, at(0, 0), at(1, 0))
    assert session.conflicts["errors"] == []


def test_session_ending_at_midnight_after_the_last_day_is_inside(forum, hall):
    last = forum.last_day
    session = create(forum, hall, at(23, 0, day=last), at(0, 0, day=last + timedelta(days=1)))
    assert session.conflicts["errors"] == []


def test_session_running_past_midnight_after_the_last_day_is_refused(forum, hall):
    last = forum.last_day
    with pytest.raises(ScheduleConflict) as caught:
        create(forum, hall, at(23, 0, day=last), at(0, 1, day=last + timedelta(days=1)))
    assert codes(caught.value.report, "errors") == ["outside_forum_days"]


def test_session_ending_when_it_starts_is_refused(forum, hall):
    with pytest.raises(ScheduleConflict) as caught:
        create(forum, hall, at(9), at(9))
    assert codes(caught.value.report, "errors") == ["ends_before_start"]
    assert caught.value.errors == {"ends_at": [caught.value.report["errors"][0]["message"]]}


def test_session_ending_before_it_starts_is_refused(forum, hall):
    session = create(forum, hall, at(9), at(10))
    with pytest.raises(ScheduleConflict):
        services.session_update(session=session, ends_at=at(8))
    session.refresh_from_db()
    assert session.ends_at == at(10)


def test_session_one_minute_long_is_allowed(forum, hall):
    assert create(forum, hall, at(9), at(9, 1)).conflicts["errors"] == []


# ---- warnings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["chair", "speaker", "panelist", "moderator"])
def test_person_in_two_overlapping_sessions_in_any_role_is_warned(forum, hall, role):
    person = PersonFactory()
    first = create(forum, hall, at(9), at(10))
    second = create(forum, HallFactory(forum=forum), at(9, 30), at(10, 30))
    SessionRoleFactory(session=first, person=person, role=SessionRole.Role.SPEAKER)
    added = services.session_role_add(session=second, person=person, role=role)
    entries = [w for w in added.conflicts["warnings"] if w["code"] == "person_double_booked"]
    assert entries and entries[0]["person_id"] == person.pk
    assert entries[0]["session_ids"] == sorted([first.pk, second.pk])
    assert person.full_name_ar in entries[0]["message"]


def test_person_in_back_to_back_sessions_is_not_warned(forum, hall):
    person = PersonFactory()
    first = create(forum, hall, at(9), at(10))
    second = create(forum, HallFactory(forum=forum), at(10), at(11))
    SessionRoleFactory(session=first, person=person)
    added = services.session_role_add(session=second, person=person, role="chair")
    assert "person_double_booked" not in codes(added.conflicts)


def test_person_warning_appears_when_a_session_moves_onto_the_other(forum, hall):
    person = PersonFactory()
    first = create(forum, hall, at(9), at(10))
    second = create(forum, HallFactory(forum=forum), at(10), at(11))
    SessionRoleFactory(session=first, person=person)
    SessionRoleFactory(session=second, person=person, role="chair")
    moved = services.session_update(session=second, starts_at=at(9, 59))
    assert "person_double_booked" in codes(moved.conflicts)


def test_person_in_a_cancelled_session_is_not_warned(forum, hall):
    person = PersonFactory()
    first = create(forum, hall, at(9), at(10))
    second = create(forum, HallFactory(forum=forum), at(9), at(10))
    SessionRoleFactory(session=first, person=person)
    SessionRoleFactory(session=second, person=person)
    services.session_cancel(session=first)
    assert "person_double_booked" not in codes(forum_conflicts(forum=forum))


def test_paper_session_without_chair_is_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    assert "paper_session_without_chair" in codes(session.conflicts)


def test_paper_session_with_a_chair_is_not_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    role = services.session_role_add(session=session, person=PersonFactory(), role="chair")
    assert "paper_session_without_chair" not in codes(role.conflicts)


def test_symposium_without_chair_is_not_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.SYMPOSIUM)
    assert "paper_session_without_chair" not in codes(session.conflicts)


def test_speaker_without_working_paper_is_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    person = PersonFactory()
    role = services.session_role_add(session=session, person=person, role="speaker")
    entries = [w for w in role.conflicts["warnings"] if w["code"] == "speaker_without_paper"]
    assert [e["person_id"] for e in entries] == [person.pk]


def test_speaker_with_a_working_paper_in_the_session_is_not_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    person = PersonFactory()
    item = SessionItemFactory(session=session)
    paper = WorkingPaperFactory(forum=forum, session_item=item)
    paper.speakers.add(person)
    role = services.session_role_add(session=session, person=person, role="speaker")
    assert "speaker_without_paper" not in codes(role.conflicts)


def test_speaker_whose_paper_is_in_another_session_is_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    elsewhere = create(forum, hall, at(10), at(11), kind=Session.Kind.PAPERS)
    person = PersonFactory()
    paper = WorkingPaperFactory(forum=forum, session_item=SessionItemFactory(session=elsewhere))
    paper.speakers.add(person)
    role = services.session_role_add(session=session, person=person, role="speaker")
    assert "speaker_without_paper" in codes(role.conflicts)


@pytest.fixture
def dhuhr_at_noon(forum):
    # A hand-set time, so the boundaries do not depend on astronomy.
    return services.prayer_time_override_set(forum=forum, day=FORUM_DAY, prayer="dhuhr", time=time(12, 0))


def test_session_running_into_prayer_time_is_warned(forum, hall, dhuhr_at_noon):
    session = create(forum, hall, at(11), at(12, 1))
    entries = [w for w in session.conflicts["warnings"] if w["code"] == "prayer_time_overlap"]
    assert [e["prayer"] for e in entries] == ["dhuhr"]
    assert "12:00" in entries[0]["message"]


def test_session_ending_at_prayer_time_is_not_warned(forum, hall, dhuhr_at_noon):
    session = create(forum, hall, at(11), at(12))
    assert "prayer_time_overlap" not in codes(session.conflicts)


def test_session_starting_when_the_prayer_window_ends_is_not_warned(forum, hall, dhuhr_at_noon):
    session = create(forum, hall, at(12, 20), at(13))
    assert "prayer_time_overlap" not in codes(session.conflicts)


def test_session_starting_inside_the_prayer_window_is_warned(forum, hall, dhuhr_at_noon):
    session = create(forum, hall, at(12, 19), at(13))
    assert "prayer_time_overlap" in codes(session.conflicts)


def test_prayer_break_itself_is_not_warned(forum, hall, dhuhr_at_noon):
    prayer_break = services.prayer_break_insert(forum=forum, day=FORUM_DAY, prayer="dhuhr", hall=hall)
    assert (prayer_break.starts_at, prayer_break.ends_at) == (at(12), at(12, 20))
    assert prayer_break.kind == Session.Kind.PRAYER
    assert prayer_break.conflicts == {"errors": [], "warnings": []}


def test_prayer_break_in_a_busy_hall_is_refused(forum, hall, dhuhr_at_noon):
    create(forum, hall, at(11), at(13))
    with pytest.raises(ScheduleConflict):
        services.prayer_break_insert(forum=forum, day=FORUM_DAY, prayer="dhuhr", hall=hall)
    assert not Session.objects.filter(kind=Session.Kind.PRAYER).exists()


def test_computed_prayer_time_warns_without_override(forum, hall):
    # Makkah, 29 Oct 2018, Umm al-Qura: Dhuhr at 12:04.
    session = create(forum, hall, at(11), at(12, 10))
    entries = [w for w in session.conflicts["warnings"] if w["code"] == "prayer_time_overlap"]
    assert "12:04" in entries[0]["message"]
    assert "prayer_time_overlap" not in codes(create(forum, hall, at(12, 24), at(13)).conflicts)


def test_audience_above_capacity_is_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), expected_audience=101)
    assert "audience_over_capacity" in codes(session.conflicts)


def test_audience_equal_to_capacity_is_not_warned(forum, hall):
    session = create(forum, hall, at(9), at(10), expected_audience=100)
    assert "audience_over_capacity" not in codes(session.conflicts)


def test_items_longer_than_the_session_are_warned(forum, hall):
    session = create(forum, hall, at(9), at(10))
    services.session_item_add(session=session, kind="paper", title_ar="أ", duration_minutes=30)
    item = services.session_item_add(session=session, kind="paper", title_ar="ب", duration_minutes=31)
    assert "items_exceed_session" in codes(item.conflicts)


def test_items_filling_the_session_exactly_are_not_warned(forum, hall):
    session = create(forum, hall, at(9), at(10))
    services.session_item_add(session=session, kind="paper", title_ar="أ", duration_minutes=30)
    item = services.session_item_add(session=session, kind="paper", title_ar="ب", duration_minutes=30)
    assert "items_exceed_session" not in codes(item.conflicts)


def test_shortening_a_session_below_its_items_is_warned(forum, hall):
    session = create(forum, hall, at(9), at(10))
    services.session_item_add(session=session, kind="paper", title_ar="أ", duration_minutes=45)
    shorter = services.session_update(session=session, ends_at=at(9, 30))
    assert "items_exceed_session" in codes(shorter.conflicts)


def test_messages_follow_the_active_language(forum, hall):
    from django.utils.translation import override

    session = create(forum, hall, at(9), at(10), kind=Session.Kind.PAPERS)
    with override("en"):
        english = forum_conflicts(forum=forum)["warnings"][0]["message"]
    with override("ar"):
        arabic = forum_conflicts(forum=forum)["warnings"][0]["message"]
    assert "chair" in english
    assert english != arabic
    assert session.pk


def test_forum_conflicts_lists_each_overlap_once(forum, hall):
    person = PersonFactory()
    other_forum = ForumFactory()
    first = SessionFactory(forum=forum, hall=hall, kind="keynote", starts_at=at(9), ends_at=at(10))
    second = SessionFactory(forum=forum, hall=HallFactory(forum=forum), kind="keynote", starts_at=at(9), ends_at=at(10))
    SessionFactory(forum=other_forum, kind="keynote", starts_at=at(9), ends_at=at(10))
    SessionRoleFactory(session=first, person=person)
    SessionRoleFactory(session=second, person=person)
    report = forum_conflicts(forum=forum)
    assert codes(report) == ["person_double_booked"]
    assert report["errors"] == []


def test_forum_wide_prayer_break_holding_the_prayer_time_covers_it(forum, hall, dhuhr_at_noon):
    services.prayer_break_insert(forum=forum, day=FORUM_DAY, prayer="dhuhr", hall=None)
    session = create(forum, hall, at(11), at(13))
    assert "prayer_time_overlap" not in codes(session.conflicts)


def test_prayer_break_in_another_hall_does_not_cover_this_one(forum, hall, dhuhr_at_noon):
    services.prayer_break_insert(forum=forum, day=FORUM_DAY, prayer="dhuhr", hall=HallFactory(forum=forum))
    session = create(forum, hall, at(11), at(13))
    assert "prayer_time_overlap" in codes(session.conflicts)


def test_prayer_break_ending_at_the_prayer_time_does_not_cover_it(forum, hall, dhuhr_at_noon):
    create(forum, None, at(11, 40), at(12), kind=Session.Kind.PRAYER)
    session = create(forum, hall, at(11), at(13))
    assert "prayer_time_overlap" in codes(session.conflicts)


def test_prayer_break_starting_at_the_prayer_time_covers_it(forum, hall, dhuhr_at_noon):
    create(forum, None, at(12), at(12, 15), kind=Session.Kind.PRAYER)
    session = create(forum, hall, at(11), at(13))
    assert "prayer_time_overlap" not in codes(session.conflicts)


def test_cancelled_prayer_break_does_not_cover(forum, hall, dhuhr_at_noon):
    prayer_break = services.prayer_break_insert(forum=forum, day=FORUM_DAY, prayer="dhuhr", hall=None)
    services.session_cancel(session=prayer_break)
    session = create(forum, hall, at(11), at(13))
    assert "prayer_time_overlap" in codes(session.conflicts)
