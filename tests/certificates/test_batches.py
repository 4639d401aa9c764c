"""Bulk issuing: a background job that issues, prints in parts joined in a stream, and reports progress."""

import io

import pytest
from pypdf import PdfReader

from certificates import rendering, services
from certificates.models import Certificate, CertificateBatch, CertificateSettings
from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from tests.factories import HonoreeFactory, PersonFactory, SessionRoleFactory, TeamMemberFactory
from tests.registration.badges.factories import RegistrationFactory

from .factories import admit_at_door, attend, checkin_staff, forum_with_sessions

pytestmark = pytest.mark.django_db


def test_attendee_batch_prints_eligible_attendees_in_parts_with_progress(monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    forum, sessions = forum_with_sessions(2)
    owner = TeamMemberFactory(forum=forum, role="owner").user
    services.certificate_settings_update(forum=forum, by=owner, rule=CertificateSettings.Rule.SESSIONS,
                                         min_sessions=2)
    staff = checkin_staff(forum)
    eligible = [RegistrationFactory(forum=forum) for _ in range(7)]
    for registration in eligible:
        attend(registration, sessions, staff=staff)
    below = RegistrationFactory(forum=forum)
    attend(below, sessions[:1], staff=staff)

    monkeypatch.setattr(rendering, "PART_CERTIFICATES", 3)
    seen: list[tuple[int, int, int]] = []
    write = rendering.certificates_write

    def watching(**kwargs):
        inner = kwargs.pop("progress")

        def progress(done, parts):
            inner(done, parts)
            row = CertificateBatch.objects.get(forum=forum)
            seen.append((row.done, row.parts, row.progress_percent))

        return write(progress=progress, **kwargs)

    monkeypatch.setattr(rendering, "certificates_write", watching)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(forum=forum, by=owner, scope="attendees")
    assert batch.total == 7
    batch.refresh_from_db()
    assert batch.status == "done", batch.error
    assert (batch.done, batch.total, batch.parts, batch.progress_percent) == (7, 7, 3, 100)
    # Progress recorded after each finished part: 3, 6 and 7 certificates.
    assert seen == [(3, 1, 42), (6, 2, 85), (7, 3, 100)]
    with batch.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 7
    holders = set(Certificate.objects.filter(forum=forum).values_list("registration_id", flat=True))
    assert holders == {r.pk for r in eligible}
    assert OutgoingMessage.objects.filter(kind="certificate_issued").count() == 7


def test_running_a_batch_again_reissues_nothing(django_capture_on_commit_callbacks):
    forum, sessions = forum_with_sessions(1)
    owner = TeamMemberFactory(forum=forum, role="owner").user
    registration = RegistrationFactory(forum=forum)
    admit_at_door(registration)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_create(forum=forum, by=owner, scope="attendees")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.batch_create(forum=forum, by=owner, scope="attendees")
    second.refresh_from_db()
    assert second.status == "done" and second.done == 1
    assert Certificate.objects.count() == 1
    assert OutgoingMessage.objects.filter(kind="certificate_issued").count() == 1


def test_speakers_and_honorees_batches_cover_their_people(forum, django_capture_on_commit_callbacks):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    chair = SessionRoleFactory(session__forum=forum, role="chair")
    speaker = SessionRoleFactory(session=chair.session, role="speaker")
    SessionRoleFactory(session=chair.session, role="mc")  # the master of ceremonies is not appreciated here
    honoree = HonoreeFactory(forum=forum, person=PersonFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_create(forum=forum, by=owner, scope="speakers", notify=False)
        services.batch_create(forum=forum, by=owner, scope="honorees", notify=False)
        services.batch_create(forum=forum, by=owner, scope="team", person_ids=[PersonFactory(created_by_forum=forum).pk],
                              role_ar="في اللجنة المنظمة", role_en="to the organizing committee", notify=False)
    kinds = sorted(Certificate.objects.values_list("kind", flat=True))
    assert kinds == ["appreciation", "appreciation", "appreciation", "participation"]
    people = set(Certificate.objects.filter(kind="appreciation").values_list("person_id", flat=True))
    assert people == {chair.person_id, speaker.person_id, honoree.person_id}
    assert not OutgoingMessage.objects.filter(kind="certificate_issued").exists()


def test_empty_group_and_session_from_another_forum_are_refused(forum):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    with pytest.raises(DomainError) as caught:
        services.batch_create(forum=forum, by=owner, scope="attendees")
    assert caught.value.code == "empty"
    other = SessionRoleFactory().session
    with pytest.raises(DomainError) as caught:
        services.batch_create(forum=forum, by=owner, scope="session", session=other)
    assert "session" in caught.value.errors
    with pytest.raises(DomainError):
        services.batch_create(forum=forum, by=owner, scope="everyone")
    assert not CertificateBatch.objects.exists()


def test_batch_progress_through_the_api(forum, client_for, django_capture_on_commit_callbacks):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    SessionRoleFactory(session__forum=forum, role="speaker")
    api = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"/api/v1/forums/{forum.slug}/certificates/batches/", {"scope": "speakers",
                                                                                 "notify": False}, format="json")
    assert created.status_code == 202, created.content
    detail = api.get(f"/api/v1/forums/{forum.slug}/certificates/batches/{created.json()['id']}/").json()
    assert (detail["status"], detail["done"], detail["total"], detail["parts"], detail["progress_percent"]) == (
        "done", 1, 1, 1, 100)
