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



@pytest.fixture(autouse=True)
def default_language_for_each_test():
    """Every test starts in the site's default language (Arabic), as every request does.

    A request to an English page leaves English active in the thread (LocaleMiddleware activates,
    nothing resets), so a later test's reverse() would give /en/ addresses and its texts English.
    """
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def stripe_keys_pointing_nowhere(settings):
    """Online payment counts as configured, so paid types are offered, but no call can leave the machine.

    Tests that pay use localstripe (`stripe_local`); tests of a forum without payments clear the keys.
    """
    settings.STRIPE_SECRET_KEY = settings.STRIPE_SECRET_KEY or "sk_test_unreachable"
    settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_PUBLISHABLE_KEY or "pk_test_unreachable"
    settings.STRIPE_API_BASE = settings.STRIPE_API_BASE or "http://127.0.0.1:9"
@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the tests use a database file, as `make run` does, not a shared in-memory one.

    Threads of a test (the live server, concurrent registrations) then lock the way the
    served database does: writes queue behind BEGIN IMMEDIATE, reads go on beside them
    (WAL). A shared-cache in-memory database locks whole tables and fails at once with
    "database table is locked" instead. Each xdist worker has its own temporary folder.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.getbasetemp() / "test.sqlite3")


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
