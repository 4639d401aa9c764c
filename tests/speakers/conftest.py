import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Papers and photos of each test in its own directories, removed afterwards."""
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Factories set real passwords; the fast hasher keeps these tests quick on shared cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.SPEAKERS_PRIVATE_ROOT


@pytest.fixture(autouse=True)
def arabic_by_default():
    """A request to /en/ leaves English active in the thread; each test starts from Arabic."""
    translation.activate("ar")
    yield
    translation.deactivate()
