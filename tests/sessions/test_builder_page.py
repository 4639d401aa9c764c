"""The builder page: who may open it, and in which language and direction."""

import json

import pytest
from django.test import Client

from tests.factories import ForumFactory, HallFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def page_for(user, path):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="builder-config" type="application/json">') + len(
        '<script id="builder-config" type="application/json">'
    )
    return json.loads(html[start:html.index("</script>", start)])


def test_anonymous_is_sent_to_sign_in(forum):
    response = page_for(None, f"/organize/{forum.slug}/builder/")
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_outsider_and_other_forum_organizer_get_404(forum, outsider):
    assert page_for(outsider, f"/organize/{forum.slug}/builder/").status_code == 404
    stranger = TeamMemberFactory(forum=ForumFactory(), role="owner").user
    assert page_for(stranger, f"/organize/{forum.slug}/builder/").status_code == 404


def test_viewer_reads_without_edit_controls(forum, viewer):
    response = page_for(viewer, f"/organize/{forum.slug}/builder/")
    assert response.status_code == 200
    assert config_of(response)["can_edit"] is False
    assert 'data-testid="publish"' not in response.content.decode()


def test_owner_gets_the_arabic_rtl_builder_with_halls(forum, owner):
    HallFactory(forum=forum, name_ar="القاعة الكبرى")
    response = page_for(owner, f"/organize/{forum.slug}/builder/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    config = config_of(response)
    assert config["can_edit"] is True
    assert [h["name"] for h in config["halls"]] == ["القاعة الكبرى"]
    assert config["days"] if "days" in config else config["forum"]["days"] == ["2018-10-29", "2018-10-30"]
    # The Hijri date beside the Gregorian one, in the Arabic page's own digits.
    assert "١٤٤٠" in config["day_labels"]["2018-10-29"]
    assert 'data-testid="publish"' in html


def test_english_builder_is_ltr(forum, owner):
    response = page_for(owner, f"/en/organize/{forum.slug}/builder/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'dir="ltr"' in html and 'lang="en"' in html
    assert "Agenda builder" in html
    assert config_of(response)["language"] == "en"
