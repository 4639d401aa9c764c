"""Check-in against the scanner's clock: the server's time decides the admission, a claimed time is bounded.

An admission's day and order are when the server received the scan. The time an
(offline) scanner claims is believed only within bounds (not in the future, not before
the badge's validity or the forum's first day, at most CHECKIN_OFFLINE_MAX_HOURS ago),
and only to judge whether the badge was valid then. Every path verifies tokens with
the one function services.token_verify.
"""

import inspect
from datetime import datetime, time, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.badges import services
from registration.badges.models import Admission, Checkpoint, Scan
from tests.factories import ForumFactory, TeamMemberFactory

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def running_forum(first: int = -1, last: int = 1):
    today = timezone.localdate()
    return ForumFactory(first_day=today + timedelta(days=first), last_day=today + timedelta(days=last))


def door_of(forum):
    services.checkpoints_ensure(forum=forum)
    return Checkpoint.objects.get(forum=forum, kind="door")


def staff_of(forum):
    return TeamMemberFactory(forum=forum, role="checkin").user


def scan(client, forum, token, checkpoint, claimed: datetime | None, nonce: str):
    return client.post(reverse("badges-api:scan", kwargs={"forum_slug": forum.slug}), {
        "token": token, "checkpoint": checkpoint.pk, "client_nonce": nonce,
        "client_scanned_at": claimed.isoformat() if claimed else None}, format="json").json()


def test_admission_day_and_order_come_from_when_the_server_received_the_scan(client_for, settings):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 48
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    claimed = timezone.now() - timedelta(hours=30)  # believable for this forum, and yesterday

    before = timezone.now()
    answer = scan(client_for(staff), forum, badge.token, door, claimed, "n-1")
    after = timezone.now()

    assert answer["outcome"] == "admitted"
    admission = Admission.objects.get()
    assert before <= admission.admitted_at <= after
    assert admission.day == timezone.localdate(before, forum.tzinfo)
    assert Scan.objects.get().client_scanned_at == claimed  # kept as the scanner said, for the record


@pytest.mark.parametrize("claimed_days", [-1, -0.5, 0, 1, 400, -400])
def test_badge_already_admitted_whatever_date_the_scan_claims(client_for, settings, claimed_days):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 48
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    client = client_for(staff)
    assert scan(client, forum, badge.token, door, None, "first")["outcome"] == "admitted"

    claimed = timezone.now() + timedelta(days=claimed_days)
    again = scan(client, forum, badge.token, door, claimed, "again")

    assert again["outcome"] == "already_admitted"
    assert Admission.objects.count() == 1


def test_offline_batch_dated_another_day_is_already_admitted(client_for, settings):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 48
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    services.check_in_badge(token=badge.token, checkpoint=door, staff=staff)
    url = reverse("badges-api:scan-batch", kwargs={"forum_slug": forum.slug})
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    body = client_for(staff).post(url, {"scans": [
        {"token": badge.token, "checkpoint": door.pk, "client_nonce": "q-1", "client_scanned_at": yesterday},
    ]}, format="json").json()
    assert [r["outcome"] for r in body["results"]] == ["already_admitted"]
    assert Admission.objects.count() == 1


@pytest.fixture
def ended_forum_now():
    """A forum whose badges stopped being valid two hours ago: (forum, badge, the server's now)."""
    today = timezone.localdate()
    forum = ForumFactory(first_day=today - timedelta(days=3), last_day=today - timedelta(days=2))
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    now = badge.valid_until + timedelta(hours=2)
    return forum, badge, now


def check_in_at(now, **kwargs):
    with mock.patch("django.utils.timezone.now", return_value=now):
        return services.check_in_badge(**kwargs)


def test_offline_scan_within_the_stated_hours_is_judged_when_it_was_made(ended_forum_now, settings):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 12
    forum, badge, now = ended_forum_now
    made = badge.valid_until - timedelta(hours=1)  # three hours ago, while the badge was valid

    result = check_in_at(now, token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                         client_scanned_at=made)

    assert result.outcome == "admitted"
    assert result.admission.admitted_at == now  # the order is still the server's
    assert result.admission.day == timezone.localdate(now, forum.tzinfo)


def test_offline_scan_older_than_the_stated_hours_is_judged_at_receipt(ended_forum_now, settings):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 12
    forum, badge, now = ended_forum_now
    made = now - timedelta(hours=13)  # within the badge's validity, but older than the setting allows

    result = check_in_at(now, token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                         client_scanned_at=made)

    assert result.outcome == "expired"
    assert not Admission.objects.exists()

    settings.CHECKIN_OFFLINE_MAX_HOURS = 24  # the setting is what bounds it
    assert check_in_at(now, token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                       client_scanned_at=made).outcome == "admitted"


def test_scan_dated_before_the_forum_started_is_judged_at_receipt(ended_forum_now, settings):
    settings.CHECKIN_OFFLINE_MAX_HOURS = 24 * 365
    forum, badge, now = ended_forum_now
    forum_start = datetime.combine(forum.first_day, time.min, tzinfo=forum.tzinfo)
    assert badge.valid_from < forum_start  # the badge is valid from 30 days before
    made = forum_start - timedelta(hours=1)

    result = check_in_at(now, token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                         client_scanned_at=made)

    assert result.outcome == "expired"


def test_scan_dated_before_the_badge_validity_is_judged_at_receipt():
    forum = running_forum(first=0, last=1)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    made = badge.valid_from - timedelta(minutes=5)
    assert services.scan_time(forum=forum, now=timezone.now(), claimed=made, valid_from=badge.valid_from) != made
    result = services.check_in_badge(token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                                     client_scanned_at=made)
    assert result.outcome == "admitted"


def test_scan_dated_in_the_future_is_judged_at_receipt():
    now = timezone.now()
    forum = running_forum()
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    ahead = badge.valid_until + timedelta(days=3)
    assert services.scan_time(forum=forum, now=now, claimed=ahead, valid_from=badge.valid_from) == now
    result = services.check_in_badge(token=badge.token, checkpoint=door_of(forum), staff=staff_of(forum),
                                     client_scanned_at=ahead)
    assert result.outcome == "admitted"
    assert result.admission.admitted_at <= timezone.now()


# ---- One verification for every path ------------------------------------------------


@pytest.fixture
def verify_spy():
    with mock.patch.object(services, "token_verify", wraps=services.token_verify) as spy:
        yield spy


def test_scan_api_and_scanner_upload_verify_with_token_verify(client_for, verify_spy):
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    assert scan(client_for(staff), forum, badge.token, door, None, "s-1")["outcome"] == "admitted"
    assert verify_spy.call_count == 1
    assert verify_spy.call_args.kwargs["token"] == badge.token


def test_bulk_upload_verifies_each_scan_with_token_verify(client_for, verify_spy):
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badges = [services.badge_issue(registration=RegistrationFactory(forum=forum)) for _ in range(3)]
    url = reverse("badges-api:scan-batch", kwargs={"forum_slug": forum.slug})
    body = client_for(staff).post(url, {"scans": [
        {"token": b.token, "checkpoint": door.pk, "client_nonce": f"b-{b.pk}"} for b in badges]}, format="json").json()
    assert [r["outcome"] for r in body["results"]] == ["admitted"] * 3
    assert [call.kwargs["token"] for call in verify_spy.call_args_list] == [b.token for b in badges]


def test_token_verify_gives_the_answer_check_in_gives():
    forum = running_forum()
    door, staff = door_of(forum), staff_of(forum)
    badge = services.badge_issue(registration=RegistrationFactory(forum=forum))
    services.badge_revoke(registration=badge.registration)
    outcome, _badge = services.token_verify(token=badge.token, forum=forum)
    assert outcome == services.check_in_badge(token=badge.token, checkpoint=door, staff=staff).outcome == "revoked"


def test_no_other_code_checks_badge_signatures():
    """Only signing.py (the primitives) and services.token_verify touch token parsing and signatures."""
    root = Path(services.__file__).resolve().parents[2]
    users = []
    folders = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name[0] not in "._"]
    for path in (path for folder in folders if folder.name != "tests" for path in folder.glob("**/*.py")):
        if path.name == "signing.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "token_parse(" in text or "signature_valid(" in text:
            users.append(path.relative_to(root).as_posix())
    assert users == ["registration/badges/services.py"]
    source = inspect.getsource(services)
    body = inspect.getsource(services.token_verify)
    assert source.count("signing.token_parse(") == body.count("signing.token_parse(") == 1
    assert source.count("signing.signature_valid(") == body.count("signing.signature_valid(") == 1
