"""New registrations' e-mails: batched after commit, sent once, and found again by the sweep if lost."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from forum.mailing.models import OutgoingMessage
from registration import services
from registration.mail import CONFIRMATION_KIND, RECEIVED_KIND, notifications_enqueue, notifications_missing_enqueue
from registration.models import Registration
from tests.factories import ForumFactory
from tests.registration.factories import RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    """A forum that is not over yet: the sweep looks only at those."""
    today = timezone.localdate()
    return ForumFactory(first_day=today + timedelta(days=10), last_day=today + timedelta(days=11))


def register_without_its_job(django_capture_on_commit_callbacks, rtype, **kwargs):
    """A registration whose after-commit job was lost (the process died before publishing it)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def messages(kind):
    return OutgoingMessage.objects.filter(kind=kind)


def test_registration_confirmation_sent_once_after_commit(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(forum=forum, registration_type=rtype, **person())
    assert list(messages(CONFIRMATION_KIND).values_list("related_id", flat=True)) == [str(registration.pk)]
    # A duplicate job (a retried batch) sends nothing more.
    notifications_enqueue(items=[["confirmation", registration.pk]])
    assert messages(CONFIRMATION_KIND).count() == 1


def test_sweep_sends_lost_confirmation_once(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    registration = register_without_its_job(django_capture_on_commit_callbacks, rtype)
    assert not OutgoingMessage.objects.exists()
    later = registration.confirmed_at + timedelta(minutes=3)
    assert notifications_missing_enqueue(now=later) == 1
    sent = messages(CONFIRMATION_KIND).get()
    assert sent.to == registration.email and sent.related_id == str(registration.pk)
    assert notifications_missing_enqueue(now=later + timedelta(minutes=1)) == 0
    assert messages(CONFIRMATION_KIND).count() == 1


def test_sweep_leaves_the_last_minutes_to_the_normal_path(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    registration = register_without_its_job(django_capture_on_commit_callbacks, rtype)
    assert notifications_missing_enqueue(now=registration.confirmed_at + timedelta(seconds=30)) == 0
    assert not OutgoingMessage.objects.exists()


def test_sweep_sends_lost_received_mail_of_pending_registration(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum, requires_approval=True)
    registration = register_without_its_job(django_capture_on_commit_callbacks, rtype)
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    assert notifications_missing_enqueue(now=registration.created_at + timedelta(minutes=5)) == 1
    assert messages(RECEIVED_KIND).filter(related_id=str(registration.pk)).count() == 1
    assert not messages(CONFIRMATION_KIND).exists()
    assert notifications_missing_enqueue(now=registration.created_at + timedelta(minutes=6)) == 0


def test_sweep_skips_cancelled_and_old_registrations(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    current = RegistrationTypeFactory(forum=ForumFactory(first_day=today, last_day=today + timedelta(days=1)))
    cancelled = register_without_its_job(django_capture_on_commit_callbacks, current)
    with django_capture_on_commit_callbacks(execute=False):
        services.registration_cancel(registration=cancelled)
    over = RegistrationTypeFactory(forum=ForumFactory(first_day=date(2019, 3, 1), last_day=date(2019, 3, 2)))
    register_without_its_job(django_capture_on_commit_callbacks, over, email="past@example.org")
    assert notifications_missing_enqueue(now=timezone.now() + timedelta(minutes=5)) == 0
    assert not OutgoingMessage.objects.exists()


def test_notifications_batch_one_failure_does_not_stop_the_rest(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum)
    first = register_without_its_job(django_capture_on_commit_callbacks, rtype, email="one@example.org")
    second = register_without_its_job(django_capture_on_commit_callbacks, rtype, email="two@example.org")
    done = notifications_enqueue(items=[["confirmation", first.pk], ["no-such-kind", first.pk],
                                        ["confirmation", second.pk]])
    assert done == 2
    assert set(messages(CONFIRMATION_KIND).values_list("related_id", flat=True)) == {str(first.pk), str(second.pk)}
