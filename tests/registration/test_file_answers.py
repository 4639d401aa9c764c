"""Attendees' uploaded answers: downloaded only by those who may see the forum's personal data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registration import services
from registration.models import Answer, Question
from tests.factories import ForumFactory, TeamMemberFactory
from tests.registration.factories import QuestionFactory, RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db

LETTER = b"%PDF-1.4\n\x00\xff nomination letter\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


def register_with_file(forum, *, content=LETTER, name="letter.pdf", content_type="application/pdf", **who):
    question = (Question.objects.filter(forum=forum, label_ar="خطاب الترشيح").first()
                or QuestionFactory(forum=forum, kind="file", label_ar="خطاب الترشيح", label_en="Nomination letter"))
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    answers = services.answers_clean(questions=[question], data={}, files={f"q{question.pk}": upload})
    registration = services.registration_create(
        forum=forum, registration_type=RegistrationTypeFactory(forum=forum), answers=answers, **person(**who)
    )
    return registration.answers.get(question=question)


def file_url(forum, answer_id):
    return reverse("registration:answer_file", args=[forum.slug, answer_id])


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_answer_file_organizer_downloads_exact_bytes(client, forum, role):
    answer = register_with_file(forum)
    client.force_login(TeamMemberFactory(forum=forum, role=role).user)
    response = client.get(file_url(forum, answer.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == LETTER
    expected_name = f"{answer.registration.reference}-q{answer.question_id}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_answer_file_name_and_type_ignore_what_the_attendee_chose(client, forum, owner):
    answer = register_with_file(forum, content=b"<script>alert(1)</script>", name='../../x"; evil.HTML',
                                content_type="text/html")
    client.force_login(owner)
    response = client.get(file_url(forum, answer.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{answer.registration.reference}-q{answer.question_id}.html"'
    )
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_answer_file_anonymous_sent_to_sign_in(client, forum):
    answer = register_with_file(forum)
    response = client.get(file_url(forum, answer.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert not getattr(response, "streaming", False)


def test_answer_file_other_forums_organizer_refused(client, forum):
    answer = register_with_file(forum)
    client.force_login(TeamMemberFactory(forum=ForumFactory(), role="owner").user)
    assert client.get(file_url(forum, answer.pk)).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "checkin"])
def test_answer_file_team_member_without_personal_data_rights_refused(client, forum, role):
    answer = register_with_file(forum)
    client.force_login(TeamMemberFactory(forum=forum, role=role).user)
    assert client.get(file_url(forum, answer.pk)).status_code == 404


def test_answer_file_signed_in_outsider_refused(client, forum, outsider):
    answer = register_with_file(forum)
    client.force_login(outsider)
    assert client.get(file_url(forum, answer.pk)).status_code == 404


def test_answer_file_of_another_forum_under_own_forum_url_404(client, forum, owner):
    other = ForumFactory()
    foreign = register_with_file(other)
    client.force_login(owner)
    assert client.get(file_url(forum, foreign.pk)).status_code == 404


def test_answer_file_answer_without_file_404(client, forum, owner):
    question = QuestionFactory(forum=forum, kind="text")
    answers = services.answers_clean(questions=[question], data={f"q{question.pk}": "الرياض"})
    registration = services.registration_create(
        forum=forum, registration_type=RegistrationTypeFactory(forum=forum), answers=answers, **person()
    )
    client.force_login(owner)
    assert client.get(file_url(forum, registration.answers.get().pk)).status_code == 404
    assert client.get(file_url(forum, 10**8)).status_code == 404
    assert client.get(f"/registration/{forum.slug}/manage/answers/{10**20}/file/").status_code == 404


def test_answer_file_missing_from_storage_404(client, forum, owner):
    answer = register_with_file(forum)
    answer.file.storage.delete(answer.file.name)
    client.force_login(owner)
    assert client.get(file_url(forum, answer.pk)).status_code == 404


def test_answer_file_refuses_post(client, forum, owner):
    answer = register_with_file(forum)
    client.force_login(owner)
    assert client.post(file_url(forum, answer.pk)).status_code == 405
    assert Answer.objects.filter(pk=answer.pk).exists()


def test_manage_page_links_each_file_answer_for_staff_only(client, forum, owner, viewer):
    answer = register_with_file(forum, full_name_ar="ريم العتيبي")
    url = file_url(forum, answer.pk)
    client.force_login(owner)
    page = client.get(reverse("registration:manage", args=[forum.slug])).content.decode()
    assert f'href="{url}"' in page and "خطاب الترشيح" in page
    client.force_login(viewer)
    page = client.get(reverse("registration:manage", args=[forum.slug])).content.decode()
    assert url not in page


def test_manage_page_with_file_answers_query_count_flat(client, forum, owner, django_assert_max_num_queries):
    for _ in range(20):
        register_with_file(forum)
    client.force_login(owner)
    client.get(reverse("registration:manage", args=[forum.slug]))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registration:manage", args=[forum.slug]))
    assert response.content.decode().count('data-testid="answer-file"') == 20


def test_detail_page_says_file_received_without_a_link(client, forum):
    answer = register_with_file(forum)
    page = client.get(reverse("registration:detail", args=[answer.registration.access_token])).content.decode()
    assert "خطاب الترشيح: تم استلام الملف" in page
    assert "/manage/answers/" not in page and answer.file.name not in page
    english = client.get("/en" + reverse("registration:detail", args=[answer.registration.access_token]))
    assert "Nomination letter: file received" in english.content.decode()


def test_export_csv_gives_each_file_answer_as_its_download_link(client, forum, owner):
    answer = register_with_file(forum)
    client.force_login(owner)
    csv_text = client.get(reverse("registration:export", args=[forum.slug, "csv"])).content.decode("utf-8-sig")
    header, row = [line.split(",") for line in csv_text.strip().splitlines()]
    cell = row[header.index("خطاب الترشيح")]
    assert cell == "http://testserver" + file_url(forum, answer.pk)
    # The link works for the organizer who exported it.
    assert client.get(cell.removeprefix("http://testserver")).status_code == 200


def test_api_registration_list_gives_organizers_file_links_and_the_attendee_none(client_for, forum, owner):
    answer = register_with_file(forum)
    key = f"q{answer.question_id}"
    listed = client_for(owner).get(f"/api/v1/forums/{forum.slug}/registrations/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["answers"][key] == "http://testserver" + file_url(forum, answer.pk)
    export = client_for(owner).get(f"/api/v1/forums/{forum.slug}/registrations/export/?as=csv")
    assert ("http://testserver" + file_url(forum, answer.pk)) in export.content.decode("utf-8-sig")
    own = client_for(None).get(f"/api/v1/registration/me/{answer.registration.access_token}/").json()
    assert own["answers"][key] == answer.file.name and "/manage/" not in own["answers"][key]
