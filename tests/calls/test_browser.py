"""A submitter on a phone: from the public call page, by the e-mailed link, to the receipt."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from calls.models import Submission
from forum.mailing.models import OutgoingMessage
from tests.calls.factories import CallFactory, SubmissionTypeFactory
from tests.factories import TrackFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_submitter_from_call_page_to_receipt_on_a_phone(page, live_server, artifacts_dir):
    call = CallFactory()
    theme = TrackFactory(forum=call.forum, name_ar="التحول الرقمي", name_en="Digital transformation")
    stype = SubmissionTypeFactory(call=call, name_ar="ورقة عمل", abstract_max_words=30)
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto(live_server.url + reverse("calls:call", args=[call.forum.slug]))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "هـ" in page.locator("[data-testid=closes]").inner_text()  # Hijri beside Gregorian
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("input[name=email]", "huda@example.org")
    page.fill("input[name=name]", "هدى العتيبي")
    page.click("[data-testid=send-link]")
    page.wait_for_selector("[data-testid=link-sent]")

    body = OutgoingMessage.objects.get(kind="calls.sign_in_link", to="huda@example.org").text_body
    link = re.search(r"https?://\S+?(/calls/link/\S+?/)", body).group(1)
    page.goto(live_server.url + link)
    page.click("[data-testid=start-submission]")
    page.select_option("select[name=type]", str(stype.pk))
    page.select_option("select[name=theme]", str(theme.pk))
    page.fill("input[name=title_ar]", "أتمتة خدمات الأمانة")
    # The draft saves itself while being typed.
    page.wait_for_selector("[data-testid=autosave-status]:has-text('حُفظت المسودة')")
    assert Submission.objects.get().title_ar == "أتمتة خدمات الأمانة"
    # Over the word limit: refused with the field's message, and the draft is kept.
    page.fill("textarea[name=abstract_ar]", " ".join(["كلمة"] * 40))
    page.click("[data-testid=submit]")
    expect(page.locator(".errorlist", has_text="في الملخص 40 كلمة، والحد 30.")).to_be_visible()
    assert page.input_value("input[name=title_ar]") == "أتمتة خدمات الأمانة"
    assert Submission.objects.get().status == Submission.Status.DRAFT
    page.fill("textarea[name=abstract_ar]", "ملخص موجز عن أتمتة الخدمات البلدية.")
    page.click("[data-testid=submit]")

    page.wait_for_selector("[data-testid^=submission-]")
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    with translation.override("ar"):
        submitted = str(Submission.Status.SUBMITTED.label)
    assert page.locator(f"[data-testid=submission-{submission.pk}] [data-testid=status]").inner_text() == submitted
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir / "calls-submitted-phone.png"), full_page=True)
    receipt = OutgoingMessage.objects.get(kind="calls.receipt", to="huda@example.org")
    assert str(submission.pk) in receipt.subject and "أتمتة خدمات الأمانة" in receipt.text_body
