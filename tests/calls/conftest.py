import pytest
from django.core.cache import cache
from django.utils import translation

from tests.calls.factories import CallFactory, SubmissionTypeFactory
from tests.factories import PersonFactory, TeamMemberFactory, TrackFactory


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.SPEAKERS_PRIVATE_ROOT


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def arabic_by_default():
    translation.activate("ar")
    yield
    translation.deactivate()


@pytest.fixture
def world(db):
    """A forum with an open call, two themes, a type, an organizer and a submitter."""
    call = CallFactory()
    forum = call.forum
    themes = [TrackFactory(forum=forum), TrackFactory(forum=forum)]
    stype = SubmissionTypeFactory(call=call)
    organizer = TeamMemberFactory(forum=forum, role="editor").user
    author = PersonFactory(email="author@example.org")
    return type("World", (), {"call": call, "forum": forum, "themes": themes, "type": stype,
                              "organizer": organizer, "author": author})
