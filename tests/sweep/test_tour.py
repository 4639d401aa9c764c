"""The README's tour: screenshots of the Arabic agenda, a session, the speaker portal, the registration form
and the builder, taken on the demo data (artifacts/tour-*.png, not committed; described in the README)."""

import os

import pytest
from django.core.management import call_command
from django.test import Client

from forum.models import Forum, Person
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def test_tour_screenshots(live_server, page, artifacts_dir):
    from demo.loader import DEMO_ORGANIZER_USERNAME

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    forum = Forum.objects.get(slug="makkah-quality-forum")
    Forum.objects.filter(pk=forum.pk).update(open_after_last_day=True)
    session = forum.sessions.get(number=1)
    base = live_server.url
    shots = [
        ("agenda", f"/forums/{forum.slug}/agenda/", "[data-testid=session-chair]"),
        ("session", f"/forums/{forum.slug}/sessions/{session.pk}/", "h1"),
        ("registration", f"/registration/{forum.slug}/", "[data-testid=registration-form]"),
    ]
    for name, path, selector in shots:
        page.goto(base + path)
        assert page.locator(selector).first.is_visible(), name
        page.screenshot(path=str(artifacts_dir / f"tour-{name}.png"), full_page=True)
    speaker = Person.objects.get(full_name_ar__contains="وائل")
    speaker.user = UserFactory()
    speaker.save()
    _login(page, base, speaker.user)
    page.goto(base + "/portal/")
    assert page.locator("h1").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "tour-portal.png"), full_page=True)
    from django.contrib.auth import get_user_model

    _login(page, base, get_user_model().objects.get(username=DEMO_ORGANIZER_USERNAME))
    page.goto(base + f"/organize/{forum.slug}/builder/")
    page.locator("[data-testid^=session-]").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "tour-builder.png"), full_page=False)
