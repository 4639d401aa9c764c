import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from registration.badges import services
from registration.badges.models import Admission, BulkPrintJob, Checkpoint
from tests.factories import TeamMemberFactory, UserFactory

from .factories import RegistrationFactory, forum_today

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_badge_page_shows_own_badge_with_qr_and_pdf_link(client):
    registration = RegistrationFactory()
    response = client.get(reverse("registration:badges:badge", args=[registration.access_token]))
    assert response.status_code == 200
    badge = registration.badges.get()
    html = response.content.decode()
    assert registration.full_name_ar in html and f'data-token="{badge.token}"' in html
    assert reverse("registration:badges:badge_pdf", args=[registration.access_token]) in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_badge_pdf_download_is_the_attendees_own(client):
    mine, theirs = RegistrationFactory(), RegistrationFactory()
    response = client.get(reverse("registration:badges:badge_pdf", args=[mine.access_token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert mine.full_name_en in text and theirs.full_name_en not in text


def test_attendee_cannot_fetch_another_badge_by_reference_or_id(client):
    theirs = RegistrationFactory()
    near_miss = theirs.access_token[:-1] + ("x" if theirs.access_token[-1] != "x" else "y")
    for guess in (theirs.reference, str(theirs.pk), near_miss):
        assert client.get(reverse("registration:badges:badge", args=[guess])).status_code == 404
        assert client.get(reverse("registration:badges:badge_pdf", args=[guess])).status_code == 404


def test_badge_page_of_pending_registration_has_no_badge(client):
    registration = RegistrationFactory(status="pending", confirmed_at=None)
    response = client.get(reverse("registration:badges:badge", args=[registration.access_token]))
    assert response.status_code == 200 and 'data-testid="no-badge"' in response.content.decode()
    assert client.get(reverse("registration:badges:badge_pdf", args=[registration.access_token])).status_code == 404


def test_badge_png_download(client):
    registration = RegistrationFactory()
    response = client.get(reverse("registration:badges:badge_png", args=[registration.access_token]))
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_scanner_page_for_checkin_staff_only():
    forum = forum_today()
    url = reverse("registration:badges:scanner", args=[forum.slug])
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    response = logged_in(staff).get(url)
    assert response.status_code == 200
    assert 'data-testid="scanner-input"' in response.content.decode()
    assert Checkpoint.objects.filter(forum=forum, kind="door").exists()
    assert logged_in(TeamMemberFactory(forum=forum, role="viewer").user).get(url).status_code == 403
    assert logged_in(UserFactory()).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_attendance_dashboard_counts_admitted_against_registered():
    forum = forum_today()
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    registrations = [RegistrationFactory(forum=forum) for _ in range(3)]
    services.check_in_badge(token=services.badge_issue(registration=registrations[0]).token, checkpoint=door, staff=staff)
    viewer = TeamMemberFactory(forum=forum, role="viewer").user
    response = logged_in(viewer).get(reverse("registration:badges:attendance", args=[forum.slug]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary["registered"], summary["admitted"]) == (3, 1)
    assert summary["by_category"][0]["percent"] == 33
    assert sum(row["admitted"] for row in summary["over_time"]) == 1
    assert logged_in(UserFactory()).get(reverse("registration:badges:attendance", args=[forum.slug])).status_code == 403
    api = reverse("badges-api:attendance", kwargs={"forum_slug": forum.slug})
    assert logged_in(viewer).get(api).json()["admitted"] == 1
    assert Admission.objects.count() == 1


@pytest.mark.parametrize("count, pages", [(1, 1), (9, 1), (10, 2), (20, 3)])
def test_bulk_print_pages_for_n_badges(count, pages, client_for, django_capture_on_commit_callbacks):
    forum = forum_today()
    owner = TeamMemberFactory(forum=forum, role="owner").user
    for _ in range(count):
        RegistrationFactory(forum=forum)
    RegistrationFactory(forum=forum, status="cancelled", confirmed_at=None)  # not printed
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(reverse("badges-api:print-jobs", kwargs={"forum_slug": forum.slug}),
                                          {"order_by": "name"}, format="json")
    assert response.status_code == 202
    job = BulkPrintJob.objects.get(pk=response.json()["id"])  # Celery is eager in tests
    assert job.status == "done" and (job.done, job.total) == (count, count)
    reader = PdfReader(job.file.open("rb"))
    assert len(reader.pages) == pages
    page = reader.pages[0]
    assert (round(float(page.mediabox.width) * 25.4 / 72), round(float(page.mediabox.height) * 25.4 / 72)) == (210, 297)
    download = logged_in(owner).get(reverse("registration:badges:print_file", args=[forum.slug, job.pk]))
    assert download.status_code == 200


def test_bulk_print_parts_are_joined(monkeypatch):
    from registration.badges import rendering

    monkeypatch.setattr(rendering, "PART_BADGES", 9)
    forum = forum_today()
    for _ in range(20):
        RegistrationFactory(forum=forum)
    out = io.BytesIO()
    from registration.badges.selectors import print_registrations

    assert services.badges_sheet_write(forum=forum, registrations=print_registrations(forum=forum), out=out) == 20
    assert len(PdfReader(io.BytesIO(out.getvalue())).pages) == 3


def test_bulk_print_refused_to_viewer_and_outsider(client_for):
    forum = forum_today()
    url = reverse("badges-api:print-jobs", kwargs={"forum_slug": forum.slug})
    for user in (TeamMemberFactory(forum=forum, role="viewer").user, TeamMemberFactory(forum=forum, role="checkin").user,
                 UserFactory()):
        assert client_for(user).post(url, {}, format="json").status_code == 403
    assert BulkPrintJob.objects.count() == 0


def test_badge_reissue_api_for_organizers(client_for):
    forum = forum_today()
    registration = RegistrationFactory(forum=forum)
    old = services.badge_issue(registration=registration)
    url = reverse("badges-api:badge-reissue", kwargs={"forum_slug": forum.slug, "registration_id": registration.pk})
    assert client_for(TeamMemberFactory(forum=forum, role="checkin").user).post(url).status_code == 403
    assert client_for(UserFactory()).post(url).status_code == 403
    response = client_for(TeamMemberFactory(forum=forum, role="editor").user).post(url)
    assert response.status_code == 201
    old.refresh_from_db()
    assert old.is_revoked and response.json()["token"] != old.token


def test_print_page_starts_a_job_and_shows_progress(django_capture_on_commit_callbacks):
    forum = forum_today()
    editor = TeamMemberFactory(forum=forum, role="editor").user
    RegistrationFactory(forum=forum)
    url = reverse("registration:badges:print", args=[forum.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(editor).post(url, {"order_by": "organization", "category": "general"})
    assert response.status_code == 302
    job = BulkPrintJob.objects.get()
    assert (job.status, job.done, job.filters) == ("done", 1, {"category": "general"})
    page = logged_in(editor).get(url).content.decode()
    assert reverse("registration:badges:print_file", args=[forum.slug, job.pk]) in page
    assert logged_in(TeamMemberFactory(forum=forum, role="checkin").user).get(url).status_code == 403
    assert logged_in(UserFactory()).get(url).status_code == 403


def test_print_page_unknown_sort_is_a_form_error():
    forum = forum_today()
    editor = TeamMemberFactory(forum=forum, role="editor").user
    response = logged_in(editor).post(reverse("registration:badges:print", args=[forum.slug]), {"order_by": "age"})
    assert response.status_code == 200 and response.context["error"]
    assert BulkPrintJob.objects.count() == 0


def test_revocation_list_includes_badges_of_cancelled_registrations(client_for):
    forum = forum_today()
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    kept = services.badge_issue(registration=RegistrationFactory(forum=forum))
    gone = services.badge_issue(registration=RegistrationFactory(forum=forum))
    type(gone.registration).objects.filter(pk=gone.registration_id).update(status="cancelled", cancelled_at=gone.issued_at)
    body = client_for(staff).get(reverse("badges-api:revocations", kwargs={"forum_slug": forum.slug})).json()
    assert body["revoked_badges"] == [gone.pk] and kept.pk not in body["revoked_badges"]


def test_checkpoint_create_for_organizers_only(client_for):
    from tests.factories import SessionFactory

    forum = forum_today()
    url = reverse("badges-api:counters", kwargs={"forum_slug": forum.slug})
    editor = TeamMemberFactory(forum=forum, role="editor").user
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    response = client_for(editor).post(url, {"name_ar": "بوابة كبار الشخصيات", "name_en": "VIP gate"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "door"
    assert client_for(staff).post(url, {"name_ar": "بوابة ٢"}, format="json").status_code == 403
    assert client_for(UserFactory()).get(url).status_code == 403
    duplicate = client_for(editor).post(url, {"name_ar": "بوابة كبار الشخصيات"}, format="json")
    assert duplicate.status_code == 400 and "name_ar" in duplicate.json()
    foreign = SessionFactory()
    response = client_for(editor).post(url, {"name_ar": "جلسة", "session": foreign.pk}, format="json")
    assert response.status_code == 400 and "session" in response.json()
    listing = client_for(staff).get(url).json()
    # Organizers named their own door, so no default "main entrance" is added.
    assert [c["name_ar"] for c in listing["checkpoints"]] == ["بوابة كبار الشخصيات"]


def test_print_order_by_organization_or_name():
    from registration.badges.selectors import print_registrations

    forum = forum_today()
    a = RegistrationFactory(forum=forum, full_name_ar="ياسر", organization_name="أمانة جدة")
    b = RegistrationFactory(forum=forum, full_name_ar="أحمد", organization_name="هيئة الاتصالات")
    c = RegistrationFactory(forum=forum, full_name_ar="خالد", organization_name="أمانة جدة")
    assert list(print_registrations(forum=forum, order_by="organization")) == [c, a, b]
    assert list(print_registrations(forum=forum, order_by="name")) == [b, c, a]
    assert list(print_registrations(forum=forum, filters={"ids": [a.pk]})) == [a]


def test_print_job_failure_is_recorded_on_the_job(monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "badges_sheet_write", broken)
    forum = forum_today()
    owner = TeamMemberFactory(forum=forum, role="owner").user
    RegistrationFactory(forum=forum)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.print_job_create(forum=forum, by=owner)
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error and not job.file


def test_badge_page_in_english(client):
    registration = RegistrationFactory()
    url = reverse("registration:badges:badge", args=[registration.access_token])
    response = client.get("/en" + url)
    html = response.content.decode()
    assert response.status_code == 200 and 'dir="ltr"' in html and "Your badge" in html
    arabic = Client().get(url).content.decode()
    assert 'dir="rtl"' in arabic and "بطاقتك" in arabic


def test_bulk_print_a6_two_per_landscape_a4():
    from registration.badges.models import BadgeSettings
    from registration.badges.selectors import print_registrations

    forum = forum_today()
    BadgeSettings.objects.create(forum=forum, paper_format=BadgeSettings.Format.A6)
    for _ in range(3):
        RegistrationFactory(forum=forum)
    out = io.BytesIO()
    services.badges_sheet_write(forum=forum, registrations=print_registrations(forum=forum), out=out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)


def test_badge_page_qr_drawn_once_per_badge_version(client, monkeypatch):
    from django.core.cache import cache

    from registration.badges import rendering

    cache.clear()
    drawn = []
    original = rendering.qr_png
    monkeypatch.setattr(rendering, "qr_png", lambda token, **kw: drawn.append(token) or original(token, **kw))
    registration = RegistrationFactory()
    url = reverse("registration:badges:badge", args=[registration.access_token])
    first, again = client.get(url), client.get(url)
    badge = registration.badges.get()
    assert drawn == [badge.token]
    assert first.content == again.content and "data:image/png;base64," in first.content.decode()
    new = services.badge_reissue(registration=registration)
    third = client.get(url)
    assert drawn == [badge.token, new.token]
    assert f'data-token="{new.token}"' in third.content.decode() and third.content != first.content
