"""Surveys: who is invited and when, one response per link, closed surveys, reminders, copying questions."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage, Suppression
from surveys import services
from surveys.models import Question, Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.factories import ForumFactory, SessionFactory
from tests.registration.badges.factories import RegistrationFactory

from .factories import QuestionFactory, SurveyFactory, attend

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_survey():
    session = SessionFactory()
    survey = SurveyFactory(forum=session.forum, session=session)
    QuestionFactory(survey=survey, kind=Question.Kind.RATING)
    QuestionFactory(survey=survey, kind=Question.Kind.LONG_TEXT, required=False)
    return survey


def _attendees(survey, n, **kwargs):
    people = [RegistrationFactory(forum=survey.forum, **kwargs) for _ in range(n)]
    for registration in people:
        attend(registration, survey.session)
    return people


def test_invitations_go_after_the_session_ends_to_its_attendees_each_once(
        session_survey, smtp_server, django_capture_on_commit_callbacks):
    attendees = _attendees(session_survey, 3)
    absent = RegistrationFactory(forum=session_survey.forum)  # registered, never scanned into the session
    attend(absent)  # at the door only: not an attendee of this session
    before_end = session_survey.session.ends_at - timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=before_end) == {"invited": 0, "reminded": 0}
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=session_survey.session.ends_at)["invited"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due()["invited"] == 0  # already done: nobody twice
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(r.email for r in attendees)
    first = smtp_server.collector.to(attendees[0].email)[0]
    text = first.get_body(("plain",)).get_content()
    assert f"المهندس {attendees[0].full_name_ar}" in text
    token = SurveyInvitation.objects.get(email=attendees[0].email).token
    assert f"/surveys/s/{token}/" in text
    assert f'href="{settings.SITE_URL}/surveys/s/{token}/"' in first.get_body(("html",)).get_content()
    assert first["List-Unsubscribe"].strip().startswith("<http://")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_forum_survey_invites_those_admitted_at_the_door_after_the_last_day(forum, django_capture_on_commit_callbacks):
    survey = SurveyFactory(forum=forum)
    QuestionFactory(survey=survey, kind=Question.Kind.NPS)
    came = RegistrationFactory(forum=forum)
    attend(came)
    RegistrationFactory(forum=forum)  # confirmed, never came
    last_evening = timezone.make_aware(timezone.datetime.combine(forum.last_day, timezone.datetime.min.time()),
                                       forum.tzinfo) + timedelta(hours=23)
    assert services.surveys_send_due(now=last_evening)["invited"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=last_evening + timedelta(hours=2))["invited"] == 1
    assert list(survey.invitations.values_list("email", flat=True)) == [came.email]


def test_unsubscribed_attendee_gets_a_link_but_no_email(session_survey, django_capture_on_commit_callbacks, mailoutbox):
    quiet, other = _attendees(session_survey, 2)
    Suppression.objects.create(email=quiet.email, reason=Suppression.Reason.UNSUBSCRIBED,
                               forum=session_survey.forum)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(survey=session_survey)
    assert [m.to for m in mailoutbox] == [[other.email]]
    assert not OutgoingMessage.objects.filter(to=quiet.email).exists()


def test_response_is_counted_once_and_the_link_refuses_a_second_use(session_survey):
    [attendee] = _attendees(session_survey, 1)
    services.invitations_send(survey=session_survey)
    invitation = SurveyInvitation.objects.get(registration=attendee)
    rating, text = session_survey.questions.order_by("order")
    response = services.response_submit(token=invitation.token, data={f"q{rating.pk}": "4", f"q{text.pk}": "ممتاز"})
    with pytest.raises(services.LinkUsed) as refused, translation.override("en"):
        services.response_submit(token=invitation.token, data={f"q{rating.pk}": "1"})
    assert refused.value.status_code == 409 and "already been used" in str(refused.value)
    assert SurveyResponse.objects.filter(survey=session_survey).count() == 1
    assert list(SurveyAnswer.objects.filter(response=response).order_by("question__order")
                .values_list("number", "text")) == [(4, ""), (None, "ممتاز")]
    # Anonymous: the response keeps no link to the person.
    assert response.invitation_id is None
    invitation.refresh_from_db()
    assert invitation.responded_at is not None


def test_text_answers_are_found_whatever_the_spelling_of_alef_taa_marbuta_and_harakat(session_survey):
    from surveys import selectors

    attendees = _attendees(session_survey, 2)
    services.invitations_send(survey=session_survey)
    rating, text = session_survey.questions.order_by("order")
    for attendee, comment in zip(attendees, ["شكرًا للمهندس أسامة على الورقة", "Great hall"], strict=True):
        token = SurveyInvitation.objects.get(registration=attendee).token
        services.response_submit(token=token, data={f"q{rating.pk}": "5", f"q{text.pk}": comment})
    for query in ("اسامه", "أُسامة", "ASAMA", "great"):
        texts = [r.texts for r in selectors.survey_results(survey=session_survey, search=query)["questions"]
                 if r.question.pk == text.pk][0]
        expected = {"اسامه": ["شكرًا للمهندس أسامة على الورقة"], "أُسامة": ["شكرًا للمهندس أسامة على الورقة"],
                    "ASAMA": [], "great": ["Great hall"]}[query]
        assert texts == expected, query


def test_named_survey_links_the_response_to_the_invitee(session_survey):
    Survey.objects.filter(pk=session_survey.pk).update(is_anonymous=False)
    [attendee] = _attendees(session_survey, 1)
    services.invitations_send(survey=session_survey)
    invitation = SurveyInvitation.objects.get(registration=attendee)
    rating = session_survey.questions.get(kind="rating")
    response = services.response_submit(token=invitation.token, data={f"q{rating.pk}": "5"})
    assert response.invitation == invitation


def test_survey_closed_before_the_response_arrives_is_refused(session_survey):
    _attendees(session_survey, 1)
    services.invitations_send(survey=session_survey)
    invitation = session_survey.invitations.get()
    rating = session_survey.questions.get(kind="rating")
    services.survey_status_set(survey=session_survey, status=Survey.Status.CLOSED)
    with pytest.raises(services.SurveyClosed) as refused, translation.override("en"):
        services.response_submit(token=invitation.token, data={f"q{rating.pk}": "5"})
    assert refused.value.status_code == 410 and "closed" in str(refused.value)
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.responded_at is None


def test_past_closing_time_is_refused(session_survey):
    _attendees(session_survey, 1)
    services.invitations_send(survey=session_survey)
    Survey.objects.filter(pk=session_survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    rating = session_survey.questions.get(kind="rating")
    with pytest.raises(services.SurveyClosed):
        services.response_submit(token=session_survey.invitations.get().token, data={f"q{rating.pk}": "3"})


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("rating", "6", "Choose one of the options"),
    ("rating", "abc", "Choose one of the options"),
    ("nps", "-1", "Choose one of the options"),
    ("rating", "", "needs an answer"),
])
def test_bad_answers_are_refused_per_question_and_nothing_is_stored(forum, kind, value, message):
    survey = SurveyFactory(forum=forum)
    question = QuestionFactory(survey=survey, kind=kind)
    registration = RegistrationFactory(forum=forum)
    invitation = SurveyInvitation.objects.create(survey=survey, registration=registration, email=registration.email)
    with pytest.raises(DomainError) as refused, translation.override("en"):
        services.response_submit(token=invitation.token, data={f"q{question.pk}": value})
    assert message in refused.value.errors[f"q{question.pk}"][0]
    invitation.refresh_from_db()
    assert invitation.responded_at is None and not SurveyResponse.objects.exists()


def test_multiple_choice_stores_each_option_once_and_single_choice_refuses_two(forum):
    survey = SurveyFactory(forum=forum)
    many = QuestionFactory(survey=survey, kind="multiple", choices=[{"ar": "أ"}, {"ar": "ب"}, {"ar": "ج"}])
    one = QuestionFactory(survey=survey, kind="single", choices=[{"ar": "نعم"}, {"ar": "لا"}])
    invitation = SurveyInvitation.objects.create(survey=survey, email="x@example.org")
    from django.http import QueryDict

    bad = QueryDict(mutable=True)
    bad.setlist(f"q{many.pk}", ["0", "2"])
    bad.setlist(f"q{one.pk}", ["0", "1"])
    with pytest.raises(DomainError) as refused:
        services.response_submit(token=invitation.token, data=bad)
    assert list(refused.value.errors) == [f"q{one.pk}"]
    bad.setlist(f"q{one.pk}", ["1"])
    response = services.response_submit(token=invitation.token, data=bad)
    assert sorted(response.answers.filter(question=many).values_list("number", flat=True)) == [0, 2]


def test_reminder_goes_once_after_n_days_to_those_who_have_not_answered(session_survey, mailoutbox,
                                                                          django_capture_on_commit_callbacks):
    answered, silent = _attendees(session_survey, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(survey=session_survey)
    rating = session_survey.questions.get(kind="rating")
    services.response_submit(token=SurveyInvitation.objects.get(registration=answered).token,
                             data={f"q{rating.pk}": "5"})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=timezone.now() + timedelta(days=2))["reminded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=timezone.now() + timedelta(days=3, minutes=1))["reminded"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send_due(now=timezone.now() + timedelta(days=9))["reminded"] == 0
    assert [m.to for m in mailoutbox] == [[silent.email]]
    assert OutgoingMessage.objects.filter(kind=services.REMINDER_KIND).count() == 1


def test_questions_are_copied_from_a_previous_forum_in_order(forum):
    earlier = SurveyFactory(forum=ForumFactory(organizer=forum.organizer, edition=1))
    QuestionFactory(survey=earlier, kind="rating", text_ar="الرضا العام")
    QuestionFactory(survey=earlier, kind="single", text_ar="كيف عرفت؟", choices=[{"ar": "بريد"}, {"ar": "صديق"}],
                    required=False)
    survey = services.survey_create(forum=forum, title_ar="استبانة")
    services.question_add(survey=survey, kind="nps", text_ar="هل توصي بالملتقى؟")
    services.questions_copy(survey=survey, source=earlier)
    assert list(survey.questions.order_by("order").values_list("text_ar", "kind", "required")) == [
        ("هل توصي بالملتقى؟", "nps", True), ("الرضا العام", "rating", True), ("كيف عرفت؟", "single", False)]


def test_setup_rules_are_clear_errors(forum):
    survey = services.survey_create(forum=forum, title_ar="استبانة")
    with pytest.raises(DomainError) as duplicate:
        services.survey_create(forum=forum, title_ar="أخرى")
    assert duplicate.value.code == "duplicate"
    with pytest.raises(DomainError) as few:
        services.question_add(survey=survey, kind="single", text_ar="اختر", choices=["واحد"])
    assert "choices" in few.value.errors
    with pytest.raises(DomainError) as other_forum:
        services.survey_create(forum=forum, title_ar="جلسة", session=SessionFactory())
    assert "session" in other_forum.value.errors
    with pytest.raises(DomainError) as empty:
        services.survey_status_set(survey=survey, status="open")
    assert empty.value.code == "no_questions"


def test_invitations_of_a_draft_survey_are_refused(session_survey):
    Survey.objects.filter(pk=session_survey.pk).update(status=Survey.Status.DRAFT)
    session_survey.refresh_from_db()
    with pytest.raises(DomainError):
        with transaction.atomic():
            services.invitations_send(survey=session_survey)
    assert services.surveys_send_due()["invited"] == 0
