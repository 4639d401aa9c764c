import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def arabic_by_default():
    """Pages and API calls leave their language active on the thread; each test starts in Arabic."""
    with translation.override("ar"):
        yield
