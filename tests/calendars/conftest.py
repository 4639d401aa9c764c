import pytest

from tests.forum.mailing.conftest import eager_celery, smtp_server  # noqa: F401  (shared fixtures)

from .factories import Agenda


@pytest.fixture
def agenda(db):
    return Agenda.build()
