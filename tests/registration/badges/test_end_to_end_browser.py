"""The whole path of the issue: a new visitor registers for the demo forum, gets the e-mail,
opens the badge from it, and is admitted on the scanner page (then refused a second time)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum.models import Forum
from forum.services import forum_open_after_last_day_set
from registration.badges.models import Admission, BadgeSettings
from registration.models import Registration, RegistrationType
from tests.factories import TeamMemberFactory

from .test_scanner_browser import signed_in_page, wedge


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_for_demo_forum_open_badge_from_email_admitted_on_scanner(page, live_server, artifacts_dir):
    call_command("seed_demo", verbosity=0)
    forum = Forum.objects.filter(status=Forum.Status.PUBLISHED).order_by("-first_day").first()
    # The demo forums took place in 1440/2018 and so are closed; their organizers reopen one, as for a re-run.
    forum = forum_open_after_last_day_set(forum=forum, open_after_last_day=True)
    # The demo forums took place in 2018; an organizer rehearsing with them stretches the badges' validity to today.
    BadgeSettings.objects.update_or_create(
        forum=forum, defaults={"valid_days_after": (timezone.localdate() - forum.last_day).days + 2})
    free_type = RegistrationType.objects.filter(forum=forum, pricing="free", is_active=True).first()
    if free_type is None:
        free_type = RegistrationType.objects.create(forum=forum, code="e2e-general", name_ar="حضور عام",
                                                    name_en="General attendee")

    page.goto(live_server.url + reverse("registration:register", args=[forum.slug]))
    page.locator(f"input[name=registration_type][value='{free_type.pk}']").check()
    page.fill("input[name=full_name_ar]", "سعد بن عبدالله الغامدي")
    page.fill("input[name=full_name_en]", "Saad Alghamdi")
    page.fill("input[name=email]", "saad@example.org")
    page.fill("input[name=organization_name]", "أمانة محافظة جدة")
    page.click("[data-testid=register-submit]")
    page.wait_for_selector("[data-testid=confirmed]")
    registration = Registration.objects.get(email="saad@example.org")

    message = next(m for m in mail.outbox if m.to == ["saad@example.org"])
    link = re.search(r"http\S+/registration/r/\S+/", message.body).group(0)
    page.goto(live_server.url + urlsplit(link).path)  # the e-mail names SITE_URL; the test server has its own
    page.click("[data-testid=badge-link]")
    page.wait_for_selector("[data-testid=badge-qr]")
    token = page.get_by_test_id("badge-qr").get_attribute("data-token")
    assert token == registration.badges.get(revoked_at__isnull=True).token

    staff = TeamMemberFactory(forum=forum, role="checkin").user
    signed_in_page(page, live_server, staff)
    page.goto(live_server.url + reverse("registration:badges:scanner", args=[forum.slug]))
    wedge(page, token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'admitted'")
    assert page.get_by_test_id("scan-name").inner_text() == "سعد بن عبدالله الغامدي"
    page.screenshot(path=str(artifacts_dir / "badges-end-to-end-admitted.png"))
    wedge(page, token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'already_admitted'")
    assert Admission.objects.filter(registration=registration).count() == 1
