"""Issuing, verifying, correcting and revoking certificates, and who may do what with them."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from certificates import rendering, selectors, services
from certificates.models import CODE_LENGTH, Certificate, Kind, code_grouped
from forum.errors import DomainError, PermissionDenied
from forum.mailing.models import OutgoingMessage
from tests.factories import PersonFactory, SessionFactory, SessionRoleFactory, TeamMemberFactory, UserFactory
from tests.registration.badges.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(forum):
    return TeamMemberFactory(forum=forum, role="editor").user


def _qr_texts(pdf_bytes: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        image = document[0].render(scale=3).to_pil().convert("L")
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def _pdf_text(pdf_bytes: bytes) -> str:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()


def test_qr_in_the_certificate_pdf_leads_to_a_page_that_names_the_holder(forum, organizer, client, settings):
    registration = RegistrationFactory(forum=forum, honorific="engineer", full_name_ar="طارق بن حسن العمري",
                                       full_name_en="Tariq Hassan Alamri")
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer,
                                      hours=Decimal("6"))
    pdf = rendering.certificate_pdf(certificate=cert)
    [url] = _qr_texts(pdf)
    assert url == f"{settings.SITE_URL}/certificates/v/{cert.code}/"
    page = client.get(url.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert "المهندس طارق بن حسن العمري" in html and "Eng. Tariq Hassan Alamri" in html
    assert 'data-status="valid"' in html
    assert forum.title_ar in html and forum.title_en in html
    text = _pdf_text(pdf)
    assert code_grouped(cert.code) in text  # the short code under the QR


def test_codes_are_128_bit_random_and_distinct(forum, organizer):
    registrations = RegistrationFactory.create_batch(5, forum=forum)
    codes = {services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=r, by=organizer).code
             for r in registrations}
    assert len(codes) == 5
    assert all(re.fullmatch(rf"[A-Z2-7]{{{CODE_LENGTH}}}", c) for c in codes)


def test_invented_code_gives_404_and_typed_code_is_forgiven(forum, organizer, client):
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=RegistrationFactory(forum=forum),
                                      by=organizer)
    assert client.get("/certificates/v/AAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    assert client.get("/certificates/v/not-a-code/").status_code == 404
    assert client.get("/api/v1/certificates/verify/AAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    typed = cert.short_code.lower()
    assert client.get(reverse("certificates:verify", args=[typed])).status_code == 200
    form = client.get(reverse("certificates:verify_form"), {"code": typed})
    assert form.status_code == 302 and form["Location"].endswith(f"/v/{cert.code}/")


def test_revoked_certificate_says_revoked_with_its_date_at_once(forum, organizer, client):
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=RegistrationFactory(forum=forum),
                                      by=organizer)
    first = client.get(reverse("certificates:verify", args=[cert.code]))
    assert 'data-status="valid"' in first.content.decode()
    revoked = services.certificate_revoke(certificate=cert, by=organizer, reason="issued by mistake")
    # The page is cacheable but revalidated: the old ETag no longer matches, so the change shows at once.
    again = client.get(reverse("certificates:verify", args=[cert.code]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    html = again.content.decode()
    assert 'data-status="revoked"' in html
    day = revoked.revoked_at.date()
    assert f"This certificate was revoked on {day.day}" in html and "مُلغاة" in html
    assert client.get(reverse("certificates:download", args=[cert.code])).status_code == 302
    assert client.get(f"/api/v1/certificates/verify/{cert.code}/").json()["revoked"] is True


def test_verification_page_is_cacheable_constant_queries_and_answers_304(forum, organizer, client,
                                                                         django_assert_num_queries):
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=RegistrationFactory(forum=forum),
                                      by=organizer)
    url = reverse("certificates:verify", args=[cert.code])
    with django_assert_num_queries(1):
        response = client.get(url)
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_verification_reveals_only_what_the_certificate_states(forum, organizer, client):
    registration = RegistrationFactory(forum=forum, email="private@example.org", phone="+966500000000")
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    for response in (client.get(reverse("certificates:verify", args=[cert.code])),
                     client.get(f"/api/v1/certificates/verify/{cert.code}/")):
        body = response.content.decode()
        assert "private@example.org" not in body and "+966500000000" not in body
        assert registration.reference not in body


def test_draft_forum_certificates_are_not_verifiable_outside_the_team(draft_forum, client):
    owner = TeamMemberFactory(forum=draft_forum, role="owner").user
    cert = services.certificate_issue(forum=draft_forum, kind=Kind.PARTICIPATION, holder=PersonFactory(),
                                      by=owner)
    assert client.get(reverse("certificates:verify", args=[cert.code])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("certificates:verify", args=[cert.code])).status_code == 200


def test_issuing_twice_gives_the_same_certificate_and_one_email(forum, organizer):
    registration = RegistrationFactory(forum=forum)
    first = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    second = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    assert first.pk == second.pk
    messages = OutgoingMessage.objects.filter(kind="certificate_issued", to=registration.email)
    assert messages.count() == 1
    assert first.code in messages.get().text_body


def test_correcting_a_name_reissues_under_a_new_code_and_revokes_the_old(forum, organizer, client):
    registration = RegistrationFactory(forum=forum, full_name_ar="محمد العمرى")
    old = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    new = services.certificate_correct(certificate=old, by=organizer, name_ar="محمد العمري")
    old.refresh_from_db()
    assert new.code != old.code and new.name_ar == "محمد العمري"
    assert old.is_revoked and old.replaced_by_id == new.pk
    html = client.get(reverse("certificates:verify", args=[old.code])).content.decode()
    assert 'data-status="revoked"' in html and reverse("certificates:verify", args=[new.code]) in html
    assert Certificate.objects.filter(subject=old.subject, revoked_at__isnull=True).get().pk == new.pk


def test_holder_with_a_name_in_one_language_only_falls_back_to_the_other(forum, organizer):
    arabic_only = services.certificate_issue(forum=forum, kind=Kind.PARTICIPATION,
                                             holder=PersonFactory(full_name_en=""), by=organizer)
    assert arabic_only.name_en == arabic_only.name_ar
    english_only = RegistrationFactory(forum=forum, full_name_ar="", full_name_en="John Smith")
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=english_only, by=organizer)
    assert cert.name_ar == "John Smith"
    with pytest.raises(DomainError) as caught:
        services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE,
                                   holder=RegistrationFactory(forum=forum, full_name_ar="", full_name_en=""),
                                   by=organizer)
    assert "name_ar" in caught.value.errors


def test_long_names_shrink_onto_one_line(forum, organizer):
    name = "صاحب السمو الملكي الأمير عبدالعزيز بن سلمان بن عبدالعزيز بن عبدالرحمن بن فيصل بن تركي آل سعود " * 2
    cert = services.certificate_issue(forum=forum, kind=Kind.PARTICIPATION,
                                      holder=PersonFactory(full_name_ar=name.strip()), by=organizer)
    pdf = rendering.CertificatePDF()
    pdf.certificate(cert, rendering.look_for(forum=forum, kind=cert.kind), forum_lines=rendering.forum_lines(forum))
    pdf.set_font("naskh", "B", 28)
    assert pdf.get_string_width(cert.display_name_ar) > rendering.PAGE[0] - 60  # would overflow at full size
    data = bytes(pdf.output())
    assert len(_qr_texts(data)) == 1  # the QR is still clear of the text


def test_appreciation_names_the_role_the_session_and_the_paper(forum, organizer,
                                                              django_capture_on_commit_callbacks):
    from tests.factories import WorkingPaperFactory

    session = SessionFactory(forum=forum, title_ar="الجلسة الأولى", title_en="The first session")
    role = SessionRoleFactory(session=session, role="speaker")
    paper = WorkingPaperFactory(forum=forum, session=session, title_ar="تجربة 940 خدمة العملاء")
    paper.speakers.add(role.person)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(forum=forum, by=organizer, scope="session", session=session, notify=False)
    batch.refresh_from_db()
    assert batch.status == "done"
    cert = Certificate.objects.get(person=role.person)
    assert cert.kind == Kind.APPRECIATION
    assert "الجلسة الأولى" in cert.role_ar and "تجربة 940 خدمة العملاء" in cert.role_ar
    assert "The first session" in cert.role_en


def test_award_kind_is_issued_through_the_service_for_other_apps(forum, organizer):
    winner = PersonFactory()
    cert = services.certificate_issue(forum=forum, kind=Kind.AWARD, holder=winner, by=organizer,
                                      role_ar="بجائزة الموظف المتميز", role_en="the leading employee award",
                                      subject="award:7")
    other = services.certificate_issue(forum=forum, kind=Kind.AWARD, holder=winner, by=organizer,
                                       role_ar="بجائزة الموظف المبتكر", role_en="the innovative employee award",
                                       subject="award:8")
    assert cert.pk != other.pk and not Certificate.objects.get(pk=cert.pk).is_revoked
    assert "تقديرًا للفوز بجائزة الموظف المتميز" in _pdf_text(rendering.certificate_pdf(certificate=cert))


# ---- Who may do what ---------------------------------------------------------------------------------------


def test_outsider_and_viewer_may_not_issue_or_revoke(forum, outsider, viewer, organizer):
    registration = RegistrationFactory(forum=forum)
    for user in (outsider, viewer, None):
        with pytest.raises(PermissionDenied):
            services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=user)
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    for user in (outsider, viewer):
        with pytest.raises(PermissionDenied):
            services.certificate_revoke(certificate=cert, by=user)
        with pytest.raises(PermissionDenied):
            services.certificate_correct(certificate=cert, by=user, name_ar="غيره")
        with pytest.raises(PermissionDenied):
            services.batch_create(forum=forum, by=user, scope="attendees")
    cert.refresh_from_db()
    assert not cert.is_revoked


def test_outsider_refused_by_the_api_for_issuing_revoking_and_listing(forum, outsider, organizer, client_for):
    registration = RegistrationFactory(forum=forum)
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    api = client_for(outsider)
    base = f"/api/v1/forums/{forum.slug}/certificates/"
    assert api.get(base).status_code == 403
    assert api.post(base, {"kind": "attendance", "registration": registration.pk}, format="json").status_code == 403
    assert api.post(f"{base}{cert.pk}/revoke/", {}, format="json").status_code == 403
    assert api.post(f"{base}batches/", {"scope": "attendees"}, format="json").status_code == 403
    cert.refresh_from_db()
    assert not cert.is_revoked
    assert Certificate.objects.count() == 1


def test_organizer_issues_corrects_and_revokes_through_the_api(forum, organizer, client_for):
    registration = RegistrationFactory(forum=forum)
    api = client_for(organizer)
    base = f"/api/v1/forums/{forum.slug}/certificates/"
    created = api.post(base, {"kind": "attendance", "registration": registration.pk}, format="json")
    assert created.status_code == 201, created.content
    corrected = api.post(f"{base}{created.json()['id']}/correct/", {"name_en": "Tariq H. Alamri"}, format="json")
    assert corrected.status_code == 201 and corrected.json()["name_en"] == "Tariq H. Alamri"
    revoked = api.post(f"{base}{corrected.json()['id']}/revoke/", {"reason": "duplicate"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    bad = api.post(base, {"kind": "attendance"}, format="json")
    assert bad.status_code == 400 and "person" in bad.json()


def test_correcting_with_an_unknown_honorific_is_a_field_error_and_changes_nothing(forum, organizer, client_for):
    registration = RegistrationFactory(forum=forum)
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    refused = client_for(organizer).post(f"/api/v1/forums/{forum.slug}/certificates/{cert.pk}/correct/",
                                         {"honorific": "÷", "name_en": "Someone else"}, format="json")
    assert refused.status_code == 400 and "honorific" in refused.json()
    cert.refresh_from_db()
    assert cert.revoked_at is None and Certificate.objects.filter(forum=forum).count() == 1
    with pytest.raises(DomainError) as exc:
        services.certificate_correct(certificate=cert, by=organizer, honorific="not-a-title")
    assert "honorific" in exc.value.errors

def test_holders_see_only_their_own_certificates(forum, organizer, client_for, client):
    mine, theirs = UserFactory(), UserFactory()
    own = RegistrationFactory(forum=forum, user=mine)
    other = RegistrationFactory(forum=forum, user=theirs)
    own_cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=own, by=organizer)
    other_cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=other, by=organizer)
    listed = client_for(mine).get("/api/v1/certificates/mine/").json()
    assert [c["code"] for c in listed] == [own_cert.code]
    client.force_login(mine)
    page = client.get(reverse("certificates:mine")).content.decode()
    assert own_cert.code in page and other_cert.code not in page


def test_registration_page_shows_the_certificate_or_why_not_yet(forum, organizer, client):
    registration = RegistrationFactory(forum=forum)
    with translation.override("en"):
        page = client.get(reverse("registration:detail", args=[registration.access_token]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="eligibility"' in page.content.decode()
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=registration, by=organizer)
    page = client.get(reverse("registration:detail", args=[registration.access_token]))
    assert cert.code in page.content.decode()


def test_portal_lists_the_speakers_certificates(forum, organizer, client):
    from speakers import services as speaker_services

    session = SessionFactory(forum=forum)
    person = PersonFactory()
    invitation = speaker_services.invitation_create(forum=forum, session=session, person=person,
                                                    invited_by=organizer)
    user = speaker_services.portal_user_for_invitation(invitation=invitation)
    cert = services.certificate_issue(forum=forum, kind=Kind.APPRECIATION, holder=person, by=organizer,
                                      session=session, role_ar="بصفة متحدث", role_en="as speaker")
    client.force_login(user)
    assert cert.code in client.get(reverse("speakers:portal")).content.decode()


# ---- Designs ----------------------------------------------------------------------------------------------


def _png(size=(300, 200)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (250, 245, 230)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_design_with_an_image_background_and_signatories_prints_them(forum, organizer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.certificate_design_save(
        forum=forum, kind=Kind.ATTENDANCE, by=organizer,
        background=SimpleUploadedFile("frame.png", _png(), content_type="image/png"),
        signatories=[{"honorific": "excellency", "name_ar": "أسامة بن فضل البار", "name_en": "Osama Albar",
                      "title_ar": "أمين العاصمة المقدسة", "title_en": "Mayor of Makkah",
                      "signature": SimpleUploadedFile("sig.png", _png((120, 40)))}],
    )
    cert = services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, holder=RegistrationFactory(forum=forum),
                                      by=organizer)
    pdf = rendering.certificate_pdf(certificate=cert)
    text = _pdf_text(pdf)
    assert "Osama Albar" in text and "Mayor of Makkah" in text
    assert len(_qr_texts(pdf)) == 1


def test_design_with_a_pdf_background_lays_it_under_the_page(forum, organizer):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from fpdf import FPDF

    back = FPDF(orientation="L", format="A4")
    back.add_page()
    back.set_font("helvetica", size=30)
    back.text(20, 30, "BACKGROUND-MARK")
    services.certificate_design_save(forum=forum, kind=Kind.PARTICIPATION, by=organizer,
                                     background=SimpleUploadedFile("frame.pdf", bytes(back.output())))
    cert = services.certificate_issue(forum=forum, kind=Kind.PARTICIPATION, holder=PersonFactory(), by=organizer)
    pdf = rendering.certificate_pdf(certificate=cert)
    text = _pdf_text(pdf)
    assert "BACKGROUND-MARK" in text and cert.name_en in text
    assert len(_qr_texts(pdf)) == 1


@pytest.mark.parametrize("content, name", [
    (b"GIF89a not really", "frame.png"),
    (b"%PDF-1.4 broken", "frame.pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "frame.png"),
])
def test_unreadable_background_is_refused_with_a_clear_message(forum, organizer, content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError) as caught:
        services.certificate_design_save(forum=forum, kind=Kind.ATTENDANCE, by=organizer,
                                         background=SimpleUploadedFile(name, content))
    assert "background" in caught.value.errors


def test_oversize_background_is_refused(forum, organizer, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("frame.png", _png())
    upload.size = services.BACKGROUND_MAX_BYTES + 1
    with pytest.raises(DomainError) as caught:
        services.certificate_design_save(forum=forum, kind=Kind.ATTENDANCE, by=organizer, background=upload)
    assert caught.value.code == "too_large"


def test_preview_shows_a_sample_holder_and_stores_nothing(forum, organizer, client):
    client.force_login(organizer)
    response = client.get(reverse("certificates:preview", args=[forum.slug, "appreciation"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Al-Qahtani" in _pdf_text(response.content)
    assert not Certificate.objects.exists()


def test_manage_page_lists_below_threshold_with_the_reason(forum, organizer, client):
    from certificates.models import CertificateSettings

    services.certificate_settings_update(forum=forum, by=organizer, rule=CertificateSettings.Rule.SESSIONS,
                                         min_sessions=3)
    registration = RegistrationFactory(forum=forum)
    client.force_login(organizer)
    with translation.override("en"):
        html = client.get(reverse("certificates:manage", args=[forum.slug])).content.decode()
    assert registration.full_name_ar in html and "Attended 0 of the required 3 sessions." in html
    assert selectors.eligibility_for_forum(forum=forum)[0].eligible is False
