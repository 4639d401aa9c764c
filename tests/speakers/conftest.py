import pytest


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Papers and photos of each test in its own directories, removed afterwards."""
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Factories set real passwords; the fast hasher keeps these tests quick on shared cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.SPEAKERS_PRIVATE_ROOT
