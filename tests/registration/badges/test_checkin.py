from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.badges import services, signing
from registration.badges.models import Admission, Checkpoint, Scan, SessionAttendance
from registration.models import Registration
from tests.factories import ForumFactory, SessionFactory, TeamMemberFactory

from .factories import RegistrationFactory, forum_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def badge(today_forum):
    return services.badge_issue(registration=RegistrationFactory(forum=today_forum))


def scan_url(forum):
    return reverse("badges-api:scan", kwargs={"forum_slug": forum.slug})


def post_scan(client, forum, token, checkpoint, **extra):
    return client.post(scan_url(forum), {"token": token, "checkpoint": checkpoint.pk, **extra}, format="json")


def test_check_in_admitted_then_already_admitted(client_for, today_forum, staff, door, badge):
    client = client_for(staff)
    first = post_scan(client, today_forum, badge.token, door)
    assert first.status_code == 200
    assert first.json()["outcome"] == "admitted" and first.json()["ok"] is True
    # The scanner greets the attendee with their honorific, as the badge does.
    assert first.json()["registration"]["name_ar"] == "المهندس " + badge.registration.full_name_ar
    second = post_scan(client, today_forum, badge.token, door)
    body = second.json()
    assert body["outcome"] == "already_admitted" and body["ok"] is False
    assert body["admission"]["checkpoint"]["id"] == door.pk
    assert body["admission"]["at"] == first.json()["admission"]["at"]
    assert Admission.objects.count() == 1
    assert list(Scan.objects.order_by("pk").values_list("outcome", "staff")) == [
        ("admitted", staff.pk), ("already_admitted", staff.pk)]


def test_check_in_already_admitted_at_another_door_names_it(today_forum, staff, door, badge):
    side = Checkpoint.objects.create(forum=today_forum, kind="door", name_ar="مدخل كبار الشخصيات")
    services.check_in_badge(token=badge.token, checkpoint=side, staff=staff)
    scan = services.check_in_badge(token=badge.token, checkpoint=door, staff=staff)
    assert scan.outcome == "already_admitted" and scan.admission.checkpoint == side


def test_check_in_revoked_badge(today_forum, staff, door, badge):
    services.badge_revoke(registration=badge.registration)
    assert services.check_in_badge(token=badge.token, checkpoint=door, staff=staff).outcome == "revoked"


def test_check_in_reissued_badge_old_token_revoked_new_admitted(today_forum, staff, door, badge):
    new = services.badge_reissue(registration=badge.registration)
    assert services.check_in_badge(token=badge.token, checkpoint=door, staff=staff).outcome == "revoked"
    assert services.check_in_badge(token=new.token, checkpoint=door, staff=staff).outcome == "admitted"


def test_check_in_cancelled_registration_is_revoked(today_forum, staff, door, badge):
    Registration.objects.filter(pk=badge.registration_id).update(status="cancelled")
    assert services.check_in_badge(token=badge.token, checkpoint=door, staff=staff).outcome == "revoked"


def test_check_in_badge_of_another_forum(today_forum, staff, door):
    other = services.badge_issue(registration=RegistrationFactory(forum=forum_today()))
    scan = services.check_in_badge(token=other.token, checkpoint=door, staff=staff)
    assert scan.outcome == "wrong_forum" and scan.badge is None


def test_check_in_invalid_signature_one_byte_changed(today_forum, staff, door, badge):
    raw = bytearray(signing.b45decode(badge.token))
    raw[-5] ^= 0x40
    scan = services.check_in_badge(token=signing.b45encode(bytes(raw)), checkpoint=door, staff=staff)
    assert scan.outcome == "invalid_signature"
    assert services.check_in_badge(token="NOT A BADGE", checkpoint=door, staff=staff).outcome == "invalid_signature"
    assert Admission.objects.count() == 0 and Scan.objects.count() == 2


def test_check_in_not_valid_yet(staff):
    today = timezone.localdate()
    future = ForumFactory(first_day=today + timedelta(days=90), last_day=today + timedelta(days=91))
    TeamMemberFactory(forum=future, role="checkin", user=staff)
    services.checkpoints_ensure(forum=future)
    badge = services.badge_issue(registration=RegistrationFactory(forum=future))
    scan = services.check_in_badge(token=badge.token, checkpoint=future.checkpoints.get(kind="door"), staff=staff)
    assert scan.outcome == "not_yet_valid"


def test_check_in_expired(staff):
    past = ForumFactory()  # 2018
    TeamMemberFactory(forum=past, role="checkin", user=staff)
    services.checkpoints_ensure(forum=past)
    badge = services.badge_issue(registration=RegistrationFactory(forum=past))
    scan = services.check_in_badge(token=badge.token, checkpoint=past.checkpoints.get(kind="door"), staff=staff)
    assert scan.outcome == "expired"


def test_check_in_same_nonce_retried_is_one_scan_same_answer(client_for, today_forum, staff, door, badge):
    client = client_for(staff)
    first = post_scan(client, today_forum, badge.token, door, client_nonce="n-1")
    retry = post_scan(client, today_forum, badge.token, door, client_nonce="n-1")
    assert first.json() == retry.json()
    assert retry.json()["outcome"] == "admitted"
    assert Scan.objects.count() == 1 and Admission.objects.count() == 1


def test_check_in_session_checkpoint_records_attendance(today_forum, staff, badge):
    session = SessionFactory(forum=today_forum)
    services.checkpoints_ensure(forum=today_forum)
    checkpoint = Checkpoint.objects.get(session=session)
    assert services.check_in_badge(token=badge.token, checkpoint=checkpoint, staff=staff).outcome == "admitted"
    assert services.check_in_badge(token=badge.token, checkpoint=checkpoint, staff=staff).outcome == "already_admitted"
    attendance = SessionAttendance.objects.get()
    assert (attendance.registration_id, attendance.session_id) == (badge.registration_id, session.pk)


def test_check_in_query_count_is_bounded(client_for, today_forum, staff, door, django_assert_max_num_queries):
    client = client_for(staff)
    badges = [services.badge_issue(registration=RegistrationFactory(forum=today_forum)) for _ in range(3)]
    for badge in badges:
        with django_assert_max_num_queries(14):
            assert post_scan(client, today_forum, badge.token, door).json()["outcome"] == "admitted"


def test_check_in_staff_of_forum_a_cannot_admit_at_forum_b(client_for, staff, badge):
    forum_b = forum_today()
    services.checkpoints_ensure(forum=forum_b)
    badge_b = services.badge_issue(registration=RegistrationFactory(forum=forum_b))
    response = post_scan(client_for(staff), forum_b, badge_b.token, forum_b.checkpoints.get(kind="door"))
    assert response.status_code == 403
    assert Admission.objects.count() == 0 and Scan.objects.count() == 0


def test_check_in_checkpoint_of_another_forum_refused(client_for, today_forum, staff, badge):
    other = forum_today()
    services.checkpoints_ensure(forum=other)
    response = post_scan(client_for(staff), today_forum, badge.token, other.checkpoints.get(kind="door"))
    assert response.status_code == 400 and "checkpoint" in response.json()


@pytest.mark.parametrize("role", ["viewer", None])
def test_check_in_viewer_and_outsider_cannot_admit(client_for, today_forum, door, badge, role):
    from tests.factories import UserFactory

    user = TeamMemberFactory(forum=today_forum, role=role).user if role else UserFactory()
    response = post_scan(client_for(user), today_forum, badge.token, door)
    assert response.status_code == 403
    assert Admission.objects.count() == 0


def test_check_in_anonymous_refused(api_client, today_forum, door, badge):
    assert post_scan(api_client, today_forum, badge.token, door).status_code in (401, 403)


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_check_in_owner_and_editor_may_admit(client_for, today_forum, door, badge, role):
    user = TeamMemberFactory(forum=today_forum, role=role).user
    assert post_scan(client_for(user), today_forum, badge.token, door).json()["outcome"] == "admitted"


def test_check_in_bad_input_gets_field_errors(client_for, today_forum, staff, door):
    response = client_for(staff).post(scan_url(today_forum), {"checkpoint": "x"}, format="json")
    assert response.status_code == 400
    assert {"token", "checkpoint"} <= set(response.json())


def test_public_keys_and_revocations_served_to_checkin_staff_only(client_for, today_forum, staff, badge, outsider):
    import base64

    keys_url = reverse("badges-api:keys", kwargs={"forum_slug": today_forum.slug})
    body = client_for(staff).get(keys_url).json()
    raw = base64.urlsafe_b64decode(body["keys"][0]["public_key"] + "==")
    assert raw == bytes(badge.signing_key.public_key)
    assert "private" not in str(body).lower()
    services.badge_revoke(registration=badge.registration)
    revocations_url = reverse("badges-api:revocations", kwargs={"forum_slug": today_forum.slug})
    assert client_for(staff).get(revocations_url).json()["revoked_badges"] == [badge.pk]
    assert client_for(outsider).get(keys_url).status_code == 403
    assert client_for(outsider).get(revocations_url).status_code == 403


def test_batch_upload_reports_conflicts(client_for, today_forum, staff, door, badge):
    other_staff = TeamMemberFactory(forum=today_forum, role="checkin").user
    services.check_in_badge(token=badge.token, checkpoint=door, staff=other_staff)
    url = reverse("badges-api:scan-batch", kwargs={"forum_slug": today_forum.slug})
    fresh = services.badge_issue(registration=RegistrationFactory(forum=today_forum))
    response = client_for(staff).post(url, {"scans": [
        {"token": badge.token, "checkpoint": door.pk, "client_nonce": "off-1", "local_outcome": "admitted"},
        {"token": fresh.token, "checkpoint": door.pk, "client_nonce": "off-2", "local_outcome": "admitted"},
    ]}, format="json")
    body = response.json()
    assert response.status_code == 200 and body["conflicts"] == 1
    assert [r["outcome"] for r in body["results"]] == ["already_admitted", "admitted"]
    assert [r["conflict"] for r in body["results"]] == [True, False]


def test_session_attendance_selectors_feed_certificates(today_forum, staff, badge):
    from registration.badges.selectors import session_attendees, sessions_attended

    first, second = SessionFactory(forum=today_forum), SessionFactory(forum=today_forum)
    services.checkpoints_ensure(forum=today_forum)
    services.check_in_badge(token=badge.token, checkpoint=Checkpoint.objects.get(session=second), staff=staff)
    assert list(sessions_attended(registration=badge.registration)) == [second]
    assert list(session_attendees(session=second)) == [badge.registration]
    assert list(session_attendees(session=first)) == []
