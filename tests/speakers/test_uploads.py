import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from forum.errors import DomainError, PermissionDenied
from speakers import services
from speakers.models import PaperFile, PaperSettings, WorkingPaper
from speakers.uploads import UploadRefused
from tests.factories import ForumFactory, PersonFactory, UserFactory, WorkingPaperFactory
from tests.speakers import files
from tests.speakers.factories import PaperSettingsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def speaker():
    return UserFactory()


@pytest.fixture
def paper(speaker):
    paper = WorkingPaperFactory()
    paper.speakers.add(PersonFactory(user=speaker))
    return paper


def _upload(paper, user, name, data, role="paper"):
    return services.paper_file_upload(paper=paper, user=user, upload=files.upload(name, data), role=role)


def _refused(paper, user, name, data, code, role="paper"):
    with pytest.raises(UploadRefused) as exc:
        _upload(paper, user, name, data, role=role)
    assert exc.value.code == code, exc.value.errors
    assert "file" in exc.value.errors
    return exc.value


# -- accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [("paper.pdf", files.pdf_bytes, "pdf"), ("paper.docx", files.docx_bytes, "docx"),
     ("slides.pptx", files.pptx_bytes, "pptx")],
)
def test_upload_accepted_kinds_stored_with_checksum(paper, speaker, name, make, kind):
    data = make()
    stored = _upload(paper, speaker, name, data)
    assert stored.kind == kind and stored.version == 1
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.uploaded_by == speaker
    # Stored under a random name, not the one the user gave.
    assert re.fullmatch(r"papers/[0-9a-f]{32}\.(pdf|docx|pptx)", stored.file.name)
    with stored.file.open("rb") as fh:
        assert fh.read() == data


def test_upload_uppercase_extension_accepted(paper, speaker):
    assert _upload(paper, speaker, "PAPER.PDF", files.pdf_bytes()).kind == "pdf"


# -- refused -------------------------------------------------------------------------------------


def test_upload_zip_bomb_refused(paper, speaker):
    _refused(paper, speaker, "paper.docx", files.zip_bomb_docx_bytes(), "zip_bomb")


def test_upload_docm_macros_refused_whatever_the_name(paper, speaker):
    _refused(paper, speaker, "paper.docx", files.docx_bytes(main=files.DOCM_MAIN, vba=True), "macros")
    _refused(paper, speaker, "paper.docm", files.docx_bytes(main=files.DOCM_MAIN), "macros")


def test_upload_pptm_content_type_refused(paper, speaker):
    _refused(paper, speaker, "slides.pptx", files.pptx_bytes(main=files.PPTM_MAIN), "macros")


def test_upload_vba_project_part_refused_even_without_macro_content_type(paper, speaker):
    data = files._package({
        "[Content_Types].xml": files.DOCX_TYPES.format(main=files.DOCX_MAIN, extra="").encode(),
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"vba",
    })
    _refused(paper, speaker, "paper.docx", data, "macros")


def test_upload_encrypted_pdf_refused(paper, speaker):
    _refused(paper, speaker, "paper.pdf", files.encrypted_pdf_bytes(), "pdf_encrypted")


def test_upload_broken_pdf_refused(paper, speaker):
    _refused(paper, speaker, "paper.pdf", files.broken_pdf_bytes(), "pdf_broken")


def test_upload_truncated_pdf_refused(paper, speaker):
    _refused(paper, speaker, "paper.pdf", files.pdf_bytes()[:60], "pdf_broken")


def test_upload_extension_mismatch_refused(paper, speaker):
    _refused(paper, speaker, "paper.docx", files.pdf_bytes(), "extension_mismatch")
    _refused(paper, speaker, "paper.pdf", files.docx_bytes(), "extension_mismatch")
    _refused(paper, speaker, "paper", files.pdf_bytes(), "extension_mismatch")


def test_upload_other_content_refused_even_named_pdf(paper, speaker):
    _refused(paper, speaker, "paper.pdf", files.png_bytes(), "unsupported")
    _refused(paper, speaker, "paper.pdf", b"<html><script>alert(1)</script></html>", "unsupported")
    _refused(paper, speaker, "paper.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "legacy_office")


def test_upload_zip_that_is_not_office_refused(paper, speaker):
    _refused(paper, speaker, "paper.docx", files._package({"a.txt": b"hello"}), "unsupported")


def test_upload_over_default_limit_refused(paper, speaker):
    data = files.pdf_bytes() + b"%" + b"0" * (25 * 1024 * 1024)
    error = _refused(paper, speaker, "paper.pdf", data, "too_large")
    assert "25" in str(error)


def test_upload_over_forum_limit_refused(paper, speaker):
    PaperSettingsFactory(forum=paper.forum, max_upload_mb=1)
    _refused(paper, speaker, "paper.pdf", files.pdf_bytes() + b"%" + b"0" * (1024 * 1024), "too_large")


def test_upload_kind_not_accepted_by_forum_refused(paper, speaker):
    PaperSettingsFactory(forum=paper.forum, accepted_kinds=["pdf"])
    _refused(paper, speaker, "paper.docx", files.docx_bytes(), "kind_not_accepted")


def test_slides_accept_pdf_and_pptx_not_docx(paper, speaker):
    assert _upload(paper, speaker, "s.pptx", files.pptx_bytes(), role="slides").role == "slides"
    _refused(paper, speaker, "s.docx", files.docx_bytes(), "kind_not_accepted", role="slides")


def test_refusal_message_in_arabic_and_english(paper, speaker):
    with translation.override("ar"):
        ar = _refused(paper, speaker, "paper.pdf", files.encrypted_pdf_bytes(), "pdf_encrypted")
    with translation.override("en"):
        en = _refused(paper, speaker, "paper.pdf", files.encrypted_pdf_bytes(), "pdf_encrypted")
    assert "password" in str(en)
    assert "كلمة مرور" in str(ar) or "مشفر" in str(ar)


def test_refused_upload_leaves_previous_version_untouched(paper, speaker, private_files):
    good = files.pdf_bytes(marker="GOOD")
    first = _upload(paper, speaker, "paper.pdf", good)
    before = sorted(p.name for p in private_files.rglob("*") if p.is_file())
    _refused(paper, speaker, "paper.pdf", files.encrypted_pdf_bytes(), "pdf_encrypted")
    _refused(paper, speaker, "paper.docx", files.zip_bomb_docx_bytes(), "zip_bomb")
    assert list(PaperFile.objects.filter(paper=paper).values_list("version", flat=True)) == [1]
    assert sorted(p.name for p in private_files.rglob("*") if p.is_file()) == before
    with first.file.open("rb") as fh:
        assert fh.read() == good


def test_interrupted_upload_removes_the_stored_file_and_keeps_versions(paper, speaker, private_files, monkeypatch):
    _upload(paper, speaker, "paper.pdf", files.pdf_bytes())

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(PaperFile, "save", boom)
    with pytest.raises(RuntimeError):
        _upload(paper, speaker, "paper.pdf", files.pdf_bytes(marker="NEW"))
    monkeypatch.undo()
    assert PaperFile.objects.filter(paper=paper).count() == 1
    assert len([p for p in private_files.rglob("*") if p.is_file()]) == 1


# -- versions -----------------------------------------------------------------------------------


def test_replacing_keeps_every_version_with_uploader_time_and_sha(paper, speaker):
    organizer = UserFactory()
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(forum=paper.forum, user=organizer, role="editor")
    v1_data, v2_data = files.pdf_bytes(marker="ONE"), files.docx_bytes()
    v1 = _upload(paper, speaker, "one.pdf", v1_data)
    v2 = _upload(paper, organizer, "two.docx", v2_data)
    slides = _upload(paper, speaker, "s.pdf", files.pdf_bytes(marker="S"), role="slides")
    assert (v1.version, v2.version, slides.version) == (1, 2, 1)
    assert v1.sha256 == hashlib.sha256(v1_data).hexdigest() != v2.sha256
    assert (v1.uploaded_by, v2.uploaded_by) == (speaker, organizer)
    assert v2.uploaded_at >= v1.uploaded_at
    assert v1.file.name != v2.file.name
    with v1.file.open("rb") as fh:
        assert fh.read() == v1_data
    paper.refresh_from_db()
    assert paper.status == WorkingPaper.Status.SUBMITTED


def test_version_numbers_unique_per_paper_and_role_in_the_database(paper, speaker):
    from django.db import IntegrityError

    v1 = _upload(paper, speaker, "one.pdf", files.pdf_bytes())
    with pytest.raises(IntegrityError):
        PaperFile.objects.create(paper=paper, role="paper", version=1, file=v1.file.name, kind="pdf",
                                 original_name="x.pdf", size=1, sha256=v1.sha256)


# -- deadline and extension -------------------------------------------------------------------------


def test_upload_after_deadline_refused_then_allowed_with_extension(paper, speaker):
    organizer = UserFactory()
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(forum=paper.forum, user=organizer, role="owner")
    PaperSettingsFactory(forum=paper.forum, deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        _upload(paper, speaker, "paper.pdf", files.pdf_bytes())
    assert exc.value.code == "deadline_passed"
    assert "تمديد" in str(exc.value)  # said plainly, in the user's language
    assert not PaperFile.objects.filter(paper=paper).exists()
    # Organizers may still upload on the speaker's behalf.
    assert _upload(paper, organizer, "paper.pdf", files.pdf_bytes()).version == 1
    services.paper_extension_grant(paper=paper, until=timezone.now() + timedelta(days=2), granted_by=organizer)
    paper.refresh_from_db()
    assert _upload(paper, speaker, "paper.pdf", files.pdf_bytes()).version == 2


def test_upload_before_deadline_allowed(paper, speaker):
    PaperSettingsFactory(forum=paper.forum, deadline=timezone.now() + timedelta(hours=1))
    assert _upload(paper, speaker, "paper.pdf", files.pdf_bytes()).version == 1


def test_extension_only_by_organizers_outsider_refused(paper, speaker, outsider):
    for user in (speaker, outsider):
        with pytest.raises(PermissionDenied):
            services.paper_extension_grant(paper=paper, until=timezone.now() + timedelta(days=1), granted_by=user)


def test_upload_by_outsider_and_other_speaker_refused(paper, outsider):
    other_speaker = UserFactory()
    other_paper = WorkingPaperFactory(forum=paper.forum)
    other_paper.speakers.add(PersonFactory(user=other_speaker))
    for user in (outsider, other_speaker):
        with pytest.raises(PermissionDenied):
            _upload(paper, user, "paper.pdf", files.pdf_bytes())
    assert not PaperFile.objects.filter(paper=paper).exists()


def test_settings_update_validates_and_only_by_editors(outsider):
    forum = ForumFactory()
    from tests.factories import TeamMemberFactory

    editor = TeamMemberFactory(forum=forum, role="editor").user
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    saved = services.paper_settings_update(forum=forum, user=editor, accepted_kinds=["pptx", "pdf"], max_upload_mb=10,
                                           publication=PaperSettings.Publication.AFTER_SESSION)
    assert saved.accepted_kinds == ["pdf", "pptx"] and saved.max_upload_bytes == 10 * 1024 * 1024
    with pytest.raises(DomainError):
        services.paper_settings_update(forum=forum, user=editor, accepted_kinds=[])
    with pytest.raises(DomainError):
        services.paper_settings_update(forum=forum, user=editor, max_upload_mb=0)
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.paper_settings_update(forum=forum, user=user, max_upload_mb=5)


def test_deleting_a_paper_removes_its_stored_files(paper, speaker, private_files, django_capture_on_commit_callbacks):
    _upload(paper, speaker, "paper.pdf", files.pdf_bytes())
    _upload(paper, speaker, "slides.pptx", files.pptx_bytes(), role="slides")
    assert len([p for p in private_files.rglob("*") if p.is_file()]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        paper.delete()
    assert [p for p in private_files.rglob("*") if p.is_file()] == []
