"""Survey pages: answering without JavaScript, refusals, organizers' pages and who may see them."""

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.models import Survey, SurveyInvitation, SurveyResponse
from tests.factories import ForumFactory, PersonFactory, SessionFactory, SessionRoleFactory, UserFactory
from tests.registration.badges.factories import RegistrationFactory

from .factories import QuestionFactory, SurveyFactory
from .test_results import respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(forum):
    survey = SurveyFactory(forum=forum, title_ar="رأيك في الملتقى")
    QuestionFactory(survey=survey, kind="rating", text_ar="الرضا العام")
    QuestionFactory(survey=survey, kind="multiple", text_ar="ما أعجبك؟", choices=[{"ar": "المحاور"}, {"ar": "القاعة"}])
    QuestionFactory(survey=survey, kind="long_text", text_ar="ملاحظاتك", required=False)
    registration = RegistrationFactory(forum=forum)
    return SurveyInvitation.objects.create(survey=survey, registration=registration, email=registration.email)


def _questions(invitation):
    return list(invitation.survey.questions.order_by("order"))


def test_answer_page_is_rtl_form_without_scripts(client, invitation):
    page = client.get(f"/surveys/s/{invitation.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'dir="rtl"' in html and 'name="viewport"' in html
    assert 'method="post"' in html and "<script" not in html.split('data-testid="survey-form"')[1]
    rating = _questions(invitation)[0]
    assert html.count(f'name="q{rating.pk}"') == 5


def test_refused_submit_keeps_every_answer_given(client, invitation):
    rating, liked, notes = _questions(invitation)
    page = client.post(f"/surveys/s/{invitation.token}/",
                       {f"q{liked.pk}": ["1"], f"q{notes.pk}": "القاعة كانت مزدحمة"})  # rating missing
    html = page.content.decode()
    assert page.status_code == 400
    assert f'data-testid="error-q{rating.pk}"' in html
    assert f'name="q{liked.pk}" value="1" checked' in html and f'name="q{liked.pk}" value="0">' in html
    assert "القاعة كانت مزدحمة</textarea>" in html
    assert not SurveyResponse.objects.exists()


def test_answer_is_taken_once_and_the_link_then_says_so(client, invitation):
    rating, liked, _notes = _questions(invitation)
    done = client.post(f"/surveys/s/{invitation.token}/", {f"q{rating.pk}": "5", f"q{liked.pk}": ["0", "1"]})
    assert done.status_code == 200 and b'data-testid="survey-done"' in done.content
    again = client.post(f"/surveys/s/{invitation.token}/", {f"q{rating.pk}": "1", f"q{liked.pk}": ["0"]})
    assert again.status_code == 409 and b'data-testid="survey-link_used"' in again.content
    assert client.get(f"/surveys/s/{invitation.token}/").status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_closed_survey_page_says_it_is_closed(client, invitation):
    rating = _questions(invitation)[0]
    Survey.objects.filter(pk=invitation.survey_id).update(status=Survey.Status.CLOSED)
    with translation.override("en"):
        page = client.post(f"/en/surveys/s/{invitation.token}/", {f"q{rating.pk}": "4"})
    assert page.status_code == 410 and b"This survey is closed" in page.content


def test_unknown_link_is_404(client, db):
    assert client.get("/surveys/s/nope/").status_code == 404


def test_editor_creates_a_survey_adds_questions_and_opens_it(client, forum, editor):
    client.force_login(editor)
    created = client.post(f"/surveys/{forum.slug}/manage/", {"title_ar": "استبانة الملتقى", "reminder_after_days": 2,
                                                              "is_anonymous": "on"})
    survey = Survey.objects.get(forum=forum)
    assert created.status_code == 302 and survey.reminder_after_days == 2 and survey.is_anonymous
    url = f"/surveys/{forum.slug}/manage/{survey.pk}/"
    refused = client.post(url, {"action": "question", "question-kind": "single", "question-text_ar": "اختر",
                                "question-choices_ar": "واحد"})
    assert refused.status_code == 400 and not survey.questions.exists()
    added = client.post(url, {"action": "question", "question-kind": "single", "question-text_ar": "اختر",
                              "question-choices_ar": "نعم\nلا", "question-choices_en": "Yes\nNo",
                              "question-required": "on"})
    assert added.status_code == 302
    assert survey.questions.get().choices == [{"ar": "نعم", "en": "Yes"}, {"ar": "لا", "en": "No"}]
    assert client.post(url, {"action": "status", "status": "open"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"


def test_duplicate_forum_survey_is_a_form_error(client, forum, editor):
    SurveyFactory(forum=forum)
    client.force_login(editor)
    with translation.override("en"):
        page = client.post(f"/en/surveys/{forum.slug}/manage/", {"title_ar": "ثانية", "reminder_after_days": 3})
    assert page.status_code == 400 and b"already has a forum-wide survey" in page.content


def test_viewer_reads_results_but_changes_nothing(client, forum, viewer):
    survey = SurveyFactory(forum=forum)
    client.force_login(viewer)
    assert client.get(f"/surveys/{forum.slug}/results/{survey.pk}/").status_code == 200
    assert client.get(f"/surveys/{forum.slug}/results/").status_code == 200
    assert client.post(f"/surveys/{forum.slug}/manage/", {"title_ar": "x"}).status_code == 403
    assert client.post(f"/surveys/{forum.slug}/manage/{survey.pk}/", {"action": "status",
                                                                      "status": "closed"}).status_code == 403
    survey.refresh_from_db()
    assert survey.status == "open"


@pytest.mark.parametrize("path", ["manage/", "results/", "results/{id}/", "results/{id}/export.csv"])
def test_outsider_is_refused_every_organizer_page(client, forum, outsider, path):
    survey = SurveyFactory(forum=forum)
    client.force_login(outsider)
    assert client.get(f"/surveys/{forum.slug}/{path.format(id=survey.pk)}").status_code == 403
    draft = ForumFactory(status="draft")
    draft_survey = SurveyFactory(forum=draft)
    assert client.get(f"/surveys/{draft.slug}/{path.format(id=draft_survey.pk)}").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, forum):
    page = client.get(f"/surveys/{forum.slug}/results/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:sign_in") + "?next=")


def test_export_csv_and_xlsx_one_row_per_response(client, forum, editor):
    survey = SurveyFactory(forum=forum)
    rating = QuestionFactory(survey=survey, kind="rating", text_ar="الرضا")
    choice = QuestionFactory(survey=survey, kind="multiple", text_ar="ما أعجبك", choices=[{"ar": "أ"}, {"ar": "ب"}])
    note = QuestionFactory(survey=survey, kind="short_text", text_ar="ملاحظة", required=False)
    respond(survey, {rating: 5, choice: [0, 1], note: "=HYPERLINK(1)"})
    respond(survey, {rating: 3, choice: [1]})
    client.force_login(editor)
    csv = client.get(f"/surveys/{forum.slug}/results/{survey.pk}/export.csv").content.decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].endswith("الرضا,ما أعجبك,ملاحظة") and len(lines) == 3
    assert lines[1].endswith(",5,أ | ب,'=HYPERLINK(1)") and lines[2].endswith(",3,ب,")
    xlsx = client.get(f"/surveys/{forum.slug}/results/{survey.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_named_export_is_personal_data_viewers_are_refused(client, forum, viewer, editor):
    survey = SurveyFactory(forum=forum, is_anonymous=False)
    client.force_login(viewer)
    assert client.get(f"/surveys/{forum.slug}/results/{survey.pk}/export.csv").status_code == 403
    client.force_login(editor)
    assert client.get(f"/surveys/{forum.slug}/results/{survey.pk}/export.csv").status_code == 200


def test_speaker_sees_own_sessions_scores_and_nothing_else(client, forum):
    mine, theirs = SessionFactory(forum=forum, title_ar="جلستي"), SessionFactory(forum=forum, title_ar="جلسة غيري")
    speaker = PersonFactory(user=UserFactory())
    SessionRoleFactory(session=mine, person=speaker)
    SessionRoleFactory(session=theirs)
    for session, value in ((mine, 4), (theirs, 1)):
        survey = SurveyFactory(forum=forum, session=session)
        respond(survey, {QuestionFactory(survey=survey): value})
        respond(survey, {QuestionFactory(survey=survey, kind="short_text", required=False): "تعليق خاص"})
    client.force_login(speaker.user)
    page = client.get("/surveys/my-scores/").content.decode()
    assert "جلستي" in page and "جلسة غيري" not in page and "تعليق خاص" not in page
    assert client.get(f"/surveys/{forum.slug}/results/").status_code == 403


def test_speaker_portal_links_to_the_scores_page(client, forum):
    speaker = PersonFactory(user=UserFactory())
    SessionRoleFactory(session=SessionFactory(forum=forum), person=speaker)
    client.force_login(speaker.user)
    page = client.get("/portal/").content.decode()
    assert 'href="/surveys/my-scores/"' in page


def test_survey_page_shows_when_invitations_go_in_both_calendars(client, forum, viewer):
    session = SessionFactory(forum=forum)
    survey = SurveyFactory(forum=forum, session=session)
    client.force_login(viewer)
    page = client.get(f"/surveys/{forum.slug}/manage/{survey.pk}/").content.decode()
    assert "١٤٤٠هـ" in page and "٢٠١٨م" in page  # Hijri beside Gregorian, Arabic-Indic digits
