"""API answers follow Accept-Language (pages follow the URL prefix)."""

import pytest

from tests.factories import HallFactory

pytestmark = pytest.mark.django_db


def test_api_error_in_english_when_the_client_asks_for_english(client_for, forum, editor):
    HallFactory(forum=forum, name_ar="القاعة الكبرى")
    client = client_for(editor)
    url = f"/api/v1/forums/{forum.slug}/halls/"
    english = client.post(url, {"name_ar": "القاعة الكبرى"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    arabic = client.post(url, {"name_ar": "القاعة الكبرى"}, format="json", HTTP_ACCEPT_LANGUAGE="ar")
    default = client.post(url, {"name_ar": "القاعة الكبرى"}, format="json")
    assert english.json()["name_ar"] == ["This forum already has a hall with this name."]
    assert arabic.json()["name_ar"] == ["توجد في هذا الملتقى قاعة بهذا الاسم."]
    assert default.json()["name_ar"] == arabic.json()["name_ar"]


def test_pages_keep_following_the_url_prefix_not_the_header(client, forum):
    response = client.get(f"/forums/{forum.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
