"""In a real browser: an owner signs in on the product's page, invites a check-in team member by
e-mail from the team page; the invitee opens the link, sets a password and lands on the scanner.
Then they sign out and back in on the same page, and land on the scanner again. No superuser."""

import re

import pytest
from playwright.sync_api import expect

from forum.mailing.models import OutgoingMessage
from forum.models import TeamMember
from tests.factories import ForumFactory, TeamMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_invites_checkin_staff_who_lands_on_the_scanner(live_server, page, browser, artifacts_dir):
    forum = ForumFactory(title_ar="ملتقى التميز البلدي")
    TeamMemberFactory(forum=forum, role="owner", user__username="owner1")

    # The owner is sent from a staff page to the one sign-in page, and back.
    page.goto(f"{live_server.url}/accounts/team/{forum.slug}/")
    expect(page.get_by_test_id("sign-in-form")).to_be_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("input[name=username]", "owner1")
    page.fill("input[name=password]", "pass-Word-123")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("team-invite")).to_be_visible()
    page.fill("input[name=email]", "gate.keeper@example.org")
    page.select_option("select[name=role]", "checkin")
    page.get_by_test_id("team-invite-send").click()
    expect(page.get_by_test_id("team-invitation")).to_contain_text("gate.keeper@example.org")
    page.screenshot(path=str(artifacts_dir / "accounts-team.png"), full_page=True)

    message = OutgoingMessage.objects.get(kind="accounts.team_invitation", to="gate.keeper@example.org")
    link = re.search(r"http://[^\s]+/accounts/invitation/[^\s]+", message.text_body).group(0)
    link = link.replace("http://127.0.0.1:8000", live_server.url)

    invitee = browser.new_context(locale="ar-SA")
    invitee_page = invitee.new_page()
    try:
        invitee_page.goto(link)
        invitee_page.fill("input[name=password1]", "Gate-Pass-2026")
        invitee_page.fill("input[name=password2]", "Gate-Pass-2026")
        invitee_page.get_by_test_id("accept").click()
        expect(invitee_page.get_by_test_id("scanner")).to_be_visible()
        assert invitee_page.url.endswith(f"/registration/badges/{forum.slug}/scanner/")
        member = TeamMember.objects.get(forum=forum, role="checkin")
        assert not member.user.is_superuser and not member.user.is_staff

        # Signed out, the scanner sends them to the sign-in page, which brings them back.
        invitee.clear_cookies()
        invitee_page.goto(f"{live_server.url}/registration/badges/{forum.slug}/scanner/")
        expect(invitee_page.get_by_test_id("sign-in-form")).to_be_visible()
        invitee_page.fill("input[name=username]", "gate.keeper@example.org")
        invitee_page.fill("input[name=password]", "Gate-Pass-2026")
        invitee_page.get_by_test_id("sign-in").click()
        expect(invitee_page.get_by_test_id("scanner")).to_be_visible()
        invitee_page.screenshot(path=str(artifacts_dir / "accounts-scanner-landing.png"), full_page=True)
    finally:
        invitee.close()
