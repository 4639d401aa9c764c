"""A new visitor registers for the demo forum in the browser, in Arabic, and gets the confirmation."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Forum
from forum.services import forum_open_after_last_day_set
from registration.models import Registration, RegistrationType
from tests.registration.factories import QuestionFactory, RegistrationTypeFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_register_for_demo_forum_and_open_badge(page, live_server, artifacts_dir):
    call_command("seed_demo", verbosity=0)
    forum = Forum.objects.filter(status=Forum.Status.PUBLISHED).order_by("-first_day").first()
    # The demo forums took place in 1440/2018 and so are closed; their organizers reopen one, as for a re-run.
    forum = forum_open_after_last_day_set(forum=forum, open_after_last_day=True)
    assert forum is not None
    if not RegistrationType.objects.filter(forum=forum, pricing="free", is_active=True).exists():
        RegistrationTypeFactory(forum=forum, name_ar="حضور عام", name_en="General attendee")
    question = QuestionFactory(forum=forum, kind="choice", required=True, label_ar="القطاع", label_en="Sector",
                               choices=[{"value": "gov", "label_ar": "جهة حكومية", "label_en": "Government"},
                                        {"value": "private", "label_ar": "قطاع خاص", "label_en": "Private sector"}])
    free_type = RegistrationType.objects.filter(forum=forum, pricing="free", is_active=True).first()

    page.goto(live_server.url + reverse("registration:register", args=[forum.slug]))
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator(f"input[name=registration_type][value='{free_type.pk}']").check()
    page.fill("input[name=full_name_ar]", "نورة بنت سعد القحطاني")
    page.fill("input[name=full_name_en]", "Noura Saad Alqahtani")
    page.fill("input[name=email]", "noura@example.org")
    page.fill("input[name=organization_name]", "أمانة منطقة الرياض")
    page.click("[data-testid=register-submit]")
    # The required question was left empty: the form comes back with an Arabic error and the data kept.
    expect(page.locator("text=هذا السؤال يحتاج إلى إجابة.")).to_be_visible()
    assert page.input_value("input[name=full_name_ar]") == "نورة بنت سعد القحطاني"
    page.select_option(f"select[name=q{question.pk}]", "gov")
    page.locator(f"input[name=registration_type][value='{free_type.pk}']").check()
    page.click("[data-testid=register-submit]")

    page.wait_for_selector("[data-testid=confirmed]")
    assert page.locator("[data-testid=status]").get_attribute("data-status") == "confirmed"
    page.screenshot(path=str(artifacts_dir / "registration-confirmed.png"), full_page=True)
    registration = Registration.objects.get(email="noura@example.org")
    assert registration.answers.get(question=question).value == "gov"

    # The confirmation e-mail: Arabic first, English below, badge PDF and calendar invite attached.
    confirmation = [m for m in mail.outbox if m.to == ["noura@example.org"]]
    assert len(confirmation) == 1
    body = confirmation[0].body
    assert body.index("تم تأكيد تسجيلك") < body.index("is confirmed")
    names = {a.get_filename() if hasattr(a, "get_filename") else a[0] for a in confirmation[0].attachments}
    assert {f"badge-{registration.reference}.pdf", "forum.ics"} <= names
    link = re.search(r"http\S+/registration/r/\S+/", body).group(0)
    assert registration.access_token in link

    badge = page.locator("[data-testid=badge-link]")
    expect(badge).to_be_visible()
    href = badge.get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_paid_registration_with_stripe_js(page, live_server, stripe_webhooks, artifacts_dir):
    """The pay page runs Stripe.js (localstripe's stand-in); the card needs 3-D Secure, confirmed in its dialog."""
    import stripe

    from registration import payments
    from registration.models import Payment
    from tests.factories import ForumFactory

    forum = ForumFactory()
    paid = RegistrationTypeFactory(forum=forum, paid=True)
    page.goto(live_server.url + reverse("registration:register", args=[forum.slug]))
    page.locator(f"input[name=registration_type][value='{paid.pk}']").check()
    page.fill("input[name=full_name_ar]", "سلطان بن فهد")
    page.fill("input[name=email]", "sultan@example.org")
    page.click("[data-testid=register-submit]")
    page.wait_for_selector("[data-testid=payment-form]")
    assert page.locator("[data-testid=amount]").inner_text().startswith("٥٧٥٫٠٠")
    registration = Registration.objects.get(email="sultan@example.org")
    payment = Payment.objects.get(registration=registration)  # stored before the page was shown
    # Stripe.js loads asynchronously: wait for it to mount its card element, then look at it.
    page.locator("#card-element input").first.wait_for(state="attached", timeout=15000)
    assert page.locator("#card-element input").count() >= 4

    # localstripe's Stripe.js cannot tokenise a card itself: attach a 3-D Secure test card to the intent
    # server-side, as real Stripe.js would from the card element, so the payment waits for authentication.
    payments._configure()
    method = stripe.PaymentMethod.create(type="card", card={"number": "4000002500003155", "exp_month": 12,
                                                            "exp_year": 2030, "cvc": "123"})
    stripe.PaymentIntent.modify(payment.stripe_payment_intent_id, payment_method=method["id"])
    assert stripe.PaymentIntent.confirm(payment.stripe_payment_intent_id)["status"] == "requires_action"

    page.click("[data-testid=pay-submit]")
    page.click("text=Complete authentication")
    page.wait_for_selector("[data-testid=confirmed]")
    page.screenshot(path=str(artifacts_dir / "registration-paid-confirmed.png"), full_page=True)
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert payment.status == Payment.Status.SUCCEEDED
