"""Two workers racing for one message: it is sent once (needs real row locking: PostgreSQL)."""

import threading

import pytest
from django.db import connection

from forum.mailing import services
from forum.mailing.models import OutgoingMessage


@pytest.mark.django_db(transaction=True)
def test_message_send_racing_workers_send_once(postgres_only, smtp_server):
    # Stored without the on-commit hand-off, so that only the racing workers send it.
    message = OutgoingMessage.objects.create(to="race@example.org", subject="s", text_body="t")
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            services.message_send(message_id=message.pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert message.attempts == 1
    assert len(smtp_server.collector.to("race@example.org")) == 1
