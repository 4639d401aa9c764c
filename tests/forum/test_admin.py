"""The admin follows the organizer team: each organizer sees and changes only their forums."""

import pytest

from forum.models import Forum
from sessions.models import Session
from tests.factories import ForumFactory, SessionFactory, SessionRoleFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_owner():
    member = TeamMemberFactory(role="owner", user=UserFactory(is_staff=True))
    return member.user, member.forum


def test_organizer_sees_only_own_forums_in_admin(client, staff_owner):
    user, forum = staff_owner
    other = ForumFactory(title_ar="ملتقى آخر")
    client.force_login(user)
    page = client.get("/admin/forum/forum/").content.decode()
    assert forum.title_ar in page
    assert other.title_ar not in page


def test_organizer_of_forum_a_cannot_open_or_change_forum_b_in_admin(client, staff_owner):
    user, _forum = staff_owner
    other = ForumFactory(title_en="Untouched")
    client.force_login(user)
    assert client.get(f"/admin/forum/forum/{other.pk}/change/").status_code in (302, 403, 404)
    response = client.post(f"/admin/forum/forum/{other.pk}/change/", {"title_en": "Hijacked"})
    assert response.status_code in (302, 403, 404)
    other.refresh_from_db()
    assert other.title_en == "Untouched"


def test_organizer_cannot_change_another_forums_session_in_admin(client, staff_owner):
    user, _forum = staff_owner
    session = SessionFactory(title_en="Untouched")
    client.force_login(user)
    assert client.get(f"/admin/forum_sessions/session/{session.pk}/change/").status_code in (302, 403, 404)
    client.post(f"/admin/forum_sessions/session/{session.pk}/delete/", {"post": "yes"})
    assert Session.objects.filter(pk=session.pk).exists()


def test_session_page_shows_chair_speakers_and_items_inline(client, staff_owner):
    user, forum = staff_owner
    role = SessionRoleFactory(session__forum=forum, role="chair")
    client.force_login(user)
    page = client.get(f"/admin/forum_sessions/session/{role.session.pk}/change/").content.decode()
    assert 'id="roles-group"' in page
    assert 'id="items-group"' in page
    assert 'id="honorees-group"' in page


def test_viewer_can_look_but_not_change_in_admin(client):
    member = TeamMemberFactory(role="viewer", user=UserFactory(is_staff=True))
    client.force_login(member.user)
    url = f"/admin/forum/forum/{member.forum.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"title_ar": "تغيير"})
    assert Forum.objects.get(pk=member.forum.pk).title_ar != "تغيير"


def test_non_staff_user_cannot_enter_admin(client):
    user = TeamMemberFactory(role="owner").user
    client.force_login(user)
    response = client.get("/admin/forum/forum/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_forum_list_links_to_each_organizer_tool(client, staff_owner):
    user, forum = staff_owner
    client.force_login(user)
    page = client.get("/admin/forum/forum/").content.decode()
    assert f"/organize/{forum.slug}/builder/" in page
    assert f"/portal/manage/{forum.slug}/" in page
    assert f"/registration/{forum.slug}/manage/" in page
    assert f"/registration/badges/{forum.slug}/scanner/" in page
