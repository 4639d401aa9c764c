import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from speakers import services
from speakers.models import PaperFile, ProceedingsJob, WorkingPaper
from tests.factories import (
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
    TeamMemberFactory,
    WorkingPaperFactory,
    at,
)
from tests.speakers import files
from tests.speakers.factories import PaperFileFactory

pytestmark = pytest.mark.django_db


def _paper(forum, session, title_ar, title_en, pdf_pages=None, marker=None, docx=False, status="accepted"):
    paper = WorkingPaperFactory(forum=forum, session=session, title_ar=title_ar, title_en=title_en, status=status,
                                decided_at=session.starts_at)
    paper.speakers.add(PersonFactory(honorific="engineer", full_name_ar="طارق العمري",
                                     organization=OrganizationFactory(name_ar="هيئة الاتصالات وتقنية المعلومات")))
    if docx:
        PaperFileFactory(paper=paper, version=1, kind="docx", file__data=files.docx_bytes(), file__filename="x.docx")
    else:
        PaperFileFactory(paper=paper, version=1, file__data=files.pdf_bytes(pages=pdf_pages, marker=marker))
    return paper


@pytest.fixture
def book_forum(forum):
    s1 = SessionFactory(forum=forum, number=1, title_ar="التحول الرقمي", title_en="Digital transformation",
                        starts_at=at(9), ends_at=at(10))
    s2 = SessionFactory(forum=forum, number=2, title_ar="جودة الخدمات", title_en="Service quality",
                        starts_at=at(11), ends_at=at(12))
    # Created out of order on purpose: the book follows the agenda.
    c = _paper(forum, s2, "الورقة الثالثة", "Third paper", pdf_pages=1, marker="MARK-C")
    a = _paper(forum, s1, "الورقة الأولى", "First paper", pdf_pages=2, marker="MARK-A")
    b = _paper(forum, s1, "الورقة الثانية", "Second paper", pdf_pages=3, marker="MARK-B")
    d = _paper(forum, s2, "ورقة بصيغة وورد", "Word paper", docx=True)
    _paper(forum, s2, "ورقة مرفوضة", "Rejected paper", pdf_pages=1, marker="MARK-X", status="rejected")
    return {"forum": forum, "papers": (a, b, c), "docx": d}


def test_proceedings_book_page_count_and_contents(book_forum, django_capture_on_commit_callbacks, artifacts_dir):
    forum = book_forum["forum"]
    owner = TeamMemberFactory(forum=forum, role="owner").user
    with django_capture_on_commit_callbacks(execute=True):
        job = services.proceedings_request(forum=forum, user=owner, digits="latn")
    job.refresh_from_db()
    assert job.status == ProceedingsJob.Status.DONE, job.error
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    with job.file.open("rb") as fh:
        data = fh.read()
    (artifacts_dir / "proceedings-sample.pdf").write_bytes(data)  # for a human look
    reader = PdfReader(io.BytesIO(data), strict=True)
    pages = [page.extract_text() for page in reader.pages]
    # Every page keeps its size, fonts and content (page-tree attributes were copied onto it).
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]
        assert "/Font" in page["/Resources"]
    # The papers' pages are the last 2 + 3 + 1, in agenda order.
    front = len(pages) - 6
    assert front >= 2 and job.page_count == len(pages)
    markers = [re.search(r"MARK-[A-Z]", text).group(0) if re.search(r"MARK-[A-Z]", text) else None for text in pages]
    assert markers[front:] == ["MARK-A"] * 2 + ["MARK-B"] * 3 + ["MARK-C"]
    assert "MARK-X" not in "".join(pages)
    # Bookmarks point at each paper's first page.
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert outline["الورقة الأولى / First paper"] == front
    assert outline["الورقة الثانية / Second paper"] == front + 2
    assert outline["الورقة الثالثة / Third paper"] == front + 5
    # The contents list every paper with its printed (1-based) page, and the Word paper with a note.
    contents = "\n".join(pages[1:front])
    for title, first_page in (("First paper", front + 1), ("Second paper", front + 3), ("Third paper", front + 6)):
        assert title in contents
        assert str(first_page) in contents
    assert "Word paper" in contents and "not a PDF" in contents
    assert "Rejected paper" not in contents


def test_proceedings_cover_has_forum_edition_organizer_and_both_calendars(book_forum):
    from speakers.proceedings import build_book, hijri_and_gregorian

    forum = book_forum["forum"]
    result = build_book(forum=forum)
    try:
        reader = PdfReader(str(result.path))
        cover = reader.pages[0].extract_text()
        assert (forum.title_en or "") in cover
        assert f"edition {forum.edition}" in cover
        hijri, _gregorian = hijri_and_gregorian(forum.first_day, "latn")
        assert hijri == "20 صفر 1440هـ"
        # The cover embeds the Arabic font, shaped by HarfBuzz.
        fonts = str(reader.pages[0]["/Resources"]["/Font"])
        assert reader.pages[0]["/Resources"]["/Font"]
        assert fonts
        font_names = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
        assert any("NotoNaskhArabic" in name for name in font_names)
    finally:
        result.path.unlink(missing_ok=True)


def test_proceedings_page_and_download_team_only(client, book_forum, outsider, django_capture_on_commit_callbacks):
    forum = book_forum["forum"]
    owner = TeamMemberFactory(forum=forum, role="owner").user
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    url = reverse("speakers:manage_proceedings", args=[forum.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    job = ProceedingsJob.objects.get(forum=forum)
    page = client.get("/en" + url)
    assert "3 of 3 papers" in page.content.decode()
    assert job.status == ProceedingsJob.Status.DONE
    download = client.get(reverse("speakers:proceedings_download", args=[forum.slug, job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(outsider)
    assert client.get(reverse("speakers:proceedings_download", args=[forum.slug, job.pk])).status_code == 404


def test_proceedings_only_accepted_papers_when_forum_reviews(book_forum):
    from speakers.proceedings import book_papers
    from tests.speakers.factories import PaperSettingsFactory

    forum = book_forum["forum"]
    PaperSettingsFactory(forum=forum, review_enabled=True)
    WorkingPaper.objects.filter(pk=book_forum["papers"][0].pk).update(status="submitted")
    titles = [e.paper.title_en for s in book_papers(forum=forum) for e in s.entries]
    assert titles == ["Second paper", "Third paper", "Word paper"]
    assert PaperFile.objects.filter(paper__forum=forum).count() == 5


def test_proceedings_request_reuses_a_running_build_but_not_a_stale_one(forum):
    from datetime import timedelta

    from django.utils import timezone

    owner = TeamMemberFactory(forum=forum, role="owner").user
    running = ProceedingsJob.objects.create(forum=forum, status=ProceedingsJob.Status.RUNNING)
    assert services.proceedings_request(forum=forum, user=owner) == running
    ProceedingsJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert services.proceedings_request(forum=forum, user=owner) != running


def test_proceedings_lists_every_paper_in_session_order_with_not_yet_submitted(book_forum):
    """Papers without a file yet are in the contents with a note, in their session's order."""
    from speakers.proceedings import book_papers, build_book

    forum = book_forum["forum"]
    s1 = book_forum["papers"][0].session
    waiting = WorkingPaperFactory(forum=forum, session=s1, title_ar="ورقة لم تصل", title_en="Awaited paper")
    titles = [e.paper.title_en for s in book_papers(forum=forum) for e in s.entries]
    assert titles.index("Awaited paper") < titles.index("Third paper")  # session 1 before session 2
    result = build_book(forum=forum, digits="latn")
    try:
        contents = "\n".join(page.extract_text() for page in PdfReader(str(result.path)).pages[1:result.front_pages])
        assert "Awaited paper (not yet submitted)" in contents
    finally:
        result.path.unlink(missing_ok=True)
    assert waiting.files.count() == 0


def test_proceedings_cover_dates_in_the_chosen_digits(book_forum):
    from speakers.proceedings import hijri_and_gregorian

    forum = book_forum["forum"]
    assert hijri_and_gregorian(forum.first_day, "arab") == ("٢٠ صفر ١٤٤٠هـ", "٢٩ أكتوبر ٢٠١٨م")
    assert hijri_and_gregorian(forum.first_day, "latn") == ("20 صفر 1440هـ", "29 أكتوبر 2018م")


def test_proceedings_job_keeps_the_organizers_digits(client, book_forum):
    forum = book_forum["forum"]
    client.force_login(TeamMemberFactory(forum=forum, role="owner").user)
    client.cookies["digits"] = "latn"
    client.post(reverse("speakers:manage_proceedings", args=[forum.slug]))
    assert ProceedingsJob.objects.get(forum=forum).digits == "latn"
