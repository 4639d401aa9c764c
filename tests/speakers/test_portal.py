import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from forum.mailing.models import OutgoingMessage
from sessions.models import SessionRole
from speakers import services
from speakers.models import Invitation, PaperFile
from tests.factories import (
    PersonFactory,
    SessionFactory,
    SessionRoleFactory,
    TeamMemberFactory,
    UserFactory,
    WorkingPaperFactory,
)
from tests.speakers import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_speakers(forum):
    """Speakers A and B in the same session, each with a paper and an uploaded version."""
    session = SessionFactory(forum=forum)
    out = {"session": session}
    for key in ("a", "b"):
        user = UserFactory()
        person = PersonFactory(user=user)
        SessionRoleFactory(session=session, person=person, role=SessionRole.Role.SPEAKER)
        paper = WorkingPaperFactory(forum=forum, session=session)
        paper.speakers.add(person)
        stored = services.paper_file_upload(paper=paper, user=user, upload=files.upload(f"{key}.pdf", files.pdf_bytes()))
        out[key] = {"user": user, "person": person, "paper": paper, "file": stored}
    return out


def test_speaker_a_cannot_see_replace_or_delete_b_files(client, client_for, forum, two_speakers):
    a, b = two_speakers["a"], two_speakers["b"]
    client.force_login(a["user"])
    assert client.get(reverse("speakers:paper", args=[a["paper"].pk])).status_code == 200
    assert client.get(reverse("speakers:file_download", args=[a["file"].pk])).status_code == 200
    # B's paper page, B's file, and replacing B's file: all refused without confirming they exist.
    assert client.get(reverse("speakers:paper", args=[b["paper"].pk])).status_code == 404
    assert client.get(reverse("speakers:file_download", args=[b["file"].pk])).status_code == 404
    response = client.post(reverse("speakers:paper", args=[b["paper"].pk]),
                           {"role": "paper", "file": files.upload("x.pdf", files.pdf_bytes())})
    assert response.status_code == 404
    api = client_for(a["user"])
    base = f"/api/v1/forums/{forum.slug}/papers/"
    assert [p["id"] for p in api.get(base).json()["results"]] == [a["paper"].pk]
    assert api.get(f"{base}{b['paper'].pk}/").status_code == 404
    upload = api.post(f"{base}{b['paper'].pk}/files/", {"file": files.upload("x.pdf", files.pdf_bytes())},
                      format="multipart")
    assert upload.status_code == 404
    assert api.delete(f"{base}{b['paper'].pk}/").status_code in (404, 405)
    assert api.get(f"{base}{b['paper'].pk}/reviews/").status_code == 404
    assert PaperFile.objects.filter(paper=b["paper"]).count() == 1


def test_outsider_and_anonymous_refused_every_paper_file(client, two_speakers, outsider):
    stored = two_speakers["a"]["file"]
    paper = two_speakers["a"]["paper"]
    anonymous = client.get(reverse("speakers:file_download", args=[stored.pk]))
    assert anonymous.status_code == 404
    assert client.get(reverse("speakers:paper", args=[paper.pk])).status_code == 302  # to sign in
    client.force_login(outsider)
    assert client.get(reverse("speakers:file_download", args=[stored.pk])).status_code == 404
    assert client.get(reverse("speakers:paper", args=[paper.pk])).status_code == 404
    assert client.get(reverse("speakers:paper_download", args=[paper.pk])).status_code == 404


def test_chair_sees_papers_of_the_session_they_chair(client, forum, two_speakers, outsider):
    chair_user = UserFactory()
    chair = PersonFactory(user=chair_user)
    SessionRoleFactory(session=two_speakers["session"], person=chair, role=SessionRole.Role.CHAIR)
    client.force_login(chair_user)
    page = client.get(reverse("speakers:portal")).content.decode()
    assert two_speakers["a"]["paper"].title_ar in page and two_speakers["b"]["paper"].title_ar in page
    assert client.get(reverse("speakers:file_download", args=[two_speakers["b"]["file"].pk])).status_code == 200
    # A chair reads but does not replace.
    response = client.post(reverse("speakers:paper", args=[two_speakers["b"]["paper"].pk]),
                           {"role": "paper", "file": files.upload("x.pdf", files.pdf_bytes())})
    assert response.status_code == 403
    # The chair of another session sees nothing of these.
    other_chair_user = UserFactory()
    SessionRoleFactory(session=SessionFactory(forum=forum), person=PersonFactory(user=other_chair_user),
                       role=SessionRole.Role.CHAIR)
    client.force_login(other_chair_user)
    assert client.get(reverse("speakers:file_download", args=[two_speakers["b"]["file"].pk])).status_code == 404


def test_upload_through_the_page_adds_versions_and_shows_errors(client, two_speakers):
    a = two_speakers["a"]
    client.force_login(a["user"])
    url = reverse("speakers:paper", args=[a["paper"].pk])
    response = client.post(url, {"role": "paper", "file": files.upload("v2.docx", files.docx_bytes())})
    assert response.status_code == 302
    refused = client.post("/en" + url, {"role": "paper", "file": files.upload("v3.pdf", files.encrypted_pdf_bytes())})
    assert refused.status_code == 400
    assert "password" in refused.content.decode()
    page = client.get(url).content.decode()
    assert 'data-version="2"' in page and 'data-version="1"' in page and 'data-version="3"' not in page
    slides = client.post(url, {"role": "slides", "file": files.upload("s.pptx", files.pptx_bytes())})
    assert slides.status_code == 302
    assert list(PaperFile.objects.filter(paper=a["paper"]).values_list("role", "version")) == [
        ("paper", 2), ("paper", 1), ("slides", 1)]


def test_private_download_is_attachment_with_real_type(client, two_speakers):
    a = two_speakers["a"]
    client.force_login(a["user"])
    response = client.get(reverse("speakers:file_download", args=[a["file"].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_my_sessions_show_time_hall_co_speakers_and_chair_with_ics(client, forum, two_speakers):
    chair = PersonFactory(full_name_ar="رئيس الجلسة التجريبي")
    SessionRoleFactory(session=two_speakers["session"], person=chair, role=SessionRole.Role.CHAIR)
    client.force_login(two_speakers["a"]["user"])
    page = client.get(reverse("speakers:portal")).content.decode()
    session = two_speakers["session"]
    assert session.title_ar in page and session.hall.name_ar in page
    assert "رئيس الجلسة التجريبي" in page
    assert two_speakers["b"]["person"].full_name_ar in page
    assert "١٠:٠٠" in page  # the visitor's digits, as on the public agenda
    ics = client.get(reverse("speakers:session_ics", args=[session.pk]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body and "Asia/Riyadh" in body
    # Someone else's session is not offered.
    other = SessionFactory(forum=forum)
    assert client.get(reverse("speakers:session_ics", args=[other.pk])).status_code == 404


def test_profile_photo_reencoded_without_metadata_with_thumbnail(client, two_speakers):
    a = two_speakers["a"]
    client.force_login(a["user"])
    data = files.png_bytes(size=(1600, 1200), fmt="JPEG", exif=True)
    assert b"SecretCamera" in data
    response = client.post(reverse("speakers:profile"), {
        "honorific": "doctor", "academic_title": "", "full_name_ar": "سارة الأحمد", "full_name_en": "Sara Alahmad",
        "position_ar": "مديرة الجودة", "position_en": "Quality director", "organization_name": "أمانة جدة",
        "bio_ar": "نبذة", "bio_en": "Bio", "photo": files.upload("me.jpg", data, "image/jpeg"),
    })
    assert response.status_code == 302
    person = a["person"]
    person.refresh_from_db()
    assert person.full_name_en == "Sara Alahmad" and person.organization.name_ar == "أمانة جدة"
    stored = person.photo.read()
    assert b"SecretCamera" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) <= 1200 and not image.getexif()
    with Image.open(person.photo_thumbnail.thumbnail.path) as thumb:
        assert max(thumb.size) <= 200


@pytest.mark.parametrize(("name", "data"), [
    ("me.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("me.jpg", b"not an image at all"),
    ("me.pdf", files.pdf_bytes()),
])
def test_profile_photo_other_kinds_refused(client, two_speakers, name, data):
    a = two_speakers["a"]
    client.force_login(a["user"])
    response = client.post(reverse("speakers:profile"), {
        "full_name_ar": "اسم", "photo": files.upload(name, data, "image/jpeg"),
    })
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    a["person"].refresh_from_db()
    assert not a["person"].photo


def test_portal_says_plainly_when_deadline_passed(client, two_speakers):
    from tests.speakers.factories import PaperSettingsFactory

    a = two_speakers["a"]
    PaperSettingsFactory(forum=a["paper"].forum, deadline=timezone.now() - timezone.timedelta(days=1))
    client.force_login(a["user"])
    page = client.get("/en" + reverse("speakers:paper", args=[a["paper"].pk])).content.decode()
    assert "The deadline passed" in page and "extension" in page


# -- organizers' dashboard ---------------------------------------------------------------------------


@pytest.fixture
def invited(forum):
    session = SessionFactory(forum=forum)
    people = [PersonFactory() for _ in range(3)]
    invitations = [services.invitation_create(forum=forum, session=session, person=p) for p in people]
    services.invitation_respond(invitation=invitations[0], person=people[0], accept=True)
    services.invitation_respond(invitation=invitations[1], person=people[1], accept=True)
    user = UserFactory()
    people[1].user = user
    people[1].save()
    services.paper_file_upload(paper=invitations[1].paper, user=user, upload=files.upload("p.pdf", files.pdf_bytes()))
    return {"session": session, "people": people, "invitations": invitations}


def test_dashboard_shows_who_accepted_uploaded_and_what_is_missing(client, forum, invited, viewer,
                                                                   django_assert_max_num_queries):
    client.force_login(viewer)
    with django_assert_max_num_queries(25):
        response = client.get("/en" + reverse("speakers:manage", args=[forum.slug]))
    assert response.status_code == 200
    statuses = response.context["statuses"]
    parts = {p.person.pk: p for p in statuses[0].parts}
    first, second, third = invited["people"]
    assert parts[first.pk].missing == ["paper"]
    assert parts[second.pk].missing == [] and parts[second.pk].has_paper_file
    assert parts[third.pk].missing == ["no reply", "paper"]
    assert b"remind-all" not in response.content  # viewers read, they do not act


def test_dashboard_query_count_does_not_grow_with_sessions(client, forum, invited, owner,
                                                           django_assert_max_num_queries):
    for _ in range(5):
        session = SessionFactory(forum=forum)
        services.invitation_create(forum=forum, session=session, person=PersonFactory())
    client.force_login(owner)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("speakers:manage", args=[forum.slug])).status_code == 200


def test_reminder_goes_to_everyone_missing_something_once(client, forum, invited, owner):
    client.force_login(owner)
    before = OutgoingMessage.objects.filter(kind="speakers.reminder").count()
    response = client.post(reverse("speakers:manage_remind", args=[forum.slug]))
    assert response.status_code == 302
    reminders = OutgoingMessage.objects.filter(kind="speakers.reminder").order_by("to")
    first, second, third = invited["people"]
    assert before == 0
    assert sorted(m.to for m in reminders) == sorted([first.email, third.email])
    body = reminders.get(to=third.email).text_body
    assert "ورقة العمل" in body and "the working paper" in body and "a reply to the invitation" in body


def test_dashboard_and_reminders_refused_to_outsider_and_viewer(client, forum, invited, outsider, viewer):
    client.force_login(outsider)
    assert client.get(reverse("speakers:manage", args=[forum.slug])).status_code == 404
    assert client.post(reverse("speakers:manage_remind", args=[forum.slug])).status_code == 404
    client.force_login(viewer)
    assert client.post(reverse("speakers:manage_remind", args=[forum.slug])).status_code == 403
    assert not OutgoingMessage.objects.filter(kind="speakers.reminder").exists()


def test_invite_from_dashboard_by_editor(client, forum, editor):
    session = SessionFactory(forum=forum)
    person = PersonFactory(created_by_forum=forum)
    client.force_login(editor)
    response = client.post(reverse("speakers:manage", args=[forum.slug]), {
        "invite-session": session.pk, "invite-person": person.pk, "invite-role": "panelist",
        "invite-paper_title_ar": "", "invite-paper_title_en": "", "invite-message": "",
    })
    assert response.status_code == 302
    invitation = Invitation.objects.get(person=person)
    assert invitation.role == "panelist" and invitation.invited_by == editor


def test_invite_form_lists_only_the_teams_people_and_finds_others_by_exact_email(client, forum, editor):
    session = SessionFactory(forum=forum)
    mine = PersonFactory(created_by_forum=forum, full_name_ar="من فريقنا")
    elsewhere = SessionRoleFactory(person__email="Other.Speaker@example.org", person__full_name_ar="متحدث آخر",
                                   session__forum__status="draft").person
    client.force_login(editor)
    page = client.get(reverse("speakers:manage", args=[forum.slug])).content.decode()
    assert mine.full_name_ar in page
    assert elsewhere.full_name_ar not in page and "other.speaker@example.org" not in page.lower()
    data = {"invite-session": session.pk, "invite-role": "panelist", "invite-person_email": "nobody@example.org"}
    refused = client.post(reverse("speakers:manage", args=[forum.slug]), data)
    assert refused.status_code == 200 and not Invitation.objects.exists()
    assert "Nobody in the directory has exactly this e-mail." in refused.content.decode() or refused.context[
        "invite_form"].errors["person_email"]
    data["invite-person_email"] = "other.speaker@example.org"
    assert client.post(reverse("speakers:manage", args=[forum.slug]), data).status_code == 302
    assert Invitation.objects.get().person == elsewhere
    page = client.get(reverse("speakers:manage", args=[forum.slug])).content.decode()
    assert "other.speaker@example.org" not in page.lower()  # invited, not yet taken part: no contact data


def test_settings_page_editor_saves_viewer_and_outsider_refused(client, forum, editor, viewer, outsider):
    url = reverse("speakers:manage_settings", args=[forum.slug])
    data = {"action": "settings", "deadline": "2030-01-01T12:00", "accepted_kinds": ["pdf"], "max_upload_mb": 10,
            "publication": "after"}
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(editor)
    assert client.post(url, data).status_code == 302
    forum.refresh_from_db()
    assert forum.paper_settings.accepted_kinds == ["pdf"] and forum.paper_settings.publication == "after"
    assert forum.paper_settings.deadline.astimezone(forum.tzinfo).hour == 12


def test_api_invitation_create_and_outsider_refused(client_for, forum, owner, outsider):
    session = SessionFactory(forum=forum)
    person = PersonFactory()
    url = f"/api/v1/forums/{forum.slug}/invitations/"
    assert client_for(outsider).post(url, {"session": session.pk, "person": person.pk, "role": "speaker"}).status_code == 404
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    assert client_for(viewer).post(url, {"session": session.pk, "person": person.pk}).status_code == 403
    response = client_for(owner).post(url, {"session": session.pk, "person": person.pk, "role": "speaker",
                                            "paper_title_ar": "ورقة"})
    assert response.status_code == 201, response.json()
    assert "token" not in response.json() and response.json()["paper"]
    assert client_for(viewer).get(url).json()["count"] == 1


def test_api_upload_refusal_is_a_field_level_400(client_for, two_speakers, forum):
    a = two_speakers["a"]
    url = f"/api/v1/forums/{forum.slug}/papers/{a['paper'].pk}/files/"
    response = client_for(a["user"]).post(url, {"file": files.upload("x.docx", files.docx_bytes(vba=True))},
                                          format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "macros" and response.json()["file"]
    ok = client_for(a["user"]).post(url, {"file": files.upload("x.docx", files.docx_bytes()), "role": "paper"},
                                    format="multipart")
    assert ok.status_code == 201 and ok.json()["version"] == 2


def test_portal_query_count_does_not_grow_with_papers(client, forum, django_assert_max_num_queries):
    user = UserFactory()
    person = PersonFactory(user=user)

    def add_paper():
        session = SessionFactory(forum=forum)
        SessionRoleFactory(session=session, person=person, role=SessionRole.Role.SPEAKER)
        paper = WorkingPaperFactory(forum=forum, session=session)
        paper.speakers.add(person)
        services.paper_file_upload(paper=paper, user=user, upload=files.upload("p.pdf", files.pdf_bytes()))

    add_paper()
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("speakers:portal"))
    for _ in range(4):
        add_paper()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("speakers:portal"))
    assert response.content.decode().count('data-testid="my-paper"') == 5


def test_portal_in_english_is_left_to_right_and_arabic_is_right_to_left(client, two_speakers):
    client.force_login(two_speakers["a"]["user"])
    url = reverse("speakers:portal")  # reversed in Arabic: /portal/
    english = client.get("/en" + url).content.decode()
    assert 'dir="ltr"' in english and "My working papers" in english
    arabic = client.get(url).content.decode()
    assert 'dir="rtl"' in arabic and "أوراق عملي" in arabic


def test_anonymous_portal_goes_to_the_one_sign_in_page(client):
    response = client.get(reverse("speakers:portal"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in"))
    old = client.get(reverse("speakers:sign_in"))
    assert old.status_code == 302 and old["Location"].startswith(reverse("accounts:sign_in"))


def test_oversized_page_upload_stopped_while_reading_with_clear_message(client, two_speakers, settings, tmp_path):
    from speakers.uploads import SizeLimitUploadHandler
    from tests.speakers.factories import PaperSettingsFactory

    a = two_speakers["a"]
    PaperSettingsFactory(forum=a["paper"].forum, max_upload_mb=1)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "incoming")
    (tmp_path / "incoming").mkdir()
    seen = []
    original = SizeLimitUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        seen.append(start + len(raw_data))
        return original(self, raw_data, start)

    SizeLimitUploadHandler.receive_data_chunk = spy
    try:
        client.force_login(a["user"])
        url = reverse("speakers:paper", args=[a["paper"].pk])
        big = files.pdf_bytes() + b"%" + b"0" * (3 * 1024 * 1024)
        response = client.post("/en" + url, {"role": "paper", "file": files.upload("big.pdf", big)})
    finally:
        SizeLimitUploadHandler.receive_data_chunk = original
    assert response.status_code == 400
    page = response.content.decode()
    # The real limit, not the bytes read before reading stopped (which are not the file's size).
    assert "The file is larger than the limit of 1 MB." in page
    assert not re.search(r"\(\d+\.\d MB\)", page)
    # Reading stopped just past the limit, not at the end of the 3 MB file.
    assert max(seen) < 2 * 1024 * 1024
    assert PaperFile.objects.filter(paper=a["paper"]).count() == 1
    assert list((tmp_path / "incoming").iterdir()) == []


def test_page_upload_without_csrf_token_refused(two_speakers):
    from django.test import Client

    a = two_speakers["a"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(a["user"])
    response = client.post(reverse("speakers:paper", args=[a["paper"].pk]),
                           {"role": "paper", "file": files.upload("x.pdf", files.pdf_bytes())})
    assert response.status_code == 403
    assert PaperFile.objects.filter(paper=a["paper"]).count() == 1


def test_speaker_changes_own_email_after_a_confirmation_link_with_notice_to_the_old_address(client, two_speakers):
    from django.contrib.auth import get_user_model

    a = two_speakers["a"]
    person = a["paper"].speakers.get()
    old = person.email
    client.force_login(a["user"])
    response = client.post(reverse("speakers:profile"), {"action": "email", "email": "new.me@example.org"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == old  # nothing changes before the link is opened
    confirm = OutgoingMessage.objects.get(kind="speakers.email_change")
    notice = OutgoingMessage.objects.get(kind="speakers.email_change_notice")
    assert confirm.to == "new.me@example.org" and notice.to == old
    assert confirm.forum is None and notice.forum is None
    assert "new.me@example.org" in notice.text_body and "/profile/email/" not in notice.text_body
    link = re.search(r"http://[^\s]+/portal/profile/email/[^\s]+", confirm.text_body).group(0)
    link = link.replace("http://127.0.0.1:8000", "")
    assert client.get(link).status_code == 302
    person.refresh_from_db()
    assert person.email == "new.me@example.org"
    assert get_user_model().objects.get(pk=a["user"].pk).email == "new.me@example.org"
    assert client.get(link).status_code == 403  # once


def test_email_change_to_an_address_in_use_is_refused_on_the_field(client, two_speakers):
    a, b = two_speakers["a"], two_speakers["b"]
    taken = b["paper"].speakers.get().email
    client.force_login(a["user"])
    response = client.post("/en" + reverse("speakers:profile"), {"action": "email", "email": taken.upper()})
    assert response.status_code == 400 and "already uses this e-mail" in response.content.decode()
    assert not OutgoingMessage.objects.filter(kind="speakers.email_change").exists()


def test_forged_email_change_link_is_refused(client, two_speakers):
    from django.core import signing

    a = two_speakers["a"]
    person = a["paper"].speakers.get()
    forged = signing.dumps({"p": person.pk, "old": person.email, "new": "thief@example.org"}, salt="other.purpose")
    assert client.get(reverse("speakers:email_confirm", args=[forged])).status_code == 403
    person.refresh_from_db()
    assert person.email != "thief@example.org"
