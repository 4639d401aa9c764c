"""After a forum's last day: registration closes by itself, pages say so, organizers may reopen."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.errors import DomainError
from registration import services
from registration.models import Registration, WaitlistEntry
from tests.factories import ForumFactory, TeamMemberFactory
from tests.registration.factories import RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_forum():
    return ForumFactory(first_day=date(2018, 10, 29), last_day=date(2018, 10, 30), open_after_last_day=False)


def test_registration_refused_after_the_last_day_with_the_reason(past_forum):
    rtype = RegistrationTypeFactory(forum=past_forum)
    with pytest.raises(DomainError) as exc:
        services.registration_create(forum=past_forum, registration_type=rtype, **person())
    assert exc.value.code == "forum_ended" and exc.value.errors == {"registration_type": ["انتهى هذا الملتقى."]}
    assert not Registration.objects.exists()


def test_registration_still_open_on_the_last_day(client):
    today = timezone.localdate()
    forum = ForumFactory(first_day=today - timedelta(days=1), last_day=today, open_after_last_day=False)
    rtype = RegistrationTypeFactory(forum=forum)
    assert services.registration_create(forum=forum, registration_type=rtype, **person()).pk
    page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert 'data-testid="registration-form"' in page and 'data-testid="forum-ended"' not in page


def test_waitlist_refused_after_the_last_day(past_forum):
    rtype = RegistrationTypeFactory(forum=past_forum)
    with pytest.raises(DomainError) as exc:
        services.waitlist_join(forum=past_forum, registration_type=rtype, full_name_ar="هند", email="h@example.org")
    assert exc.value.code == "forum_ended"
    assert not WaitlistEntry.objects.exists()


def test_register_page_says_the_forum_has_ended_in_both_languages(client, past_forum):
    RegistrationTypeFactory(forum=past_forum)
    url = reverse("registration:register", args=[past_forum.slug])
    arabic = client.get(url).content.decode()
    assert 'data-testid="forum-ended"' in arabic and "انتهى هذا الملتقى." in arabic
    assert 'data-testid="registration-form"' not in arabic
    english = client.get("/en" + url).content.decode()
    assert "This forum has ended." in english
    # A form posted anyway (an old tab) gets the same reason, not a registration.
    rtype = past_forum.registration_types.first()
    response = client.post(url, {"registration_type": rtype.pk, "full_name_ar": "فهد", "email": "f@example.org"})
    assert response.status_code == 200 and not Registration.objects.exists()


def test_organizers_reopen_registration_after_the_last_day(client, past_forum):
    rtype = RegistrationTypeFactory(forum=past_forum)
    client.force_login(TeamMemberFactory(forum=past_forum, role="owner").user)
    response = client.post(reverse("registration:settings", args=[past_forum.slug]), {
        "is_open": "on", "hold_minutes": 30, "waitlist_enabled": "on", "claim_hours": 24,
        "open_after_last_day": "on",
    })
    assert response.status_code == 302
    past_forum.refresh_from_db()
    assert past_forum.open_after_last_day
    registration = services.registration_create(forum=past_forum, registration_type=rtype, **person())
    assert registration.status == Registration.Status.CONFIRMED
    page = client.get(reverse("registration:register", args=[past_forum.slug])).content.decode()
    assert 'data-testid="registration-form"' in page


def test_public_forum_pages_say_the_forum_has_ended(client, past_forum):
    from sessions.services import schedule_publish

    schedule_publish(forum=past_forum, user=TeamMemberFactory(forum=past_forum, role="owner").user)
    for name in ("frontend:forum_home", "frontend:agenda"):
        page = client.get(reverse(name, args=[past_forum.slug])).content.decode()
        assert 'data-testid="forum-ended"' in page and "انتهى هذا الملتقى." in page, name


def test_public_pages_of_a_coming_forum_do_not_say_ended(client):
    today = timezone.localdate()
    forum = ForumFactory(first_day=today + timedelta(days=30), last_day=today + timedelta(days=31),
                         open_after_last_day=False)
    page = client.get(reverse("frontend:forum_home", args=[forum.slug])).content.decode()
    assert 'data-testid="forum-ended"' not in page
