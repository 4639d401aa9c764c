"""After each publication: one e-mail per affected person, with REQUEST/CANCEL files; nothing for others."""

from datetime import timedelta

import icalendar
import pytest
import vobject
from django.core import mail

from calendars.models import CalendarSettings, InviteState, PublicationNotice
from calendars.services import schedule_updates_send
from forum.mailing.models import OutgoingMessage
from sessions import ics
from sessions.models import Session, SessionRole

from .factories import attendee_user, publish, star

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def ics_parts(message):
    """[(method, icalendar event)] of the text/calendar parts of a received e-mail."""
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            data = part.get_payload(decode=True)
            vobject.readOne(data.decode("utf-8"))  # the independent parser accepts it too
            cal = icalendar.Calendar.from_ical(data)
            assert part.get_param("method") == cal["METHOD"]
            found += [(str(cal["METHOD"]), event) for event in cal.walk("VEVENT")]
    return found


def outbox_for(email):
    return list(OutgoingMessage.objects.filter(to=email).order_by("pk"))


def test_first_publication_invites_each_participant_once(agenda, django_capture_on_commit_callbacks):
    version = publish(agenda.forum, django_capture_on_commit_callbacks)
    [message] = outbox_for(agenda.speaker.email)
    assert message.kind == "calendar_invite" and message.related == version
    assert sorted(a["filename"] for a in message.attachments) == sorted([
        f"invite-session-{agenda.cancelled.pk}.ics", f"invite-session-{agenda.moved.pk}.ics"])
    assert len(outbox_for(agenda.chair.email)) == 1
    assert len(outbox_for(agenda.bystander.email)) == 1
    state = InviteState.objects.get(email=agenda.speaker.email, session_id=agenda.moved.pk)
    assert state.sequence == version.number == 1
    # Sent through the outbox (the test mail backend here).
    assert {m.to[0] for m in mail.outbox} == {agenda.speaker.email, agenda.chair.email, agenda.bystander.email}


def test_move_and_cancel_send_speaker_one_mail_with_request_and_cancel(
    agenda, smtp_server, django_capture_on_commit_callbacks
):
    attendee = attendee_user(email="attendee@example.org")
    star(attendee, agenda.untouched)
    publish(agenda.forum, django_capture_on_commit_callbacks)
    first = {m["To"]: m for m in smtp_server.messages}
    [(method, invite)] = [p for p in ics_parts(first[agenda.speaker.email])
                          if p[1]["UID"] == ics.session_uid(agenda.forum.pk, agenda.moved.pk)]
    assert method == "REQUEST"
    first_sequence = invite["SEQUENCE"]
    smtp_server.collector.messages.clear()

    Session.objects.filter(pk=agenda.moved.pk).update(
        starts_at=agenda.moved.starts_at + timedelta(hours=3), ends_at=agenda.moved.ends_at + timedelta(hours=3),
        hall=agenda.other_hall,
    )
    Session.objects.filter(pk=agenda.cancelled.pk).update(status=Session.Status.CANCELLED)
    version = publish(agenda.forum, django_capture_on_commit_callbacks)
    assert {e["type"] for e in version.changelog} == {"moved", "cancelled"}

    received = smtp_server.collector.to(agenda.speaker.email)
    assert len(received) == 1, "one e-mail per person per publication"
    parts = {event["UID"]: (method, event) for method, event in ics_parts(received[0])}
    method, moved = parts[ics.session_uid(agenda.forum.pk, agenda.moved.pk)]
    assert method == "REQUEST"
    assert moved["SEQUENCE"] == first_sequence + 1
    assert moved.decoded("DTSTART").hour == 13
    assert "قاعة الندوات" in moved["LOCATION"]
    method, cancelled = parts[ics.session_uid(agenda.forum.pk, agenda.cancelled.pk)]
    assert method == "CANCEL" and cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == first_sequence + 1

    text = received[0].get_body(("plain",)).get_content()
    assert "تغيّر موعد الجلسة «الجلسة الأولى: التحول الرقمي»" in text
    assert "أُلغيت الجلسة «الجلسة الثانية: الجودة»" in text
    html = received[0].get_body(("html",)).get_content()
    assert 'dir="rtl"' in html

    # The chair of the moved session hears about the move only.
    [chair_mail] = smtp_server.collector.to(agenda.chair.email)
    assert [m for m, _e in ics_parts(chair_mail)] == ["REQUEST"]
    # Unaffected: the speaker of an untouched session, and the attendee who starred it.
    assert smtp_server.collector.to(agenda.bystander.email) == []
    assert smtp_server.collector.to(attendee.email) == []
    assert not OutgoingMessage.objects.filter(to=attendee.email).exists()


def test_publication_handled_twice_sends_once(agenda, django_capture_on_commit_callbacks):
    version = publish(agenda.forum, django_capture_on_commit_callbacks)
    count = OutgoingMessage.objects.count()
    assert schedule_updates_send(version=version) == 0
    assert OutgoingMessage.objects.count() == count
    assert PublicationNotice.objects.get(version=version).messages == 3


def test_publication_without_changes_sends_nothing(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    count = OutgoingMessage.objects.count()
    publish(agenda.forum, django_capture_on_commit_callbacks)
    assert OutgoingMessage.objects.count() == count


def test_retitle_and_people_changes(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    Session.objects.filter(pk=agenda.untouched.pk).update(title_ar="الجلسة الثالثة: الابتكار")
    SessionRole.objects.filter(session=agenda.moved, person=agenda.chair).delete()
    SessionRole.objects.create(session=agenda.untouched, person=agenda.chair, role="chair")
    publish(agenda.forum, django_capture_on_commit_callbacks)

    bystander = outbox_for(agenda.bystander.email)[-1]
    assert bystander.kind == "calendar_update"
    assert [a["filename"] for a in bystander.attachments] == [f"invite-session-{agenda.untouched.pk}.ics"]
    assert "«الجلسة الثالثة»" in bystander.text_body and "«الجلسة الثالثة: الابتكار»" in bystander.text_body
    chair = outbox_for(agenda.chair.email)[-1]
    names = sorted(a["filename"] for a in chair.attachments)
    assert names == sorted([f"cancel-session-{agenda.moved.pk}.ics", f"invite-session-{agenda.untouched.pk}.ics"])
    assert "رئيس الجلسة" in chair.text_body
    # The speaker's sessions did not change.
    assert len(outbox_for(agenda.speaker.email)) == 1


def test_sequence_never_goes_back(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    # As if an earlier run had already sent a high SEQUENCE for this session.
    InviteState.objects.filter(email=agenda.speaker.email, session_id=agenda.moved.pk).update(sequence=9)
    Session.objects.filter(pk=agenda.moved.pk).update(title_ar="عنوان آخر")
    publish(agenda.forum, django_capture_on_commit_callbacks)
    last = outbox_for(agenda.speaker.email)[-1]
    cal = icalendar.Calendar.from_ical(__import__("base64").b64decode(last.attachments[0]["content_b64"]))
    assert [e["SEQUENCE"] for e in cal.walk("VEVENT")] == [10]


def test_english_speaker_gets_arabic_then_english(agenda, django_capture_on_commit_callbacks):
    agenda.speaker.preferred_language = "en"
    agenda.speaker.save()
    publish(agenda.forum, django_capture_on_commit_callbacks)
    [message] = outbox_for(agenda.speaker.email)
    assert message.language == "en"
    assert message.text_body.index("المحترم") < message.text_body.index("Dear")
    assert message.html_body.index('dir="rtl"') < message.html_body.index('dir="ltr"')
    assert "Your sessions at" in message.subject and "جلساتكم" in message.subject


def test_updates_switched_off_send_nothing(agenda, django_capture_on_commit_callbacks):
    CalendarSettings.objects.create(forum=agenda.forum, send_updates=False)
    publish(agenda.forum, django_capture_on_commit_callbacks)
    assert not OutgoingMessage.objects.exists()


def test_session_removed_from_agenda_is_cancelled(agenda, django_capture_on_commit_callbacks):
    publish(agenda.forum, django_capture_on_commit_callbacks)
    removed_id = agenda.cancelled.pk
    agenda.cancelled.delete()
    publish(agenda.forum, django_capture_on_commit_callbacks)
    last = outbox_for(agenda.speaker.email)[-1]
    assert [a["filename"] for a in last.attachments] == [f"cancel-session-{removed_id}.ics"]
    assert "حُذفت الجلسة" in last.text_body


def test_attendees_who_starred_changed_sessions_get_one_update(agenda, django_capture_on_commit_callbacks):
    follower = attendee_user(email="follower@example.org")
    star(follower, agenda.moved)
    star(follower, agenda.cancelled)
    star(follower, agenda.untouched)
    # The speaker also has an account and starred their own session: one e-mail, as speaker.
    speaker_user = attendee_user(email=agenda.speaker.email)
    agenda.speaker.user = speaker_user
    agenda.speaker.save()
    star(speaker_user, agenda.moved)
    publish(agenda.forum, django_capture_on_commit_callbacks)
    assert not OutgoingMessage.objects.filter(to=follower.email).exists()  # the first publication invites roles

    Session.objects.filter(pk=agenda.moved.pk).update(title_ar="الجلسة الأولى: التحول الرقمي الشامل")
    Session.objects.filter(pk=agenda.cancelled.pk).update(status=Session.Status.CANCELLED)
    publish(agenda.forum, django_capture_on_commit_callbacks)

    [message] = outbox_for(follower.email)
    assert message.kind == "calendar_update"
    assert sorted(a["filename"] for a in message.attachments) == sorted(
        [f"invite-session-{agenda.moved.pk}.ics", f"cancel-session-{agenda.cancelled.pk}.ics"])
    methods = {}
    for item in message.attachments:
        cal = icalendar.Calendar.from_ical(__import__("base64").b64decode(item["content_b64"]))
        [event] = cal.walk("VEVENT")
        methods[str(event["UID"])] = (str(cal["METHOD"]), event["ATTENDEE"].params["ROLE"])
    assert methods[ics.session_uid(agenda.forum.pk, agenda.moved.pk)] == ("REQUEST", "OPT-PARTICIPANT")
    assert methods[ics.session_uid(agenda.forum.pk, agenda.cancelled.pk)][0] == "CANCEL"
    assert len(outbox_for(agenda.speaker.email)) == 2  # the first invite, then one update


def test_starrer_language_comes_from_their_registration(agenda, django_capture_on_commit_callbacks):
    from tests.forum.mailing.factories import RegistrationFactory

    english = attendee_user(email="english@example.org")
    RegistrationFactory(forum=agenda.forum, user=english, email=english.email, language="en")
    arabic = attendee_user(email="arabic@example.org")
    for user in (english, arabic):
        star(user, agenda.untouched)
    publish(agenda.forum, django_capture_on_commit_callbacks)
    Session.objects.filter(pk=agenda.untouched.pk).update(title_en="Third session: innovation")
    publish(agenda.forum, django_capture_on_commit_callbacks)
    [to_english] = outbox_for(english.email)
    [to_arabic] = outbox_for(arabic.email)
    assert to_english.language == "en" and "Agenda update" in to_english.subject
    assert to_arabic.language == "ar" and "Agenda update" not in to_arabic.subject
    assert "Third session: innovation" in to_english.text_body


def test_publication_whose_task_was_lost_is_announced_by_the_sweep(agenda):
    from django.db import transaction

    from calendars import tasks
    from sessions.services import schedule_publish

    # Published without running the on-commit hand-off, as if the broker had been down.
    with transaction.atomic():
        version = schedule_publish(forum=agenda.forum)
    assert not OutgoingMessage.objects.exists()
    tasks.publications_announce_pending_task.delay()
    assert PublicationNotice.objects.filter(version=version).exists()
    assert len(outbox_for(agenda.speaker.email)) == 1
    tasks.publications_announce_pending_task.delay()
    assert len(outbox_for(agenda.speaker.email)) == 1
