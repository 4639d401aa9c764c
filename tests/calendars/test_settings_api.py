"""The forum's calendar settings over the API: team reads, owners/editors write, outsiders refused."""

import pytest

from calendars.models import CalendarSettings
from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db


def url(forum):
    return f"/calendar/api/forums/{forum.slug}/settings/"


def test_calendar_settings_editor_switches_to_one_event_per_day(forum, editor, client_for):
    api = client_for(editor)
    assert api.get(url(forum)).data == {"forum_event_per_day": False, "send_updates": True}
    response = api.patch(url(forum), {"forum_event_per_day": True}, format="json")
    assert response.status_code == 200 and response.data["forum_event_per_day"] is True
    assert CalendarSettings.objects.get(forum=forum).forum_event_per_day is True


def test_calendar_settings_bad_value_is_a_field_error(forum, owner, client_for):
    response = client_for(owner).patch(url(forum), {"send_updates": "maybe"}, format="json")
    assert response.status_code == 400 and "send_updates" in response.data


def test_calendar_settings_viewer_reads_but_cannot_change(forum, viewer, client_for):
    api = client_for(viewer)
    assert api.get(url(forum)).status_code == 200
    assert api.patch(url(forum), {"send_updates": False}, format="json").status_code == 403
    assert not CalendarSettings.objects.filter(forum=forum).exists()


def test_calendar_settings_outsider_refused(forum, outsider, client_for, api_client):
    assert client_for(outsider).get(url(forum)).status_code == 403
    assert client_for(outsider).patch(url(forum), {"send_updates": False}, format="json").status_code == 403
    assert api_client.get(url(forum)).status_code in (401, 403)
    draft = ForumFactory(status="draft")
    assert client_for(outsider).get(url(draft)).status_code == 404
    assert not CalendarSettings.objects.exists()
