import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered agendas are cached per version; each test starts without any."""
    cache.clear()
    yield
    cache.clear()
