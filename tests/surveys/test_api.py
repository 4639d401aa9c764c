"""The surveys API: the team reads results, owners and editors set up, others are refused."""

import pytest

from surveys.models import Survey

from .factories import QuestionFactory, SurveyFactory
from .test_results import respond

pytestmark = pytest.mark.django_db


def test_editor_sets_up_a_survey_through_the_api(client_for, forum, editor):
    api = client_for(editor)
    base = f"/api/v1/forums/{forum.slug}/surveys/"
    created = api.post(base, {"title_ar": "استبانة", "reminder_after_days": 2}, format="json")
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    refused = api.post(f"{base}{survey_id}/questions/", {"kind": "single", "text_ar": "اختر", "choices": ["أ"]},
                       format="json")
    assert refused.status_code == 400 and "choices" in refused.json()
    added = api.post(f"{base}{survey_id}/questions/", {"kind": "nps", "text_ar": "هل توصي بنا؟"}, format="json")
    assert added.status_code == 201 and added.json()["kind"] == "nps"
    opened = api.post(f"{base}{survey_id}/status/", {"status": "open"}, format="json")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    duplicate = api.post(base, {"title_ar": "ثانية"}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "duplicate"


def test_question_without_a_kind_is_a_rating_question(client_for, forum, editor):
    survey = SurveyFactory(forum=forum)
    added = client_for(editor).post(f"/api/v1/forums/{forum.slug}/surveys/{survey.pk}/questions/",
                                    {"text_ar": "ما تقييمك للجلسة؟"}, format="json")
    assert added.status_code == 201 and added.json()["kind"] == "rating"


def test_viewer_reads_results_and_cannot_change_anything(client_for, forum, viewer):
    survey = SurveyFactory(forum=forum)
    question = QuestionFactory(survey=survey, kind="rating")
    respond(survey, {question: 4})
    respond(survey, {question: 2})
    api = client_for(viewer)
    results = api.get(f"/api/v1/forums/{forum.slug}/surveys/{survey.pk}/results/")
    assert results.status_code == 200
    [row] = results.json()["questions"]
    assert row["counts"] == {"2": 1, "4": 1} and row["mean"] == 3.0
    assert api.post(f"/api/v1/forums/{forum.slug}/surveys/{survey.pk}/status/", {"status": "closed"},
                    format="json").status_code == 403
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_outsider_gets_nothing_of_a_published_forums_surveys(client_for, forum, outsider):
    survey = SurveyFactory(forum=forum)
    api = client_for(outsider)
    assert api.get(f"/api/v1/forums/{forum.slug}/surveys/").status_code == 404
    assert api.get(f"/api/v1/forums/{forum.slug}/surveys/{survey.pk}/results/").status_code == 404


def test_copy_from_a_survey_of_a_forum_not_ones_own_is_refused(client_for, forum, editor):
    mine = SurveyFactory(forum=forum)
    foreign = SurveyFactory()
    QuestionFactory(survey=foreign)
    response = client_for(editor).post(f"/api/v1/forums/{forum.slug}/surveys/{mine.pk}/copy-questions/",
                                       {"source": foreign.pk}, format="json")
    assert response.status_code == 400 and "source" in response.json()
    assert not mine.questions.exists()
