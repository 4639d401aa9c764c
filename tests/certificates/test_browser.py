"""In a real browser: a guest verifies a certificate from a phone, and the protocol officer marks an honor done."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from certificates import services
from certificates.models import Kind
from sessions import services as session_services
from sessions.models import Honoree
from tests.factories import ForumFactory, PersonFactory, SessionFactory, TeamMemberFactory
from tests.registration.badges.factories import RegistrationFactory
from tests.registration.badges.test_scanner_browser import signed_in_page

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_verifying_a_certificate_from_a_phone(browser, live_server, artifacts_dir):
    forum = ForumFactory()
    owner = TeamMemberFactory(forum=forum, role="owner").user
    registration = RegistrationFactory(forum=forum, honorific="engineer", full_name_ar="وائل بن صالح حلواني",
                                       full_name_en="Wael Saleh Halawani")
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=owner,
                                      notify=False)
    context = browser.new_context(locale="ar-SA", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        # The guest types the short code printed under the QR code, as a phone keyboard would (lower case).
        page.goto(live_server.url + reverse("certificates:verify_form"))
        page.get_by_test_id("code").fill(cert.short_code.lower())
        page.get_by_test_id("code").press("Enter")
        expect(page.get_by_test_id("verification")).to_have_attribute("data-status", "valid")
        expect(page.get_by_test_id("holder")).to_have_text("المهندس وائل بن صالح حلواني")
        expect(page.get_by_test_id("facts-en")).to_contain_text("Eng. Wael Saleh Halawani")
        # Nothing runs off the side of a phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts_dir / "certificate-verify-phone.png"), full_page=True)

        services.certificate_revoke(certificate=cert, by=owner, reason="issued by mistake")
        page.reload()
        expect(page.get_by_test_id("verification")).to_have_attribute("data-status", "revoked")
        expect(page.get_by_test_id("revoked")).to_contain_text("revoked on")
        assert page.get_by_test_id("download").count() == 0
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_marking_an_honor_done_on_a_phone(browser, live_server, artifacts_dir):
    forum = ForumFactory()
    editor = TeamMemberFactory(forum=forum, role="editor").user
    session = SessionFactory(forum=forum, kind="honoring")
    first = session_services.honoree_create(forum=forum, session=session, person=PersonFactory(honorific="saada"),
                                            reason="speaker")
    second = session_services.honoree_create(forum=forum, session=session, person=PersonFactory(), reason="chair")
    context = browser.new_context(locale="ar-SA", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        signed_in_page(page, live_server, editor)
        page.goto(live_server.url + reverse("sessions:ceremony_live", args=[forum.slug]))
        honors = page.get_by_test_id("honor")
        expect(honors).to_have_count(2)
        button = honors.nth(0).get_by_test_id("mark-done")
        box = button.bounding_box()
        assert box["height"] >= 44  # a thumb hits it on stage
        button.tap()
        expect(page.get_by_test_id("honor").nth(0)).to_have_attribute("data-done", "1")
        expect(page.get_by_test_id("honor").nth(1)).to_have_attribute("data-done", "0")
        page.screenshot(path=str(artifacts_dir / "ceremony-mark-done-phone.png"), full_page=True)
    finally:
        context.close()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Honoree.Status.DONE, Honoree.Status.PLANNED)
    assert first.done_by_id == editor.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_run_sheet_prints_on_a4_in_arabic_with_every_honor(browser, live_server, artifacts_dir):
    import io

    from pypdf import PdfReader

    forum = ForumFactory()
    editor = TeamMemberFactory(forum=forum, role="editor").user
    session = SessionFactory(forum=forum, kind="honoring")
    for reason in ("speaker", "chair", "partner"):
        session_services.honoree_create(forum=forum, session=session, person=PersonFactory(), reason=reason)
    context = browser.new_context(locale="ar-SA")
    page = context.new_page()
    try:
        signed_in_page(page, live_server, editor)
        page.goto(live_server.url + reverse("sessions:run_sheet", args=[forum.slug]))
        expect(page.get_by_test_id("run-sheet-row")).to_have_count(3)
        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="طباعة")).to_be_hidden()  # the print button stays off the paper
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    (artifacts_dir / "run-sheet-a4.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    assert len(reader.pages) == 1  # three honors fit one sheet


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_issues_to_a_pasted_list_and_sees_the_batch_ready(browser, live_server, artifacts_dir):
    from certificates.models import Certificate

    forum = ForumFactory()
    editor = TeamMemberFactory(forum=forum, role="editor").user
    volunteers = [PersonFactory(created_by_forum=forum) for _ in range(2)]
    context = browser.new_context(locale="ar-SA")
    page = context.new_page()
    try:
        signed_in_page(page, live_server, editor)
        page.goto(live_server.url + reverse("certificates:manage", args=[forum.slug]))
        form = page.get_by_test_id("people-form")
        form.locator("textarea[name=pasted]").fill("nobody@example.org")
        form.get_by_role("button", name="إصدار").click()
        expect(page.get_by_test_id("people-form").get_by_role("alert").or_(
            page.get_by_test_id("people-form").locator(".errorlist")).first).to_contain_text("ليس من المشاركين")
        form = page.get_by_test_id("people-form")
        form.locator("textarea[name=pasted]").fill("\n".join(v.email for v in volunteers))
        form.locator("input[name=role_ar]").fill("في فريق التطوع")
        form.get_by_role("button", name="إصدار").click()
        batch = page.get_by_test_id("batch").first
        expect(batch).to_have_attribute("data-status", "done")
        expect(batch).to_contain_text("2 / 2")
        page.screenshot(path=str(artifacts_dir / "certificates-people-batch.png"), full_page=True)
    finally:
        context.close()
    assert set(Certificate.objects.filter(forum=forum).values_list("person_id", flat=True)) == {
        v.pk for v in volunteers}
