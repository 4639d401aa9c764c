import pytest

from tests.invoicing.factories import seller_for_forum


@pytest.fixture
def seller(forum):
    return seller_for_forum(forum)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
