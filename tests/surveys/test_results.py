"""Results: charts drawn from known data, NPS, scores per session and speaker, editions, constant queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sessions.models import SessionRole
from surveys import selectors
from surveys.charts import bar_chart, share
from surveys.models import Question, SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.factories import ForumFactory, PersonFactory, SessionFactory, SessionRoleFactory

from .factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def respond(survey, values: dict, *, invited=True):
    """A response with the given answers {question: number | text | [numbers]}, through the data model."""
    invitation = SurveyInvitation.objects.create(survey=survey, email=f"r{SurveyInvitation.objects.count()}@x.org")
    response = SurveyResponse.objects.create(survey=survey)
    for question, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            SurveyAnswer.objects.create(response=response, question=question,
                                        number=item if isinstance(item, int) else None,
                                        text=item if isinstance(item, str) else "")
    from django.utils import timezone

    invitation.responded_at = timezone.now()
    invitation.save()
    return response


def _rows(svg: str) -> dict[str, tuple[int, int]]:
    return {label: (int(count), int(percent)) for label, count, percent in
            re.findall(r'data-label="([^"]*)" data-count="(\d+)" data-percent="(\d+)"', svg)}


def test_bar_chart_carries_counts_shares_and_proportional_bars():
    svg = bar_chart([("ممتاز", 6), ("جيد", 3), ("ضعيف", 0)], title="الرضا")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'data-total="9"' in svg
    assert _rows(svg) == {"ممتاز": (6, 67), "جيد": (3, 33), "ضعيف": (0, 0)}
    widths = [float(w) for w in re.findall(r'class="chart__bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [220.0, 110.0, 0.0]  # the longest bar spans the track; the others in proportion
    assert "6 (67%)" in svg and "3 (33%)" in svg and "<title>الرضا</title>" in svg


def test_share_rounds_half_up_and_survives_zero():
    assert (share(1, 8), share(7, 9), share(0, 0)) == (13, 78, 0)


def test_survey_results_from_known_answers(forum):
    survey = SurveyFactory(forum=forum)
    rating = QuestionFactory(survey=survey, kind=Question.Kind.RATING)
    nps_q = QuestionFactory(survey=survey, kind=Question.Kind.NPS)
    choice = QuestionFactory(survey=survey, kind=Question.Kind.MULTIPLE,
                             choices=[{"ar": "المحاور", "en": "Themes"}, {"ar": "التنظيم", "en": "Organization"}])
    comment = QuestionFactory(survey=survey, kind=Question.Kind.LONG_TEXT, required=False)
    data = [(5, 10, [0, 1], "تنظيم رائع"), (4, 9, [0], "القاعة باردة"), (4, 7, [1], ""), (2, 3, [0], "")]
    for r, n, c, t in data:
        respond(survey, {rating: r, nps_q: n, choice: c, **({comment: t} if t else {})})
    SurveyInvitation.objects.create(survey=survey, email="silent@x.org")  # invited, no answer
    with translation.override("ar"):
        results = selectors.survey_results(survey=survey)
    assert (results["invited"], results["responses"], results["response_rate"]) == (5, 4, 80)
    by_q = {r.question.pk: r for r in results["questions"]}
    assert by_q[rating.pk].mean == 3.75
    assert _rows(by_q[rating.pk].chart) == {"1": (0, 0), "2": (1, 25), "3": (0, 0), "4": (2, 50), "5": (1, 25)}
    assert by_q[nps_q.pk].nps == 25  # promoters 2 (9, 10) minus detractors 1 (3), of 4 answers
    assert by_q[choice.pk].answered == 4
    assert _rows(by_q[choice.pk].chart) == {"المحاور": (3, 60), "التنظيم": (2, 40)}
    assert sorted(by_q[comment.pk].texts) == sorted(["تنظيم رائع", "القاعة باردة"])
    searched = selectors.survey_results(survey=survey, search="القاعة")
    assert [r.texts for r in searched["questions"] if r.question.pk == comment.pk] == [["القاعة باردة"]]


def test_nps_is_promoters_minus_detractors():
    assert selectors.nps({10: 5, 9: 1, 8: 2, 6: 1, 0: 1}) == 40
    assert selectors.nps({}) is None


def test_scores_per_session_and_per_speaker(forum):
    first, second = SessionFactory(forum=forum), SessionFactory(forum=forum)
    both = PersonFactory(full_name_ar="أحمد")
    only_first = PersonFactory(full_name_ar="سالم")
    SessionRoleFactory(session=first, person=both, role=SessionRole.Role.SPEAKER)
    SessionRoleFactory(session=second, person=both, role=SessionRole.Role.CHAIR)
    SessionRoleFactory(session=first, person=only_first, role=SessionRole.Role.SPEAKER)
    for session, ratings in ((first, [5, 4, 3]), (second, [2])):
        survey = SurveyFactory(forum=forum, session=session)
        q = QuestionFactory(survey=survey)
        for value in ratings:
            respond(survey, {q: value})
    scores = selectors.session_scores(forum=forum)
    assert [(row["session"], row["score"], row["ratings"]) for row in scores] == [(first, 4.0, 3), (second, 2.0, 1)]
    speakers = {row["person"].full_name_ar: (row["score"], row["sessions"])
                for row in selectors.speaker_scores(forum=forum, scores=scores)}
    assert speakers == {"أحمد": (3.5, 2), "سالم": (4.0, 1)}


def test_earlier_editions_side_by_side_only_those_the_user_may_read(forum, owner):
    from tests.factories import TeamMemberFactory

    earlier = ForumFactory(organizer=forum.organizer, edition=1)
    hidden = ForumFactory(organizer=forum.organizer, edition=2, status="draft")  # owner is not in its team
    forum.edition = 3
    forum.save()
    TeamMemberFactory(forum=earlier, user=owner, role="viewer")
    for f, values in ((forum, [10, 9]), (earlier, [3, 10]), (hidden, [10])):
        survey = SurveyFactory(forum=f)
        q = QuestionFactory(survey=survey, kind="nps")
        for value in values:
            respond(survey, {q: value})
    rows = selectors.editions_side_by_side(forum=forum, user=owner)
    assert [(r["forum"].edition, r["nps"], r["response_rate"]) for r in rows] == [(3, 100, 100), (1, 0, 100)]


def _results_queries(client, survey) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/surveys/{survey.forum.slug}/results/{survey.pk}/")
    assert response.status_code == 200
    return len(queries)


def test_results_page_queries_do_not_grow_with_responses(client, forum, viewer):
    survey = SurveyFactory(forum=forum)
    qs = [QuestionFactory(survey=survey, kind=k, choices=[{"ar": "أ"}, {"ar": "ب"}] if k == "single" else [])
          for k in ("rating", "nps", "single", "short_text")]
    client.force_login(viewer)
    for n in range(3):
        respond(survey, {qs[0]: 4, qs[1]: 9, qs[2]: 1, qs[3]: f"ملاحظة {n}"})
    few = _results_queries(client, survey)
    for n in range(60):
        respond(survey, {qs[0]: n % 5 + 1, qs[1]: n % 11, qs[2]: n % 2, qs[3]: f"رأي {n}"})
    assert _results_queries(client, survey) == few


def test_overview_page_queries_do_not_grow_with_responses(client, forum, viewer):
    sessions = [SessionFactory(forum=forum) for _ in range(2)]
    surveys = []
    for session in sessions:
        SessionRoleFactory(session=session)
        survey = SurveyFactory(forum=forum, session=session)
        surveys.append((survey, QuestionFactory(survey=survey)))
    client.force_login(viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/surveys/{forum.slug}/results/").status_code == 200
        return len(queries)

    for survey, q in surveys:
        respond(survey, {q: 3})
    few = count()
    for survey, q in surveys:
        for n in range(30):
            respond(survey, {q: n % 5 + 1})
    assert count() == few
