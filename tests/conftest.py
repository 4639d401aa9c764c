import pytest
from rest_framework.test import APIClient

from tests.factories import ForumFactory, TeamMemberFactory, UserFactory


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
