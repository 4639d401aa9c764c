import pytest

from .smtp import LoopbackSMTP


@pytest.fixture
def eager_celery():
    """Tasks run in-process, as in development without a broker, whatever the environment says."""
    from forum.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def smtp_server(settings, eager_celery):
    """A real SMTP server on a free loopback port, with Django's SMTP backend pointed at it."""
    server = LoopbackSMTP()
    server.start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()
