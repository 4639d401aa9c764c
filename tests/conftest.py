import os
import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories import ForumFactory, TeamMemberFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"



@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def forum(db):
    return ForumFactory()


@pytest.fixture
def draft_forum(db):
    return ForumFactory(status="draft")


def _member(forum, role):
    return TeamMemberFactory(forum=forum, role=role).user


@pytest.fixture
def owner(forum):
    return _member(forum, "owner")


@pytest.fixture
def editor(forum):
    return _member(forum, "editor")


@pytest.fixture
def viewer(forum):
    return _member(forum, "viewer")


@pytest.fixture
def checkin_staff(forum):
    return _member(forum, "checkin")


@pytest.fixture
def outsider(db):
    """A signed-in user with no role in any forum."""
    return UserFactory()


@pytest.fixture
def client_for(db):
    """An API client signed in as the given user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page for one test; screenshots go to artifacts/."""
    context = browser.new_context(locale="ar-SA", accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def postgres_only(db):
    """For guarantees that rest on real row locks: PostgreSQL only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs this on PostgreSQL")
