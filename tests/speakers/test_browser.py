import re

import pytest
from django.conf import settings

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
    assert rows.count() == 1
    assert rows.first.get_attribute("data-version") == "1"

    page.get_by_test_id("upload-paper").locator("input[type=file]").set_input_files(str(second))
    page.get_by_test_id("upload-paper").locator("button[type=submit]").click()
    rows = page.get_by_test_id("paper-versions").get_by_test_id("version-row")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-version") == "2"
    assert "الحالي" in rows.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "speakers-portal-paper.png"), full_page=True)

    versions = list(PaperFile.objects.filter(paper__speakers=person).values_list("version", "kind"))
    assert versions == [(2, "docx"), (1, "pdf")]
