"""Answering a survey on a phone-sized page in headless Chromium, with JavaScript switched off."""

import pytest
from playwright.sync_api import expect

from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.registration.badges.factories import RegistrationFactory

from .factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_answers_survey_without_javascript_and_keeps_answers_after_a_refusal(
        live_server, browser, artifacts_dir, forum):
    survey = SurveyFactory(forum=forum, title_ar="رأيك في الجلسة الأولى")
    rating = QuestionFactory(survey=survey, kind="rating", text_ar="ما مدى رضاك؟")
    nps = QuestionFactory(survey=survey, kind="nps", text_ar="هل توصي بالملتقى؟")
    notes = QuestionFactory(survey=survey, kind="long_text", text_ar="ملاحظاتك", required=False)
    registration = RegistrationFactory(forum=forum)
    invitation = SurveyInvitation.objects.create(survey=survey, registration=registration, email=registration.email)

    context = browser.new_context(locale="ar-SA", java_script_enabled=False, is_mobile=True, has_touch=True,
                                  viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/surveys/s/{invitation.token}/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        # Phone-first: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator(f"[data-testid=question-{nps.pk}] label", has_text="9").click()
        page.fill(f"textarea[name=q{notes.pk}]", "التنظيم ممتاز والقاعة مزدحمة")
        page.click("[data-testid=survey-submit]")  # the rating is missing

        expect(page.locator(f"[data-testid=error-q{rating.pk}]")).to_be_visible()
        assert page.locator(f"input[name=q{nps.pk}][value='9']").is_checked()
        assert page.input_value(f"textarea[name=q{notes.pk}]") == "التنظيم ممتاز والقاعة مزدحمة"
        page.screenshot(path=str(artifacts_dir / "survey-phone-refused.png"), full_page=True)

        page.locator(f"[data-testid=question-{rating.pk}] label", has_text="4").click()
        page.click("[data-testid=survey-submit]")
        expect(page.locator("[data-testid=survey-done]")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "survey-phone-done.png"), full_page=True)
    finally:
        context.close()
    response = SurveyResponse.objects.get(survey=survey)
    assert sorted(SurveyAnswer.objects.filter(response=response).values_list("question_id", "number", "text")) == \
        sorted([(rating.pk, 4, ""), (nps.pk, 9, ""), (notes.pk, None, "التنظيم ممتاز والقاعة مزدحمة")])
