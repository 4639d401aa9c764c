import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from forum.mailing.models import OutgoingMessage
from speakers import services
from speakers.models import PaperFile
from tests.factories import ForumFactory, PersonFactory, SessionFactory
from tests.speakers import files


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_speaker_opens_link_uploads_and_replaces_paper(live_server, page, tmp_path, artifacts_dir):
    forum = ForumFactory()
    session = SessionFactory(forum=forum, title_ar="الجلسة الأولى", title_en="First session")
    person = PersonFactory(full_name_ar="هدى القحطاني")
    services.invitation_create(forum=forum, session=session, person=person, paper_title_ar="جودة الخدمات البلدية")
    body = OutgoingMessage.objects.get(kind="speakers.invitation").text_body
    link = re.search(r"\S+/portal/invitation/\S+/", body).group(0).replace(settings.SITE_URL, live_server.url)

    first = tmp_path / "paper.pdf"
    first.write_bytes(files.pdf_bytes(marker="FIRST"))
    second = tmp_path / "paper-v2.docx"
    second.write_bytes(files.docx_bytes())

    page.goto(link)
    assert "/portal/" in page.url and "invitation" not in page.url.split("#")[0]
    page.get_by_test_id("accept").click()
    page.get_by_test_id("paper-link").click()
    assert page.get_by_test_id("paper-title").inner_text() == "جودة الخدمات البلدية"

    page.get_by_test_id("upload-paper").locator("input[type=file]").set_input_files(str(first))
    page.get_by_test_id("upload-paper").locator("button[type=submit]").click()
    rows = page.get_by_test_id("paper-versions").get_by_test_id("version-row")
    expect(rows).to_have_count(1)  # waits for the page after the upload
    assert rows.first.get_attribute("data-version") == "1"

    page.get_by_test_id("upload-paper").locator("input[type=file]").set_input_files(str(second))
    page.get_by_test_id("upload-paper").locator("button[type=submit]").click()
    rows = page.get_by_test_id("paper-versions").get_by_test_id("version-row")
    expect(rows).to_have_count(2)
    assert rows.first.get_attribute("data-version") == "2"
    assert "الحالي" in rows.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "speakers-portal-paper.png"), full_page=True)

    versions = list(PaperFile.objects.filter(paper__speakers=person).values_list("version", "kind"))
    assert versions == [(2, "docx"), (1, "pdf")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organizer_invites_from_dashboard_and_reminds(live_server, page, artifacts_dir, settings):
    from tests.factories import TeamMemberFactory, UserFactory

    forum = ForumFactory()
    session = SessionFactory(forum=forum, title_ar="الجلسة الثانية")
    person = PersonFactory(full_name_ar="خالد الزهراني", created_by_forum=forum)
    owner = UserFactory(username="organizer")
    TeamMemberFactory(forum=forum, user=owner, role="owner")

    page.goto(f"{live_server.url}/portal/sign-in/")
    page.fill("input[name=username]", "organizer")
    page.fill("input[name=password]", "pass-Word-123")
    page.get_by_test_id("sign-in").click()
    # Leave only once signed in: going elsewhere at once could cut the sign-in post short.
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))
    page.goto(f"{live_server.url}/portal/manage/{forum.slug}/")
    page.select_option("select[name=invite-session]", str(session.pk))
    page.select_option("select[name=invite-person]", str(person.pk))
    page.select_option("select[name=invite-role]", "speaker")
    page.fill("input[name=invite-paper_title_ar]", "التميز المؤسسي")
    page.get_by_test_id("send-invitation").click()
    row = page.get_by_test_id("part-row").filter(has_text="خالد الزهراني")
    assert "لم يرد" in row.inner_text()
    page.get_by_test_id("remind-all").click()
    # The invitation left a message already: wait for the reminders' own.
    expect(page.locator(".message", has_text="أُرسلت التذكيرات")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "speakers-dashboard.png"), full_page=True)
    kinds = sorted(OutgoingMessage.objects.filter(to=person.email).values_list("kind", flat=True))
    assert kinds == ["speakers.invitation", "speakers.reminder"]
