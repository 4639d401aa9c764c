"""Messages to attendees through the outbox and a real SMTP server: segments, placeholders, unsubscribe, bounces."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from announcements import services
from announcements.models import Announcement, AnnouncementRecipient
from forum.errors import DomainError
from forum.mailing import services as mailing
from forum.mailing.models import OutgoingMessage, Suppression
from registration.models import Registration, WaitlistEntry
from sessions.models import SessionRole
from tests.factories import PersonFactory, SessionFactory, SessionRoleFactory, UserFactory
from tests.registration.badges.factories import RegistrationFactory, RegistrationTypeFactory
from tests.surveys.factories import attend

pytestmark = pytest.mark.django_db

BODY_AR = "السلام عليكم {name}،\nبطاقتك: {badge_link}\nنراكم في {forum}."
BODY_EN = "Dear {name},\nYour badge: {badge_link}\nSee you at {forum}."


def _announcement(forum, user=None, **data):
    fields = {"subject_ar": "تذكير بموعد {forum}", "subject_en": "Reminder: {forum}", "body_ar": BODY_AR,
              "body_en": BODY_EN, "segment": Announcement.Segment.CONFIRMED, **data}
    return services.announcement_save(forum=forum, user=user, data=fields)


def _send(announcement, capture):
    with capture(execute=True):
        services.announcement_send(announcement=announcement)


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_smtp_receives_exactly_the_segment_each_once_with_placeholders_and_honorific(
        forum, smtp_server, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    chosen = [RegistrationFactory(forum=forum, registration_type=rtype, honorific=h, language=lang)
              for h, lang in (("doctor", "ar"), ("excellency", "en"), ("", "ar"))]
    RegistrationFactory(forum=forum)  # another type
    RegistrationFactory(forum=forum, registration_type=rtype, status=Registration.Status.CANCELLED,
                        confirmed_at=None)
    announcement = _announcement(forum, segment=Announcement.Segment.TYPE, registration_type=rtype)
    _send(announcement, django_capture_on_commit_callbacks)

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(r.email for r in chosen)
    doctor, excellency, plain = (smtp_server.collector.to(r.email)[0] for r in chosen)
    text = _plain(doctor)
    assert f"السلام عليكم الدكتور {chosen[0].full_name_ar}،" in text
    assert f"/registration/badges/badge/{chosen[0].access_token}/" in text
    assert f"نراكم في {forum.title_ar}." in text and "{" not in text
    assert doctor["Subject"].strip() == f"تذكير بموعد {forum.title_ar}"
    english = _plain(excellency)  # English reader: Arabic first, then English
    assert f"معالي {chosen[1].full_name_ar}" in english and f"Dear H.E. {chosen[1].full_name_en}," in english
    assert english.index("السلام عليكم") < english.index("Dear H.E.")
    assert f"السلام عليكم {chosen[2].full_name_ar}،" in _plain(plain)
    html = doctor.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and f'href="{settings.SITE_URL}/registration/badges/badge/{chosen[0].access_token}/"' in html
    assert f'href="{settings.SITE_URL}/mail/unsubscribe/' in html
    for message in smtp_server.messages:
        assert message["List-Unsubscribe"].strip().startswith("<http://")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT and announcement.recipients_count == 3
    assert set(AnnouncementRecipient.objects.values_list("message__status", flat=True)) == {"sent"}


def _emails(announcement) -> list[str]:
    return sorted(r.email for r in services.segment_recipients(announcement))


def test_segments_checked_in_not_checked_in_session_speakers_waitlist(forum):
    came, stayed_home = RegistrationFactory(forum=forum), RegistrationFactory(forum=forum)
    attend(came)
    session = SessionFactory(forum=forum)
    in_session = RegistrationFactory(forum=forum)
    attend(in_session, session)
    chair, speaker = PersonFactory(), PersonFactory()
    SessionRoleFactory(session=session, person=chair, role=SessionRole.Role.CHAIR)
    SessionRoleFactory(session=session, person=speaker)
    SessionRoleFactory(session=SessionFactory(forum=forum), person=speaker)  # twice in the agenda, once in the list
    waiting = WaitlistEntry.objects.create(forum=forum, registration_type=came.registration_type,
                                           full_name_ar="منتظر", email="waiting@example.org")
    WaitlistEntry.objects.create(forum=forum, registration_type=came.registration_type, full_name_ar="انسحب",
                                 email="gone@example.org", status=WaitlistEntry.Status.WITHDRAWN)

    def segment(**data):
        return _emails(_announcement(forum, body_ar="مرحبا {name}", body_en="", **data))

    assert segment(segment="checked_in") == sorted([came.email, in_session.email])
    assert segment(segment="not_checked_in") == [stayed_home.email]
    assert segment(segment="session", session=session) == [in_session.email]
    assert segment(segment="speakers") == sorted([chair.email, speaker.email])
    assert segment(segment="waitlist") == [waiting.email]
    assert segment(segment="confirmed") == sorted([came.email, stayed_home.email, in_session.email])


def test_unknown_placeholder_and_badge_link_without_badges_are_refused(forum):
    with pytest.raises(DomainError) as unknown, translation.override("en"):
        _announcement(forum, body_en="Hello {nmae}")
    assert unknown.value.errors == {"body_en": ["Unknown placeholder {nmae}: use {name}, {badge_link} or {forum}."]}
    with pytest.raises(DomainError) as no_badges:
        _announcement(forum, segment="waitlist")
    assert set(no_badges.value.errors) == {"body_ar", "body_en"}
    assert not Announcement.objects.exists()


def test_empty_segment_is_refused_and_nothing_is_sent(forum, mailoutbox, django_capture_on_commit_callbacks):
    announcement = _announcement(forum, segment="checked_in")
    RegistrationFactory(forum=forum)  # confirmed, not checked in
    with pytest.raises(DomainError) as refused, translation.override("en"):
        _send(announcement, django_capture_on_commit_callbacks)
    assert refused.value.code == "empty_segment" and "Nobody is in this segment" in str(refused.value)
    announcement.refresh_from_db()
    assert announcement.status == "draft" and mailoutbox == []


def test_unsubscribed_address_is_skipped_and_transactional_mail_still_goes(
        forum, smtp_server, django_capture_on_commit_callbacks, client):
    stays, leaves = RegistrationFactory(forum=forum), RegistrationFactory(forum=forum)
    token = mailing.unsubscribe_token(email=leaves.email, forum_id=forum.pk)
    assert client.get(f"/mail/unsubscribe/{token}/").status_code == 200
    assert not Suppression.objects.exists()  # opening the link (a mail scanner) does not unsubscribe
    one_click = client.post(f"/mail/unsubscribe/{token}/", "List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and b'data-testid="unsubscribed"' in one_click.content
    _send(_announcement(forum), django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp_server.messages] == [stays.email]
    assert AnnouncementRecipient.objects.get(email=leaves.email).skipped == "suppressed"
    with django_capture_on_commit_callbacks(execute=True):
        mailing.message_enqueue(to=leaves.email, subject="بطاقتك", text_body="بطاقة الدخول", forum=forum)
    assert [m["To"] for m in smtp_server.messages] == [stays.email, leaves.email]
    assert "List-Unsubscribe" not in smtp_server.messages[1]


def test_bad_unsubscribe_token_is_a_clear_404(client, db):
    page = client.post("/mail/unsubscribe/forged/")
    assert page.status_code == 404 and b'data-testid="unsubscribe-error"' in page.content


class Bouncing:
    """An SMTP handler that refuses one mailbox outright (550), like a server with no such user."""

    def __init__(self, collector, refused: str):
        self.collector, self.refused = collector, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.collector.handle_DATA(server, session, envelope)


def test_hard_bounce_is_marked_and_skipped_next_time(forum, smtp_server, django_capture_on_commit_callbacks):
    good, gone = RegistrationFactory(forum=forum), RegistrationFactory(forum=forum)
    smtp_server.stop()
    from aiosmtpd.controller import Controller

    smtp_server.controller = Controller(Bouncing(smtp_server.collector, gone.email), hostname="127.0.0.1",
                                        port=smtp_server.port)
    smtp_server.controller.start()
    _send(_announcement(forum), django_capture_on_commit_callbacks)
    bounced = OutgoingMessage.objects.get(to=gone.email)
    assert bounced.status == OutgoingMessage.Status.GAVE_UP and "550" in bounced.last_error
    assert Suppression.objects.filter(email=gone.email, reason="hard_bounce").exists()
    assert [m["To"] for m in smtp_server.messages] == [good.email]

    _send(_announcement(forum, subject_ar="ثانية"), django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp_server.messages] == [good.email, good.email]
    second = Announcement.objects.get(subject_ar="ثانية")
    assert second.recipients.get(email=gone.email).skipped == "suppressed"
    # Even a transactional message is not tried again at a dead address.
    with django_capture_on_commit_callbacks(execute=True):
        message = mailing.message_enqueue(to=gone.email, subject="x", text_body="y")
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SKIPPED


def test_server_down_messages_wait_and_the_sweep_sends_each_once(forum, smtp_server,
                                                                 django_capture_on_commit_callbacks):
    people = [RegistrationFactory(forum=forum) for _ in range(3)]
    smtp_server.stop()
    _send(_announcement(forum), django_capture_on_commit_callbacks)
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"failed"}
    smtp_server.start()
    assert mailing.messages_retry_due(now=timezone.now() + timedelta(minutes=5)) == 3
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(p.email for p in people)
    assert mailing.messages_retry_due(now=timezone.now() + timedelta(hours=1)) == 0


def test_scheduled_send_waits_for_its_time(forum, mailoutbox, django_capture_on_commit_callbacks):
    RegistrationFactory(forum=forum)
    announcement = _announcement(forum)
    at = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_send(announcement=announcement, at=at)
        assert services.announcements_send_due() == 0
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcements_send_due(now=at + timedelta(seconds=1)) == 1
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcements_send_due(now=at + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1


def test_test_send_goes_to_the_organizer_only_as_the_first_recipient_reads_it(forum, mailoutbox,
                                                                             django_capture_on_commit_callbacks):
    first = RegistrationFactory(forum=forum, honorific="engineer")
    RegistrationFactory(forum=forum)
    organizer = UserFactory(email="organizer@example.org")
    announcement = _announcement(forum)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_test_send(announcement=announcement, user=organizer)
    [test] = mailoutbox
    assert test.to == ["organizer@example.org"] and f"المهندس {first.full_name_ar}" in test.body
    announcement.refresh_from_db()
    assert announcement.status == "draft" and not announcement.recipients.exists()


def test_preview_per_recipient(forum):
    first, second = RegistrationFactory(forum=forum), RegistrationFactory(forum=forum, honorific="sheikh")
    announcement = _announcement(forum)
    recipient, rendered = services.announcement_preview(announcement=announcement, email=second.email.upper())
    assert recipient.email == second.email and f"الشيخ {second.full_name_ar}" in rendered.text
    assert services.announcement_preview(announcement=announcement)[0].email == first.email


def test_a_sent_message_cannot_be_sent_or_changed_again(forum, django_capture_on_commit_callbacks):
    RegistrationFactory(forum=forum)
    announcement = _announcement(forum)
    _send(announcement, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.announcement_send(announcement=announcement)
    with pytest.raises(DomainError):
        services.announcement_save(forum=forum, user=None, announcement=announcement,
                                   data={"subject_ar": "x", "body_ar": "y", "segment": "confirmed"})
    assert services.announcement_deliver(announcement_id=announcement.pk) == 0
    assert OutgoingMessage.objects.filter(kind=services.KIND).count() == 1


def test_a_delivery_that_stopped_half_way_is_resumed_by_the_sweep_without_doubles(
        forum, mailoutbox, django_capture_on_commit_callbacks):
    people = [RegistrationFactory(forum=forum) for _ in range(3)]
    announcement = _announcement(forum)
    services.announcement_send(announcement=announcement)  # on-commit task not run: as if the worker died
    with django_capture_on_commit_callbacks(execute=True):
        services._deliver_chunk(Announcement.objects.get(pk=announcement.pk),
                                [next(services.segment_recipients(announcement))], set())
    Announcement.objects.filter(pk=announcement.pk).update(status="sending", delivery_started_at=timezone.now())
    assert services.announcements_send_due() == 0  # another worker may still be at it
    later = timezone.now() + services.STALLED_AFTER + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announcements_send_due(now=later) == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
