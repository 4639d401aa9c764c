"""The scanner page in a real browser: keyboard-wedge input, then the offline queue."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from registration.badges import services
from registration.badges.models import Admission, Scan
from tests.factories import TeamMemberFactory

from .factories import RegistrationFactory, forum_today


def signed_in_page(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def wedge(page, token):
    """A keyboard-wedge scanner types the code and presses Enter."""
    page.get_by_test_id("scanner-input").focus()
    page.keyboard.type(token, delay=0)
    page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scanner_keyboard_wedge_admits_then_already_admitted(page, live_server, artifacts_dir):
    forum = forum_today()
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    registration = RegistrationFactory(forum=forum, honorific="engineer", full_name_ar="طارق العمري")
    badge = services.badge_issue(registration=registration)
    signed_in_page(page, live_server, staff)
    page.goto(live_server.url + reverse("registration:badges:scanner", args=[forum.slug]))
    result = page.get_by_test_id("scan-result")

    wedge(page, badge.token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'admitted'")
    assert "scan-result--ok" in result.get_attribute("class")
    assert page.evaluate("getComputedStyle(document.getElementById('result')).backgroundColor") == "rgb(21, 128, 61)"
    # The door greets by protocol: the honorific before the name.
    assert page.get_by_test_id("scan-name").inner_text() == "المهندس طارق العمري"
    page.screenshot(path=str(artifacts_dir / "badges-scanner-admitted.png"))

    wedge(page, badge.token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'already_admitted'")
    assert "scan-result--ok" not in result.get_attribute("class")
    assert page.get_by_test_id("scan-outcome").inner_text() in ("تم الدخول مسبقاً", "Already admitted")
    assert Admission.objects.filter(registration=registration).count() == 1
    assert Scan.objects.filter(staff=staff).count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scanner_offline_verifies_queues_and_uploads(page, live_server):
    forum = forum_today()
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    elsewhere = services.badge_issue(registration=RegistrationFactory(forum=forum))
    signed_in_page(page, live_server, staff)
    page.goto(live_server.url + reverse("registration:badges:scanner", args=[forum.slug]))
    page.wait_for_function(f"localStorage.getItem('badges:{forum.slug}:keys') !== null")
    page.context.set_offline(True)

    tampered = badge.token[:-3] + ("00" if badge.token[-3:-1] != "00" else "11") + badge.token[-1]
    wedge(page, tampered)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'invalid_signature'")
    wedge(page, badge.token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'admitted'")
    wedge(page, elsewhere.token)
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'admitted'")
    assert page.get_by_test_id("queue-status").get_attribute("data-count") == "3"
    assert Scan.objects.count() == 0
    # Meanwhile another scanner, online, admitted the second person.
    other_staff = TeamMemberFactory(forum=forum, role="checkin").user
    door = forum.checkpoints.get(kind="door")
    assert services.check_in_badge(token=elsewhere.token, checkpoint=door, staff=other_staff).outcome == "admitted"

    page.context.set_offline(False)
    page.evaluate("window.badgeScanner.upload()")
    page.wait_for_function("document.getElementById('queue-status').dataset.count === '0'")
    assert Admission.objects.filter(badge=badge).count() == 1
    assert Admission.objects.filter(badge=elsewhere).count() == 1
    assert sorted(Scan.objects.filter(staff=staff).values_list("outcome", flat=True)) == [
        "admitted", "already_admitted", "invalid_signature"]
    conflicts = page.get_by_test_id("conflicts")
    expect(conflicts).to_contain_text(elsewhere.registration.reference)


ARABIC_LAYOUT = dict(zip("QWERTYUIOPASDFGHJKLZXCVBNM", "ضصثقفغعهخحشسيبلاتنمئءؤرلىة", strict=True))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scanner_wedge_with_arabic_keyboard_layout_still_reads_the_code(page, live_server):
    forum = forum_today()
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    signed_in_page(page, live_server, staff)
    page.goto(live_server.url + reverse("registration:badges:scanner", args=[forum.slug]))
    field = page.get_by_test_id("scanner-input")
    field.focus()
    for ch in badge.token:
        if ch.isalpha():  # the key sends an Arabic letter; event.code names the physical key
            field.dispatch_event("keydown", {"key": ARABIC_LAYOUT[ch], "code": f"Key{ch}"})
        elif ch.isdigit():  # Arabic-Indic digit
            field.dispatch_event("keydown", {"key": chr(0x0660 + int(ch)), "code": f"Digit{ch}"})
        else:
            page.keyboard.type(ch)
    assert field.input_value() == badge.token
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('result').dataset.outcome === 'admitted'")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_attendee_opens_badge_page_sees_qr_and_downloads_pdf(page, live_server, artifacts_dir):
    registration = RegistrationFactory(forum=forum_today(), full_name_ar="نورة القحطاني", honorific="doctor")
    page.goto(live_server.url + reverse("registration:badges:badge", args=[registration.access_token]))
    qr = page.get_by_test_id("badge-qr")
    assert qr.is_visible()
    assert page.evaluate("document.querySelector('[data-testid=badge-qr]').naturalWidth") > 200
    assert "نورة القحطاني" in page.get_by_test_id("attendee-badge").inner_text()
    page.screenshot(path=str(artifacts_dir / "badges-attendee-page.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("badge-pdf").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
