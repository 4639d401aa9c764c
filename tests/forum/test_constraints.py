"""Each database constraint refuses bad data, whatever path the data takes."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from forum.models import Forum, Hall, Person, Sponsorship, TeamMember, Track
from sessions.models import Honoree, ScheduleVersion, SessionItem, SessionRole
from tests.factories import (
    ForumFactory,
    HallFactory,
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
    SessionRoleFactory,
    SponsorshipFactory,
    TeamMemberFactory,
    TrackFactory,
    at,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_forum_last_day_before_first_day_is_refused():
    refused(lambda: ForumFactory(first_day=date(2018, 10, 29), last_day=date(2018, 10, 28)))


def test_forum_single_day_is_accepted():
    forum = ForumFactory(first_day=date(2018, 10, 29), last_day=date(2018, 10, 29))
    assert forum.days == [date(2018, 10, 29)]


def test_forum_edition_zero_is_refused():
    refused(lambda: ForumFactory(edition=0))


def test_forum_latitude_out_of_range_is_refused():
    refused(lambda: ForumFactory(latitude="91.000000"))


def test_forum_slug_is_unique():
    ForumFactory(slug="makkah")
    refused(lambda: ForumFactory(slug="makkah"))


def test_organization_cannot_be_its_own_parent():
    org = OrganizationFactory()
    org.parent_id = org.pk
    refused(org.save)


def test_person_email_unique_but_blank_allowed_many_times():
    PersonFactory(email="a@example.org")
    refused(lambda: PersonFactory(email="a@example.org"))
    PersonFactory(email="")
    PersonFactory(email="")
    assert Person.objects.filter(email="").count() == 2


def test_hall_name_unique_per_forum_but_free_across_forums():
    hall = HallFactory(name_ar="القاعة الكبرى")
    refused(lambda: Hall.objects.create(forum=hall.forum, name_ar="القاعة الكبرى"))
    Hall.objects.create(forum=ForumFactory(), name_ar="القاعة الكبرى")
    assert Hall.objects.filter(name_ar="القاعة الكبرى").count() == 2


def test_track_color_must_be_hex():
    refused(lambda: TrackFactory(color="green"))
    assert TrackFactory(color="#1B5E20").pk


def test_track_name_unique_per_forum():
    track = TrackFactory()
    refused(lambda: Track.objects.create(forum=track.forum, name_ar=track.name_ar))


def test_sponsorship_one_per_organization_and_forum():
    sponsorship = SponsorshipFactory()
    refused(lambda: Sponsorship.objects.create(forum=sponsorship.forum, organization=sponsorship.organization))


def test_team_member_one_role_per_forum():
    member = TeamMemberFactory()
    refused(lambda: TeamMember.objects.create(forum=member.forum, user=member.user, role="viewer"))


def test_session_must_end_after_start():
    forum = ForumFactory()
    refused(lambda: SessionFactory(forum=forum, starts_at=at(10), ends_at=at(10)))
    refused(lambda: SessionFactory(forum=forum, starts_at=at(10), ends_at=at(9)))


def test_session_number_unique_per_forum_and_breaks_have_none():
    forum = ForumFactory()
    SessionFactory(forum=forum, number=1)
    refused(lambda: SessionFactory(forum=forum, number=1))
    SessionFactory(forum=forum, number=None, kind="break")
    SessionFactory(forum=forum, number=None, kind="prayer")
    SessionFactory(forum=ForumFactory(), number=1)
    assert forum.sessions.filter(number__isnull=True).count() == 2


def test_session_number_zero_is_refused():
    refused(lambda: SessionFactory(number=0))


def test_session_has_one_chair_and_co_chairs_are_extra():
    session = SessionFactory()
    SessionRoleFactory(session=session, role="chair")
    refused(lambda: SessionRoleFactory(session=session, role="chair"))
    SessionRoleFactory(session=session, role="co_chair")
    SessionRoleFactory(session=session, role="co_chair")
    assert session.roles.count() == 3


def test_same_person_same_role_twice_in_a_session_is_refused():
    role = SessionRoleFactory()
    refused(lambda: SessionRole.objects.create(session=role.session, person=role.person, role=role.role))


def test_session_item_duration_must_be_positive():
    session = SessionFactory()
    refused(lambda: SessionItem.objects.create(session=session, kind="speech", duration_minutes=0))


def test_honoree_is_a_person_or_an_organization_not_both_nor_neither():
    forum = ForumFactory()
    refused(lambda: Honoree.objects.create(forum=forum, reason="other"))
    refused(
        lambda: Honoree.objects.create(
            forum=forum, person=PersonFactory(), organization=OrganizationFactory(), reason="other"
        )
    )
    assert Honoree.objects.create(forum=forum, organization=OrganizationFactory(), reason="sponsor").pk


def test_honoree_same_person_same_moment_same_reason_is_refused():
    session = SessionFactory()
    person = PersonFactory()
    Honoree.objects.create(forum=session.forum, session=session, person=person, reason="speaker")
    refused(lambda: Honoree.objects.create(forum=session.forum, session=session, person=person, reason="speaker"))


def test_schedule_version_number_unique_per_forum():
    forum = ForumFactory()
    ScheduleVersion.objects.create(forum=forum, number=1, snapshot={})
    refused(lambda: ScheduleVersion.objects.create(forum=forum, number=1, snapshot={}))
    refused(lambda: ScheduleVersion.objects.create(forum=forum, number=0, snapshot={}))


def test_forum_days_lists_every_day_inclusive():
    forum = ForumFactory(first_day=date(2018, 10, 29), last_day=date(2018, 10, 31))
    assert forum.days == [date(2018, 10, 29) + timedelta(days=n) for n in range(3)]
    assert forum.status == Forum.Status.PUBLISHED
