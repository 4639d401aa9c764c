from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from speakers import selectors
from speakers.models import PaperSettings, WorkingPaper
from tests.factories import ForumFactory, SessionFactory, WorkingPaperFactory
from tests.speakers.factories import PaperFileFactory, PaperSettingsFactory

pytestmark = pytest.mark.django_db


def _accepted_paper(forum, session=None, **kwargs):
    paper = WorkingPaperFactory(
        forum=forum, session=session, status=WorkingPaper.Status.ACCEPTED, decided_at=timezone.now(), **kwargs
    )
    PaperFileFactory(paper=paper, version=1)
    return paper


def test_published_paper_ids_before_session_mode_lists_accepted_with_file(django_assert_num_queries):
    forum = ForumFactory()
    PaperSettingsFactory(forum=forum, publication=PaperSettings.Publication.BEFORE_SESSION)
    session = SessionFactory(forum=forum, starts_at=timezone.now() + timedelta(days=3),
                             ends_at=timezone.now() + timedelta(days=3, hours=1))
    published = _accepted_paper(forum, session)
    WorkingPaperFactory(forum=forum, session=session)  # not accepted
    no_file = WorkingPaperFactory(forum=forum, status=WorkingPaper.Status.ACCEPTED, decided_at=timezone.now())
    with django_assert_num_queries(1):
        ids = selectors.published_paper_ids(forum=forum)
    assert ids == {published.pk}
    assert no_file.pk not in ids


def test_published_paper_ids_after_session_mode_waits_for_the_session_end():
    forum = ForumFactory()
    PaperSettingsFactory(forum=forum, publication=PaperSettings.Publication.AFTER_SESSION)
    now = timezone.now()
    past = SessionFactory(forum=forum, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2))
    future = SessionFactory(forum=forum, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3))
    done = _accepted_paper(forum, past)
    later = _accepted_paper(forum, future)
    assert selectors.published_paper_ids(forum=forum) == {done.pk}
    assert selectors.published_paper_ids(forum=forum, now=now + timedelta(hours=4)) == {done.pk, later.pk}


def test_published_paper_ids_empty_when_unpublished_setting_or_draft_forum():
    forum = ForumFactory()
    _accepted_paper(forum)
    assert selectors.published_paper_ids(forum=forum) == set()  # default: not published
    draft = ForumFactory(status="draft")
    PaperSettingsFactory(forum=draft, publication=PaperSettings.Publication.BEFORE_SESSION)
    _accepted_paper(draft)
    assert selectors.published_paper_ids(forum=draft) == set()


def test_paper_download_serves_published_final_version_as_attachment(client):
    forum = ForumFactory()
    PaperSettingsFactory(forum=forum, publication=PaperSettings.Publication.BEFORE_SESSION)
    paper = _accepted_paper(forum)
    final = PaperFileFactory(paper=paper, version=2, file__data=b"%PDF-1.4 final version")
    response = client.get(reverse("speakers:paper_download", kwargs={"paper_id": paper.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == final.file.open("rb").read()
    assert "sandbox" in response["Content-Security-Policy"]


def test_paper_download_404_for_unpublished_paper_and_guessed_ids(client):
    forum = ForumFactory()
    PaperSettingsFactory(forum=forum, publication=PaperSettings.Publication.BEFORE_SESSION)
    submitted = WorkingPaperFactory(forum=forum, status=WorkingPaper.Status.SUBMITTED)
    PaperFileFactory(paper=submitted)
    for paper_id in (submitted.pk, submitted.pk + 1000):
        response = client.get(reverse("speakers:paper_download", kwargs={"paper_id": paper_id}))
        assert response.status_code == 404


def test_paper_files_are_stored_outside_media_root(settings):
    stored = PaperFileFactory()
    path = stored.file.path
    assert str(settings.SPEAKERS_PRIVATE_ROOT) in path
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(NotImplementedError):
        stored.file.url  # noqa: B018
