from tests.forum.mailing.conftest import eager_celery, smtp_server  # noqa: F401  (the real SMTP server on loopback)
