"""Personal and team feeds behind secret tokens; per-session "add to calendar"."""

from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import vobject
from django.test import Client

from calendars import invites, services
from calendars.models import FeedToken
from forum.models import TeamMember
from sessions import ics
from sessions.models import Session
from sessions.selectors import agenda_snapshot_build
from tests.factories import ForumFactory, SessionFactory, SessionRoleFactory, TeamMemberFactory, UserFactory, at

from .factories import publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def feed_path(url: str) -> str:
    return urlsplit(url).path


def uids(response) -> set[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    vobject.readOne(response.content.decode("utf-8"))
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_personal_feed_shows_the_persons_published_sessions_only(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    # A session added after the publication is a draft: not in the feed.
    draft = SessionFactory(forum=agenda.forum, hall=agenda.hall, starts_at=at(15, day=agenda.forum.first_day),
                           ends_at=at(16, day=agenda.forum.first_day))
    SessionRoleFactory(session=draft, person=agenda.speaker)
    Session.objects.filter(pk=agenda.moved.pk).update(title_ar="عنوان لم يُنشر")
    _token, raw = services.feed_token_issue(forum=agenda.forum, person=agenda.speaker)
    response = Client().get(feed_path(services.feed_url(raw)))
    found = uids(response)
    forum_id = agenda.forum.pk
    assert found == {ics.forum_uid(forum_id), ics.session_uid(forum_id, agenda.moved.pk),
                     ics.session_uid(forum_id, agenda.cancelled.pk)}
    assert "عنوان لم يُنشر".encode() not in response.content
    assert b"REFRESH-INTERVAL" in response.content
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["UID"] == ics.person_uid(forum_id, f"person-{agenda.speaker.pk}")


def test_feed_token_revoked_or_regenerated_gives_404(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    client = Client()
    old_token, old = services.feed_token_issue(forum=agenda.forum, person=agenda.speaker)
    assert client.get(feed_path(services.feed_url(old))).status_code == 200
    _new_token, new = services.feed_token_issue(forum=agenda.forum, person=agenda.speaker)
    assert client.get(feed_path(services.feed_url(old))).status_code == 404
    assert client.get(feed_path(services.feed_url(new))).status_code == 200
    services.feed_token_revoke(token=FeedToken.objects.get(person=agenda.speaker, revoked_at__isnull=True))
    assert client.get(feed_path(services.feed_url(new))).status_code == 404
    assert client.get("/calendar/feeds/not-a-token.ics").status_code == 404
    old_token.refresh_from_db()
    assert old_token.revoked_at is not None


def test_feed_token_stores_only_a_hash(agenda):
    token, raw = services.feed_token_issue(forum=agenda.forum, person=agenda.speaker)
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert not FeedToken.objects.filter(token_hash=raw).exists()


def test_my_feed_api_issues_webcal_url_and_revokes(agenda, client_for, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    user = UserFactory()
    agenda.speaker.user = user
    agenda.speaker.save()
    api = client_for(user)
    response = api.post(f"/calendar/api/forums/{agenda.forum.slug}/feeds/mine/")
    assert response.status_code == 201
    assert response.data["webcal_url"].startswith("webcal://")
    path = feed_path(response.data["https_url"])
    assert ics.session_uid(agenda.forum.pk, agenda.moved.pk) in uids(Client().get(path))
    assert api.delete(f"/calendar/api/forums/{agenda.forum.slug}/feeds/mine/").status_code == 204
    assert Client().get(path).status_code == 404


def test_my_feed_api_refuses_anonymous_and_hides_draft_forums(client_for, api_client):
    draft = ForumFactory(status="draft")
    assert api_client.post(f"/calendar/api/forums/{draft.slug}/feeds/mine/").status_code in (401, 403)
    assert client_for(UserFactory()).post(f"/calendar/api/forums/{draft.slug}/feeds/mine/").status_code == 404


def test_team_feed_shows_drafts_to_the_team_only(agenda, client_for, outsider, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    draft = SessionFactory(forum=agenda.forum, hall=agenda.other_hall, title_ar="جلسة قيد الإعداد",
                           starts_at=at(15, day=agenda.forum.first_day), ends_at=at(16, day=agenda.forum.first_day))
    member = TeamMemberFactory(forum=agenda.forum, role=TeamMember.Role.VIEWER)
    url = f"/calendar/api/forums/{agenda.forum.slug}/feeds/team/"
    assert client_for(outsider).post(url).status_code == 404
    response = client_for(member.user).post(url)
    assert response.status_code == 201
    path = feed_path(response.data["https_url"])
    assert ics.session_uid(agenda.forum.pk, draft.pk) in uids(Client().get(path))
    # Someone who leaves the team loses the feed.
    member.delete()
    assert Client().get(path).status_code == 404


def test_team_feed_service_refuses_outsider(agenda, outsider):
    from forum.errors import DomainError

    with pytest.raises(DomainError):
        services.feed_token_issue(forum=agenda.forum, user=outsider, scope=FeedToken.Scope.TEAM)


def test_person_feed_api_for_editors_only(agenda, client_for, outsider, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    url = f"/calendar/api/forums/{agenda.forum.slug}/feeds/people/{agenda.speaker.pk}/"
    editor = TeamMemberFactory(forum=agenda.forum, role=TeamMember.Role.EDITOR).user
    viewer = TeamMemberFactory(forum=agenda.forum, role=TeamMember.Role.VIEWER).user
    assert client_for(outsider).post(url).status_code == 403
    assert client_for(viewer).post(url).status_code == 403
    response = client_for(editor).post(url)
    assert response.status_code == 201
    assert FeedToken.objects.filter(person=agenda.speaker, revoked_at__isnull=True).count() == 1
    # Someone not on this forum's agenda has no feed here.
    other = SessionRoleFactory().person
    assert client_for(editor).post(
        f"/calendar/api/forums/{agenda.forum.slug}/feeds/people/{other.pk}/").status_code == 404


def test_feed_query_count_does_not_grow_with_sessions(agenda, django_capture_on_commit_callbacks,
                                                      django_assert_max_num_queries):
    for hour in (13, 14, 15, 16):
        session = SessionFactory(forum=agenda.forum, hall=agenda.other_hall,
                                 starts_at=at(hour, day=agenda.forum.first_day),
                                 ends_at=at(hour, 50, day=agenda.forum.first_day))
        SessionRoleFactory(session=session, person=agenda.speaker, role="panelist")
    publish(agenda.forum, django_capture_on_commit_callbacks)
    _token, raw = services.feed_token_issue(forum=agenda.forum, person=agenda.speaker)
    with django_assert_max_num_queries(8):
        response = Client().get(feed_path(services.feed_url(raw)))
    assert len(uids(response)) == 7


def test_session_ics_download_published_only(agenda, django_capture_on_commit_callbacks):
    client = Client()
    url = f"/calendar/forums/{agenda.forum.slug}/sessions/{agenda.moved.pk}.ics"
    assert client.get(url).status_code == 404  # nothing published yet
    publish(agenda.forum, django_capture_on_commit_callbacks)
    assert uids(client.get(url)) == {ics.session_uid(agenda.forum.pk, agenda.moved.pk)}
    late = SessionFactory(forum=agenda.forum, hall=agenda.other_hall, starts_at=at(17, day=agenda.forum.first_day),
                          ends_at=at(18, day=agenda.forum.first_day))
    assert client.get(f"/calendar/forums/{agenda.forum.slug}/sessions/{late.pk}.ics").status_code == 404


def test_add_to_calendar_links(agenda):
    snapshot = agenda_snapshot_build(forum=agenda.forum)
    session = next(s for s in snapshot["sessions"] if s["id"] == agenda.moved.pk)
    links = invites.add_to_calendar_links(snapshot, session)
    assert links["ics"].endswith(f"/calendar/forums/{agenda.forum.slug}/sessions/{agenda.moved.pk}.ics")
    google = parse_qs(urlsplit(links["google"]).query)
    # 10:00–11:00 in Riyadh is 07:00–08:00 UTC.
    day = agenda.forum.first_day.strftime("%Y%m%d")
    assert google["dates"] == [f"{day}T070000Z/{day}T080000Z"]
    assert google["text"][0].startswith("الجلسة الأولى")
    assert "القاعة الكبرى" in google["location"][0]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert outlook["startdt"][0].startswith(agenda.forum.first_day.isoformat() + "T10:00:00+03:00")
    assert urlsplit(links["office365"]).hostname == "outlook.office.com"


def test_attendee_feed_follows_their_starred_sessions(agenda, client_for, django_capture_on_commit_callbacks):
    from .factories import star

    publish(agenda.forum, django_capture_on_commit_callbacks)
    attendee = UserFactory()
    star(attendee, agenda.untouched)
    response = client_for(attendee).post(f"/calendar/api/forums/{agenda.forum.slug}/feeds/mine/")
    path = feed_path(response.data["https_url"])
    assert uids(Client().get(path)) == {ics.forum_uid(agenda.forum.pk),
                                        ics.session_uid(agenda.forum.pk, agenda.untouched.pk)}
    # A newly starred session shows up at the next refresh, with no new link.
    star(attendee, agenda.moved)
    assert ics.session_uid(agenda.forum.pk, agenda.moved.pk) in uids(Client().get(path))


def test_invite_mail_carries_a_working_personal_feed(agenda, django_capture_on_commit_callbacks):
    import re

    from forum.mailing.models import OutgoingMessage

    publish(agenda.forum, django_capture_on_commit_callbacks)
    message = OutgoingMessage.objects.get(to=agenda.speaker.email)
    [webcal] = re.findall(r"webcal://\S+\.ics", message.text_body)
    assert webcal in message.html_body
    assert ics.session_uid(agenda.forum.pk, agenda.moved.pk) in uids(Client().get(feed_path(webcal)))
