import io

import pytest
from openpyxl import load_workbook

from registration import services
from registration.models import Registration
from tests.factories import ForumFactory, TeamMemberFactory
from tests.registration.factories import QuestionFactory, RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db


def url(forum, path=""):
    return f"/api/v1/forums/{forum.slug}/{path}"


def register(rtype, **kwargs):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def test_api_register_anonymous_free(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, kind="yes_no", required=True)
    response = api_client.post(url(forum, "registrations/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k@example.org",
        "answers": {f"q{question.pk}": "yes"}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["access_token"]
    assert body["answers"] == {f"q{question.pk}": "yes"}
    own = api_client.get(f"/api/v1/registration/me/{body['access_token']}/")
    assert own.status_code == 200 and own.json()["reference"] == body["reference"]


def test_api_register_bad_input_field_errors(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum, required=True)
    response = api_client.post(url(forum, "registrations/"), {"registration_type": rtype.pk, "email": "bad"},
                               format="json")
    assert response.status_code == 400
    assert {"full_name_ar", "email"} <= set(response.json())
    response = api_client.post(url(forum, "registrations/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k@example.org"}, format="json")
    assert response.status_code == 400 and f"q{question.pk}" in response.json()
    assert not Registration.objects.exists()


def test_api_register_full_type_409(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum, capacity=1)
    register(rtype)
    response = api_client.post(url(forum, "registrations/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k2@example.org"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "full"
    join = api_client.post(url(forum, "waitlist/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k2@example.org"}, format="json")
    assert join.status_code == 201 and join.json()["status"] == "waiting"


def test_api_register_draft_forum_hidden(api_client, draft_forum):
    rtype = RegistrationTypeFactory(forum=draft_forum)
    response = api_client.post(url(draft_forum, "registrations/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k@example.org"}, format="json")
    assert response.status_code == 404


def test_api_own_registration_bad_token_404(api_client, forum):
    register(RegistrationTypeFactory(forum=forum))
    assert api_client.get("/api/v1/registration/me/not-a-token/").status_code == 404


def test_api_attendee_cannot_see_another_registration(client_for, forum, outsider):
    rtype = RegistrationTypeFactory(forum=forum)
    mine = register(rtype, email=outsider.email)
    other = register(rtype)
    client = client_for(outsider)
    assert client.get(url(forum, f"registrations/{other.pk}/")).status_code == 403
    assert client.get(url(forum, "registrations/")).status_code == 403
    own = client.get(f"/api/v1/registration/me/{mine.access_token}/").json()
    assert own["reference"] == mine.reference and own["reference"] != other.reference


def test_api_own_cancel(api_client, forum):
    registration = register(RegistrationTypeFactory(forum=forum))
    response = api_client.post(f"/api/v1/registration/me/{registration.access_token}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api_client.post(f"/api/v1/registration/me/{registration.access_token}/cancel/")
    assert again.status_code == 400


@pytest.mark.parametrize("role,allowed", [("owner", True), ("editor", True), ("viewer", False), ("checkin", False)])
def test_api_registrations_list_and_export_need_pii_role(client_for, forum, role, allowed):
    rtype = RegistrationTypeFactory(forum=forum)
    register(rtype, full_name_ar="منيرة")
    user = TeamMemberFactory(forum=forum, role=role).user
    client = client_for(user)
    listing = client.get(url(forum, "registrations/"))
    csv_export = client.get(url(forum, "registrations/export/?as=csv"))
    xlsx_export = client.get(url(forum, "registrations/export/?as=xlsx"))
    codes = client.get(url(forum, "invite-codes/export/"))
    if allowed:
        assert listing.status_code == 200 and listing.json()["count"] == 1
        assert "منيرة" in csv_export.content.decode("utf-8-sig")
        sheet = load_workbook(io.BytesIO(xlsx_export.content)).active
        assert [c.value for c in next(sheet.iter_rows())][:3] == ["reference", "status", "type"]
        assert codes.status_code == 200
    else:
        assert {listing.status_code, csv_export.status_code, xlsx_export.status_code, codes.status_code} == {403}


def test_api_viewer_sees_summary_only(client_for, forum, viewer):
    rtype = RegistrationTypeFactory(forum=forum, capacity=10)
    register(rtype)
    response = client_for(viewer).get(url(forum, "registrations/summary/"))
    assert response.status_code == 200
    assert response.json()[0]["confirmed"] == 1 and "email" not in response.json()[0]


def test_api_outsider_refused_everywhere(client_for, forum, outsider, api_client):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    registration = register(RegistrationTypeFactory(forum=forum))
    client = client_for(outsider)
    for path in ("registrations/", f"registrations/{registration.pk}/", "registrations/export/",
                 "registrations/summary/", "invite-codes/", "invite-codes/export/", "waitlist/"):
        assert client.get(url(forum, path)).status_code in (403, 404), path
    for path in (f"registrations/{registration.pk}/cancel/", f"registrations/{registration.pk}/approve/",
                 f"registrations/{registration.pk}/resend/"):
        assert client.post(url(forum, path)).status_code in (403, 404), path
    assert client.post(url(forum, "invite-codes/bulk/"), {"registration_type": rtype.pk, "count": 3}).status_code in (403, 404)
    assert client.post(url(forum, "registration-types/"), {"code": "x", "name_ar": "س"}).status_code == 403
    assert client.put(url(forum, "registration-settings/"), {"capacity": 1}).status_code == 403
    assert api_client.get(url(forum, "registrations/")).status_code in (401, 403)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_api_checkin_staff_of_forum_a_cannot_export_forum_b(client_for):
    forum_a, forum_b = ForumFactory(), ForumFactory()
    register(RegistrationTypeFactory(forum=forum_b))
    owner_a = TeamMemberFactory(forum=forum_a, role="owner").user
    assert client_for(owner_a).get(url(forum_b, "registrations/export/")).status_code == 403


def test_api_editor_approves_rejects_cancels_resends(client_for, forum, editor):
    rtype = RegistrationTypeFactory(forum=forum, requires_approval=True)
    first, second = register(rtype), register(rtype)
    client = client_for(editor)
    assert client.post(url(forum, f"registrations/{first.pk}/approve/")).json()["status"] == "confirmed"
    assert client.post(url(forum, f"registrations/{second.pk}/reject/")).json()["status"] == "rejected"
    assert client.post(url(forum, f"registrations/{first.pk}/resend/")).status_code == 200
    assert client.post(url(forum, f"registrations/{second.pk}/approve/")).status_code == 400
    assert client.post(url(forum, f"registrations/{first.pk}/cancel/")).json()["status"] == "cancelled"


def test_api_invite_codes_bulk_and_export(client_for, forum, owner):
    rtype = RegistrationTypeFactory(forum=forum, invitation=True)
    client = client_for(owner)
    response = client.post(url(forum, "invite-codes/bulk/"), {
        "registration_type": rtype.pk, "count": 10, "max_uses": 2, "expires_at": "2099-01-01T00:00:00Z"},
        format="json")
    assert response.status_code == 201 and len(response.json()["codes"]) == 10
    batch = response.json()["batch"]
    export = client.get(url(forum, f"invite-codes/export/?batch={batch}")).content.decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 11
    bad = client.post(url(forum, "invite-codes/bulk/"), {"registration_type": rtype.pk, "count": 0}, format="json")
    assert bad.status_code == 400 and "count" in bad.json()


def test_api_settings_and_type_capacity_not_below_taken(client_for, forum, editor):
    rtype = RegistrationTypeFactory(forum=forum, capacity=5)
    register(rtype)
    register(rtype)
    client = client_for(editor)
    response = client.patch(url(forum, f"registration-types/{rtype.pk}/"), {"capacity": 1}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()
    response = client.put(url(forum, "registration-settings/"), {"capacity": 1}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()
    response = client.put(url(forum, "registration-settings/"), {"capacity": 100, "hold_minutes": 45}, format="json")
    assert response.status_code == 200 and response.json()["hold_minutes"] == 45


def test_api_registration_list_query_count_flat(client_for, forum, owner, django_assert_max_num_queries):
    rtype = RegistrationTypeFactory(forum=forum)
    question = QuestionFactory(forum=forum)
    for _ in range(15):
        services.registration_create(forum=forum, registration_type=rtype,
                                     answers=services.answers_clean(questions=[question], data={f"q{question.pk}": "x"}),
                                     **person())
    client = client_for(owner)
    with django_assert_max_num_queries(8):
        response = client.get(url(forum, "registrations/"))
    assert response.json()["count"] == 15


def test_api_types_and_questions_public_read_editor_write(api_client, client_for, forum, editor):
    RegistrationTypeFactory(forum=forum, paid=True)
    listing = api_client.get(url(forum, "registration-types/")).json()
    assert listing["results"][0]["total_minor"] == 57500
    client = client_for(editor)
    bad = client.post(url(forum, "registration-questions/"), {"kind": "choice", "label_ar": "القطاع"}, format="json")
    assert bad.status_code == 400 and "choices" in bad.json()
    good = client.post(url(forum, "registration-questions/"), {
        "kind": "choice", "label_ar": "القطاع", "label_en": "Sector", "required": True,
        "choices": [{"value": "gov", "label_ar": "حكومي", "label_en": "Government"}]}, format="json")
    assert good.status_code == 201
    assert api_client.get(url(forum, "registration-questions/")).json()["count"] == 1
    paid = client.post(url(forum, "registration-types/"), {"code": "p", "name_ar": "مدفوع", "pricing": "paid"},
                       format="json")
    assert paid.status_code == 400 and "price" in paid.json()


def test_task_registrations_expire_runs_service(forum):
    from datetime import timedelta

    from django.utils import timezone

    from registration.tasks import registrations_expire_task

    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    Registration.objects.filter(pk=registration.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    assert registrations_expire_task.delay().get() == 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED


def test_api_register_multipart_with_file_answer(api_client, forum, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    rtype = RegistrationTypeFactory(forum=forum)
    letter = QuestionFactory(forum=forum, kind="file", required=True)
    phone = QuestionFactory(forum=forum, kind="phone", required=True)
    response = api_client.post(url(forum, "registrations/"), {
        "registration_type": rtype.pk, "full_name_ar": "خالد", "email": "k@example.org",
        f"q{phone.pk}": "+966501234567",
        f"q{letter.pk}": SimpleUploadedFile("letter.pdf", b"%PDF-1.4", content_type="application/pdf")},
        format="multipart")
    assert response.status_code == 201, response.content
    registration = Registration.objects.get(email="k@example.org")
    assert registration.answers.get(question=phone).value == "+966501234567"
    stored = registration.answers.get(question=letter).file
    assert stored.read() == b"%PDF-1.4"
    # Personal data: in the private storage, under a name the attendee did not choose.
    assert "letter" not in stored.name and stored.name.endswith(".pdf")
    assert (tmp_path / "private" / stored.name).exists()
    assert not (tmp_path / "media").exists()


def test_api_resend_confirmation_sends_again(client_for, forum, editor, django_capture_on_commit_callbacks):
    from forum.mailing.models import OutgoingMessage

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(RegistrationTypeFactory(forum=forum))
    assert OutgoingMessage.objects.filter(kind="registration_confirmation", to=registration.email).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(url(forum, f"registrations/{registration.pk}/resend/"))
    assert response.status_code == 200
    assert OutgoingMessage.objects.filter(kind="registration_confirmation", to=registration.email).count() == 2
