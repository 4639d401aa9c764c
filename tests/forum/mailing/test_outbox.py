"""The outbox against a real SMTP server on loopback."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from forum.errors import DomainError
from forum.mailing import services, tasks
from forum.mailing.models import OutgoingMessage
from forum.mailing.rendering import render_email
from forum.mailing.services import Attachment, message_enqueue
from registration.models import Registration

from .factories import RegistrationFactory, RegistrationTypeFactory

pytestmark = pytest.mark.django_db


def _enqueue(**overrides):
    data = {"to": "guest@example.org", "subject": "تأكيد التسجيل", "text_body": "مرحبًا", **overrides}
    return message_enqueue(**data)


def test_message_enqueue_sends_after_commit_through_smtp(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue(
            html_body='<p dir="rtl">مرحبًا</p>',
            attachments=[Attachment("invite.ics", b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
                                    "text/calendar")],
        )
        assert OutgoingMessage.objects.get(pk=message.pk).status == OutgoingMessage.Status.QUEUED
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert message.sent_at is not None and message.attempts == 1
    [received] = smtp_server.messages
    assert received["Subject"] == "تأكيد التسجيل"
    assert received["Message-ID"] == message.message_id
    parts = {part.get_content_type(): part for part in received.walk()}
    assert "مرحبًا" in parts["text/plain"].get_content()
    assert 'dir="rtl"' in parts["text/html"].get_content()
    assert parts["text/calendar"].get_param("method") == "REQUEST"


def test_message_send_when_server_down_marks_failed_with_backoff(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.stop()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.FAILED
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at >= before + timedelta(seconds=services.BACKOFF_BASE_SECONDS)
    assert message.sending_since is None


def test_registration_confirmed_while_smtp_down_is_delivered_once_after_restart(
    smtp_server, django_capture_on_commit_callbacks
):
    registration_type = RegistrationTypeFactory()
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            registration = RegistrationFactory(forum=registration_type.forum, registration_type=registration_type)
            message = _enqueue(to=registration.email, related=registration, forum=registration.forum,
                               kind="registration_confirmed")
    # The registration stands; the message waits.
    assert Registration.objects.filter(pk=registration.pk, status=Registration.Status.CONFIRMED).exists()
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.FAILED
    assert message.related == registration

    # Too early for the backoff: nothing is tried.
    assert services.messages_retry_due() == 0

    smtp_server.start()
    later = timezone.now() + timedelta(minutes=5)
    assert services.messages_retry_due(now=later) == 1
    assert services.messages_retry_due(now=later + timedelta(hours=1)) == 0
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert len(smtp_server.collector.to(registration.email)) == 1


def test_retry_due_task_sends_queued_messages_whose_task_was_lost(smtp_server):
    # Stored without its on-commit hand-off (as if the broker had been down).
    message = _enqueue()
    tasks.messages_retry_due_task.delay()
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert len(smtp_server.messages) == 1


def test_message_send_twice_sends_once(smtp_server):
    message = _enqueue()
    services.message_send(message_id=message.pk)
    services.message_send(message_id=message.pk)
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_message_stuck_in_sending_is_recovered_and_sent(smtp_server):
    message = _enqueue()
    long_ago = timezone.now() - timedelta(hours=1)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=OutgoingMessage.Status.SENDING, sending_since=long_ago, attempts=1
    )
    # A message still within its sending window is left alone.
    fresh = _enqueue(to="other@example.org")
    OutgoingMessage.objects.filter(pk=fresh.pk).update(status=OutgoingMessage.Status.SENDING,
                                                      sending_since=timezone.now())
    services.messages_retry_due()
    message.refresh_from_db()
    fresh.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert fresh.status == OutgoingMessage.Status.SENDING
    assert len(smtp_server.messages) == 1


def test_message_gives_up_after_max_attempts(smtp_server):
    smtp_server.stop()
    message = _enqueue()
    for _attempt in range(services.MAX_ATTEMPTS):
        services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.GAVE_UP
    assert message.next_attempt_at is None
    assert services.messages_retry_due(now=timezone.now() + timedelta(days=30)) == 0


def test_message_resend_after_giving_up_delivers(smtp_server, django_capture_on_commit_callbacks):
    message = _enqueue()
    OutgoingMessage.objects.filter(pk=message.pk).update(status=OutgoingMessage.Status.GAVE_UP, attempts=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(message=message)
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENT
    assert message.attempts == 1
    assert len(smtp_server.messages) == 1


def test_message_resend_while_sending_is_refused():
    message = _enqueue()
    OutgoingMessage.objects.filter(pk=message.pk).update(status=OutgoingMessage.Status.SENDING,
                                                        sending_since=timezone.now())
    with pytest.raises(DomainError):
        services.message_resend(message=message)
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SENDING


def test_message_enqueue_keeps_its_signature():
    message = message_enqueue(
        to="a@example.org", subject="s", text_body="t", html_body="<p>h</p>",
        attachments=[Attachment(filename="a.txt", content=b"x", mimetype="text/plain")],
        language="en", kind="test", related=None, forum=None, headers={"X-Test": "1"},
    )
    message.refresh_from_db()
    assert message.language == "en" and message.headers == {"X-Test": "1"}
    assert message.attachments[0]["filename"] == "a.txt"


def test_render_email_arabic_is_rtl_and_bilingual_puts_arabic_first():
    from forum.mailing.rendering import render_bilingual_email

    arabic = render_email("calendars/emails/update", {"name": "أحمد", "forum_title": "ملتقى", "lines": ["سطر"],
                                                      "version": 2, "agenda_url": "http://x/"}, "ar")
    assert '<html lang="ar" dir="rtl">' in arabic.html
    assert "سطر" in arabic.text and "<" not in arabic.subject
    both = render_bilingual_email("calendars/emails/update", {"name": "Ahmad", "forum_title": "Forum",
                                                              "lines": ["line"], "version": 2,
                                                              "agenda_url": "http://x/"})
    assert both.html.index('lang="ar" dir="rtl"') < both.html.index('lang="en" dir="ltr"')
    assert both.text.index("Dear") > 0


def test_calendar_attachment_carries_method_and_one_charset(smtp_server, django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:ملتقى\r\nEND:VCALENDAR\r\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        _enqueue(attachments=[Attachment("forum.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8")])
    [received] = smtp_server.messages
    [part] = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH"
    assert part["Content-Type"].count("charset") == 1
    assert part.get_filename() == "forum.ics"
    assert part.get_payload(decode=True) == ics


def test_registration_create_while_smtp_down_then_delivered_once_with_calendar(
    smtp_server, django_capture_on_commit_callbacks
):
    """The real path: the registration service confirms a free registration and queues its e-mail."""
    import icalendar

    from registration.services import registration_create

    registration_type = RegistrationTypeFactory()
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(
            forum=registration_type.forum, registration_type=registration_type, full_name_ar="ريم العتيبي",
            email="reem@example.org",
        )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    [message] = OutgoingMessage.objects.filter(to="reem@example.org")
    assert message.status == OutgoingMessage.Status.FAILED and message.related == registration

    smtp_server.start()
    services.messages_retry_due(now=timezone.now() + timedelta(minutes=5))
    services.messages_retry_due(now=timezone.now() + timedelta(hours=2))
    [received] = smtp_server.collector.to("reem@example.org")
    [calendar_part] = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    cal = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert cal["METHOD"] == "PUBLISH"
    assert [str(e["ATTENDEE"]) for e in cal.walk("VEVENT")] == ["mailto:reem@example.org"]


def test_mailing_retry_due_command_sends_due_messages(smtp_server):
    from io import StringIO

    from django.core.management import call_command

    _enqueue()
    out = StringIO()
    call_command("mailing_retry_due", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert len(smtp_server.messages) == 1


def test_send_task_with_broker_schedules_its_retry_after_the_backoff(smtp_server, monkeypatch):
    """Not eager (a broker is configured): a failed send re-queues itself with the backoff as countdown."""
    smtp_server.stop()
    message = _enqueue()
    scheduled = []
    monkeypatch.setattr(tasks.message_send_task, "apply_async",
                        lambda args, countdown: scheduled.append((args, countdown)))
    tasks.message_send_task.app.conf.task_always_eager = False
    try:
        tasks.message_send_task.run(message.pk)
    finally:
        tasks.message_send_task.app.conf.task_always_eager = True
    [(args, countdown)] = scheduled
    assert args == (message.pk,)
    assert 0 < countdown <= services.BACKOFF_BASE_SECONDS


@pytest.mark.django_db
def test_plain_text_message_gets_an_arabic_first_rtl_html_part():
    message = message_enqueue(
        to="speaker@example.org",
        subject="دعوة للمشاركة",
        text_body="السلام عليكم\n\nDear speaker, <welcome>",
        language="ar",
    )
    assert '<html lang="ar" dir="rtl">' in message.html_body
    assert '<p dir="auto">السلام عليكم</p>' in message.html_body
    assert "&lt;welcome&gt;" in message.html_body
