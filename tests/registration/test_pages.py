import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from registration import services
from registration.models import Registration, WaitlistEntry
from tests.factories import TeamMemberFactory
from tests.registration.factories import QuestionFactory, RegistrationTypeFactory, person
from tests.registration.test_payments import card_pay

pytestmark = pytest.mark.django_db


def register(rtype, **kwargs):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def form_data(rtype, **extra):
    return {"registration_type": rtype.pk, "full_name_ar": "فهد بن ناصر", "email": "fahad@example.org", **extra}


def test_register_page_arabic_and_english(client, forum):
    RegistrationTypeFactory(forum=forum, name_ar="حضور عام", name_en="General attendee")
    QuestionFactory(forum=forum, label_ar="المسمى الوظيفي", label_en="Job title")
    arabic = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert "حضور عام" in arabic and "المسمى الوظيفي" in arabic and 'dir="rtl"' in arabic
    english = client.get("/en" + reverse("registration:register", args=[forum.slug])).content.decode()
    assert "General attendee" in english and "Job title" in english and 'dir="ltr"' in english


def test_register_page_draft_forum_404(client, draft_forum):
    RegistrationTypeFactory(forum=draft_forum)
    assert client.get(reverse("registration:register", args=[draft_forum.slug])).status_code == 404


def test_register_page_free_confirms_and_shows_detail(client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, kind="yes_no", required=True)
    response = client.post(reverse("registration:register", args=[forum.slug]),
                           form_data(rtype, **{f"q{question.pk}": "yes"}))
    registration = Registration.objects.get(email="fahad@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:detail", args=[registration.access_token])
    page = client.get(response["Location"]).content.decode()
    assert registration.reference in page and 'data-status="confirmed"' in page


def test_register_page_errors_in_arabic_keep_data(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    response = client.post(reverse("registration:register", args=[forum.slug]), form_data(rtype))
    assert response.status_code == 200
    page = response.content.decode()
    assert "نوع التسجيل هذا يحتاج إلى رمز دعوة." in page and "فهد بن ناصر" in page
    assert not Registration.objects.exists()


def test_register_page_full_offers_waiting_list(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    register(rtype)
    response = client.post(reverse("registration:register", args=[forum.slug]), form_data(rtype))
    assert 'data-testid="waitlist-form"' in response.content.decode()
    joined = client.post(reverse("registration:waitlist_join", args=[forum.slug]), {
        "registration_type": rtype.pk, "full_name_ar": "فهد", "email": "fahad@example.org"})
    assert joined.status_code == 302
    assert WaitlistEntry.objects.get(email="fahad@example.org").status == WaitlistEntry.Status.WAITING


def test_paid_registration_page_flow(client, forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    response = client.post(reverse("registration:register", args=[forum.slug]), form_data(rtype))
    registration = Registration.objects.get(email="fahad@example.org")
    assert response["Location"] == reverse("registration:pay", args=[registration.access_token])
    pay_page = client.get(response["Location"]).content.decode()
    payment = registration.payment
    assert payment.client_secret in pay_page and f"{stripe_local}/js.stripe.com/v3/" in pay_page
    assert "٥٧٥٫٠٠\u00a0ر.س" in pay_page
    card_pay(payment.stripe_payment_intent_id)
    back = client.get(reverse("registration:payment_return", args=[registration.access_token]))
    assert back.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_detail_unknown_token_404(client, forum):
    register(RegistrationTypeFactory(forum=forum))
    assert client.get(reverse("registration:detail", args=["nope"])).status_code == 404


def test_attendee_cancels_own_registration(client, forum):
    registration = register(RegistrationTypeFactory(forum=forum))
    assert client.get(reverse("registration:cancel", args=[registration.access_token])).status_code == 405
    client.post(reverse("registration:cancel", args=[registration.access_token]))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_claim_page_claims_offered_seat(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    holder = register(rtype)
    entry = services.waitlist_join(forum=forum, registration_type=rtype, full_name_ar="هند", email="hind@example.org")
    services.registration_cancel(registration=holder)
    assert 'data-testid="claim"' in client.get(reverse("registration:claim", args=[entry.claim_token])).content.decode()
    response = client.post(reverse("registration:claim", args=[entry.claim_token]))
    registration = Registration.objects.get(email="hind@example.org")
    assert response["Location"] == reverse("registration:detail", args=[registration.access_token])


@pytest.mark.parametrize("role,sees_pii", [("owner", True), ("editor", True), ("viewer", False), ("checkin", False)])
def test_manage_page_personal_data_by_role(client, forum, role, sees_pii):
    register(RegistrationTypeFactory(forum=forum), full_name_ar="ريم العتيبي")
    client.force_login(TeamMemberFactory(forum=forum, role=role).user)
    page = client.get(reverse("registration:manage", args=[forum.slug]))
    assert page.status_code == 200
    assert ("ريم العتيبي" in page.content.decode()) is sees_pii
    export = client.get(reverse("registration:export", args=[forum.slug, "csv"]))
    assert export.status_code == (200 if sees_pii else 404)


def test_manage_page_outsider_and_anonymous_refused(client, forum, outsider):
    register(RegistrationTypeFactory(forum=forum))
    assert client.get(reverse("registration:manage", args=[forum.slug])).status_code == 302  # to log in
    client.force_login(outsider)
    assert client.get(reverse("registration:manage", args=[forum.slug])).status_code == 404
    assert client.get(reverse("registration:export", args=[forum.slug, "xlsx"])).status_code == 404
    assert client.get(reverse("registration:invite_codes_export", args=[forum.slug])).status_code == 404


def test_manage_export_xlsx_with_answers(client, forum, owner):
    question = QuestionFactory(forum=forum, kind="choice", label_ar="القطاع", choices=[
        {"value": "gov", "label_ar": "جهة حكومية", "label_en": "Government"}])
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=rtype, full_name_ar="=cmd|' /C calc'!A0",
                                 email="x@example.org",
                                 answers=services.answers_clean(questions=[question], data={f"q{question.pk}": "gov"}))
    client.force_login(owner)
    response = client.get(reverse("registration:export", args=[forum.slug, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "القطاع" and rows[1][-1] == "جهة حكومية"
    assert rows[1][5].startswith("'=")  # no formula injection


def test_manage_actions_editor_only(client, forum, editor, viewer):
    registration = register(RegistrationTypeFactory(forum=forum, requires_approval=True))
    url = reverse("registration:manage_action", args=[forum.slug, registration.pk, "approve"])
    client.force_login(viewer)
    assert client.post(url).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    client.force_login(editor)
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_register_page_file_question(client, forum, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, kind="file", required=True, label_ar="خطاب الترشيح")
    missing = client.post(reverse("registration:register", args=[forum.slug]), form_data(rtype))
    assert "هذا السؤال يحتاج إلى إجابة." in missing.content.decode()
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("registration:register", args=[forum.slug]), {**form_data(rtype), f"q{question.pk}": upload})
    answer = Registration.objects.get(email="fahad@example.org").answers.get(question=question)
    assert answer.file.read() == b"%PDF-1.4 test"


def test_manage_page_query_count_flat(client, forum, owner, django_assert_max_num_queries):
    rtype = RegistrationTypeFactory(forum=forum)
    for _ in range(30):
        register(rtype)
    client.force_login(owner)
    client.get(reverse("registration:manage", args=[forum.slug]))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registration:manage", args=[forum.slug]))
    assert response.content.decode().count("data-testid=\"registrations\"") == 1


def test_detail_page_hijri_beside_gregorian(client, forum):
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    page = client.get(reverse("registration:detail", args=[registration.access_token])).content.decode()
    assert "هـ" in page  # Hijri date beside the Gregorian one


def test_manage_invite_codes_batch_created_and_downloaded(client, forum, editor, viewer):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    url = reverse("registration:invite_codes_create", args=[forum.slug])
    data = {"registration_type": rtype.pk, "count": 12, "max_uses": 2, "note": "وفد الأمانة"}
    client.force_login(viewer)
    assert client.post(url, data).status_code == 404
    client.force_login(editor)
    response = client.post(url, data)
    assert response.status_code == 302 and "batch=" in response["Location"]
    csv_text = client.get(response["Location"]).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 13 and lines[1].split(",")[2] == "2"
    code = lines[1].split(",")[0]
    registration = services.registration_create(forum=forum, registration_type=rtype, invite_code=code, **person())
    assert registration.invite_code.code == code


def test_manage_action_no_open_redirect(client, forum, editor):
    registration = register(RegistrationTypeFactory(forum=forum, requires_approval=True))
    client.force_login(editor)
    response = client.post(reverse("registration:manage_action", args=[forum.slug, registration.pk, "approve"]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("registration:manage", args=[forum.slug])


def test_register_page_full_type_labelled(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1, paid=True)
    register(rtype)
    page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert "مكتمل: يمكنك الانضمام إلى قائمة الانتظار" in page
    assert "٥٧٥٫٠٠\u00a0ر.س شاملة ضريبة القيمة المضافة" in page
