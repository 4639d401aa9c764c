"""The scanner page's scan (session cookie + CSRF header), answered by api/scan_fast.py without DRF.

It must give the answer the ordinary path gives, refuse whom the ordinary path refuses (it hands
those requests to ScanView), and cost a fixed, small number of statements.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registration.badges import services
from registration.badges.api import serializers
from registration.badges.models import Admission, Checkpoint, Scan
from tests.factories import TeamMemberFactory, UserFactory

from .factories import RegistrationFactory, forum_today
from .test_checkin import scan_url

pytestmark = pytest.mark.django_db
CSRF = "k" * 32


def new_badge(forum):
    return services.badge_issue(registration=RegistrationFactory(forum=forum))


def browser_for(user) -> Client:
    """A browser signed in with a session, sending the CSRF cookie and header as the scanner page does."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return client


def post(client, forum, body, csrf=CSRF):
    headers = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.post(scan_url(forum), body, content_type="application/json", **headers)


def stored_answer(response) -> dict:
    """What the ordinary path renders for the scan row the request left, read back with the ORM."""
    body = response.json()
    scan = Scan.objects.select_related("registration__registration_type", "admission__checkpoint").get(
        pk=body["scan_id"])
    return serializers.scan_result(scan)


@pytest.fixture
def fast_calls(monkeypatch):
    """How many requests the fast path answered itself (not handed to ScanView)."""
    from registration.badges.api import scan_fast

    answered = []
    original = scan_fast.scan_answer

    def counting(request, **kwargs):
        answer = original(request, **kwargs)
        answered.append(answer is not None)
        return answer

    monkeypatch.setattr(scan_fast, "scan_answer", counting)
    return answered


def test_scan_fast_admitted_answer_is_the_stored_scan_as_the_api_renders_it(today_forum, staff, door, fast_calls):
    badge = new_badge(today_forum)
    response = post(browser_for(staff), today_forum, {"token": badge.token, "checkpoint": door.pk,
                                                     "client_nonce": "n1"})
    assert response.status_code == 200 and fast_calls == [True]
    body = response.json()
    assert body["outcome"] == "admitted" and body["ok"] is True and body["client_nonce"] == "n1"
    assert body["registration"]["name_ar"] == "المهندس " + badge.registration.full_name_ar
    assert body == stored_answer(response)
    admission = Admission.objects.get()
    assert (admission.registration_id, admission.badge_id, admission.admitted_by_id) == (
        badge.registration_id, badge.pk, staff.pk)


def test_scan_fast_already_admitted_elsewhere_names_the_earlier_door(today_forum, staff, door, fast_calls):
    side = Checkpoint.objects.create(forum=today_forum, kind="door", name_ar="مدخل كبار الشخصيات", name_en="VIP")
    badge = new_badge(today_forum)
    browser = browser_for(staff)
    first = post(browser, today_forum, {"token": badge.token, "checkpoint": side.pk})
    second = post(browser, today_forum, {"token": badge.token, "checkpoint": door.pk, "local_outcome": "admitted"})
    assert fast_calls == [True, True]
    body = second.json()
    assert body["outcome"] == "already_admitted" and body["conflict"] is True
    assert body["admission"] == first.json()["admission"]
    assert body["admission"]["checkpoint"] == {"id": side.pk, "name": "مدخل كبار الشخصيات"}
    assert {k: v for k, v in body.items() if k != "conflict"} == stored_answer(second)
    assert Admission.objects.count() == 1


def test_scan_fast_revoked_and_forged_badges_are_refused_and_recorded(today_forum, staff, door, fast_calls):
    from registration.badges import signing

    revoked = new_badge(today_forum)
    services.badge_revoke(registration=revoked.registration)
    raw = bytearray(signing.b45decode(new_badge(today_forum).token))
    raw[-5] ^= 0x40
    browser = browser_for(staff)
    answers = [post(browser, today_forum, {"token": token, "checkpoint": door.pk}).json()
               for token in (revoked.token, signing.b45encode(bytes(raw)))]
    assert [a["outcome"] for a in answers] == ["revoked", "invalid_signature"]
    assert answers[0]["registration"]["id"] == revoked.registration_id
    assert fast_calls == [True, True]
    assert Admission.objects.count() == 0 and Scan.objects.count() == 2


def test_scan_fast_session_checkpoint_records_attendance(today_forum, staff, fast_calls):
    from registration.badges.models import SessionAttendance
    from tests.factories import SessionFactory

    session = SessionFactory(forum=today_forum)
    services.checkpoints_ensure(forum=today_forum)
    checkpoint = Checkpoint.objects.get(session=session)
    badge = new_badge(today_forum)
    browser = browser_for(staff)
    outcomes = [post(browser, today_forum, {"token": badge.token, "checkpoint": checkpoint.pk}).json()["outcome"]
                for _ in range(2)]
    assert outcomes == ["admitted", "already_admitted"] and fast_calls == [True, True]
    attendance = SessionAttendance.objects.get()
    assert (attendance.registration_id, attendance.session_id) == (badge.registration_id, session.pk)


def test_scan_fast_same_nonce_twice_is_one_scan_same_answer(today_forum, staff, door):
    badge = new_badge(today_forum)
    browser = browser_for(staff)
    body = {"token": badge.token, "checkpoint": door.pk, "client_nonce": "again"}
    first, retry = post(browser, today_forum, body), post(browser, today_forum, body)
    assert first.json() == retry.json() and retry.json()["outcome"] == "admitted"
    assert Scan.objects.count() == 1 and Admission.objects.count() == 1


def test_scan_fast_statement_count_is_constant(today_forum, staff, door, fast_calls):
    """The session, then forum + checkpoint + user + role + keys, then the admission (PostgreSQL; the
    savepoint around it is there because the test runs in a transaction); from a session's second scan on,
    the session row comes in the desk's statement. SQLite takes the ORM path for the admission."""
    browser = browser_for(staff)
    expected = 5 if connection.vendor == "postgresql" else 9
    for n in range(4):
        badge = new_badge(today_forum)
        with CaptureQueriesContext(connection) as queries:
            response = post(browser, today_forum, {"token": badge.token, "checkpoint": door.pk, "client_nonce": f"q{n}"})
        assert response.json()["outcome"] == "admitted"
        count = expected if n == 0 else expected - 1
        assert len(queries.captured_queries) == count, [q["sql"][:80] for q in queries.captured_queries]
    assert fast_calls == [True, True, True, True]


def test_scan_fast_session_ended_after_a_scan_refused(today_forum, staff, door, fast_calls):
    """The session row read with the desk is still the authority: once it is gone, the next scan on it
    is refused, whatever the process remembers of it."""
    browser = browser_for(staff)
    assert post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk}).status_code == 200
    Session.objects.all().delete()  # signed out elsewhere
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and fast_calls == [True, False]
    assert Scan.objects.count() == 1


def test_scan_fast_session_changed_to_another_user_after_a_scan_is_that_user(today_forum, staff, door, fast_calls):
    """A session that now names another user is that user's, though this process last saw it as the
    scanner's: the outsider is refused and nothing is recorded in their name or the scanner's."""
    browser = browser_for(staff)
    assert post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk}).status_code == 200
    session = Session.objects.get()
    data = session.get_decoded()
    data[SESSION_KEY] = str(UserFactory().pk)
    Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and fast_calls == [True, False]
    assert Scan.objects.count() == 1


def test_scan_fast_role_withdrawn_after_a_scan_refused(today_forum, staff, door, fast_calls):
    from forum.models import TeamMember

    browser = browser_for(staff)
    assert post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk}).status_code == 200
    TeamMember.objects.filter(user=staff).delete()
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and fast_calls == [True, False]
    assert Scan.objects.count() == 1


@pytest.mark.parametrize("role", ["viewer", None])
def test_scan_fast_viewer_and_outsider_refused(today_forum, door, role, fast_calls):
    user = TeamMemberFactory(forum=today_forum, role=role).user if role else UserFactory()
    response = post(browser_for(user), today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and fast_calls == [False]
    assert Scan.objects.count() == 0 and Admission.objects.count() == 0


def test_scan_fast_staff_of_another_forum_refused(staff, fast_calls):
    other = forum_today()
    services.checkpoints_ensure(forum=other)
    response = post(browser_for(staff), other, {"token": new_badge(other).token,
                                                "checkpoint": other.checkpoints.get(kind="door").pk})
    assert response.status_code == 403 and fast_calls == [False]
    assert Scan.objects.count() == 0


def test_scan_fast_without_csrf_header_refused(today_forum, staff, door, fast_calls):
    response = post(browser_for(staff), today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk},
                    csrf="")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert Scan.objects.count() == 0


def test_scan_fast_anonymous_and_ended_session_refused(today_forum, staff, door):
    token = new_badge(today_forum).token
    assert post(browser_for(None), today_forum, {"token": token, "checkpoint": door.pk}).status_code == 403
    browser = browser_for(staff)
    Session.objects.all().delete()  # signed out elsewhere
    assert post(browser, today_forum, {"token": token, "checkpoint": door.pk}).status_code == 403
    assert Scan.objects.count() == 0


def test_scan_fast_session_of_a_changed_password_refused(today_forum, staff, door):
    browser = browser_for(staff)
    staff.set_password("a new password 8d3f")
    staff.save()
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and Scan.objects.count() == 0


def test_scan_fast_inactive_user_refused(today_forum, staff, door):
    browser = browser_for(staff)
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and Scan.objects.count() == 0


def test_scan_fast_session_naming_another_user_is_that_user(today_forum, staff, door):
    """The user comes from the session row; a session whose user has no role is refused."""
    browser = browser_for(staff)
    session = Session.objects.get()
    data = session.get_decoded()
    data[SESSION_KEY] = str(UserFactory().pk)
    Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))
    response = post(browser, today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 403 and Scan.objects.count() == 0


def test_scan_fast_bad_input_gets_the_serializers_field_errors(today_forum, staff, door):
    browser = browser_for(staff)
    other = forum_today()
    services.checkpoints_ensure(forum=other)
    cases = [
        ({"checkpoint": "x"}, {"token", "checkpoint"}),
        ({"token": "", "checkpoint": door.pk}, {"token"}),
        ({"token": "A" * 301, "checkpoint": door.pk}, {"token"}),
        ({"token": new_badge(today_forum).token, "checkpoint": 10**20}, {"checkpoint"}),
        ({"token": new_badge(today_forum).token, "checkpoint": other.checkpoints.get(kind="door").pk}, {"checkpoint"}),
        ({"token": new_badge(today_forum).token, "checkpoint": door.pk, "client_nonce": "n" * 65}, {"client_nonce"}),
        ({"token": new_badge(today_forum).token, "checkpoint": door.pk, "local_outcome": "maybe"}, {"local_outcome"}),
    ]
    for body, fields in cases:
        response = post(browser, today_forum, body)
        assert response.status_code == 400, body
        assert set(response.json()) == fields, body
    assert Scan.objects.count() == 0


def test_scan_fast_unknown_forum_is_404(staff, door):
    response = browser_for(staff).post("/api/v1/forums/no-such-forum/checkin/scans/", {"token": "X", "checkpoint": 1},
                                       content_type="application/json", HTTP_X_CSRFTOKEN=CSRF)
    assert response.status_code == 404


def test_scan_fast_closed_checkpoint_refused(today_forum, staff, door, fast_calls):
    Checkpoint.objects.filter(pk=door.pk).update(is_active=False)
    response = post(browser_for(staff), today_forum, {"token": new_badge(today_forum).token, "checkpoint": door.pk})
    assert response.status_code == 400 and fast_calls == [False]
    assert Scan.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_scan_fast_on_postgresql_is_two_statements_after_the_first(postgres_only):
    """Outside a test transaction: the session with the desk (on a session's first scan, the session
    before it), then the admission in one statement that is its own transaction (committed when the
    answer comes)."""
    forum = forum_today()
    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    browser = browser_for(staff)
    for n in range(3):
        badge = new_badge(forum)
        with CaptureQueriesContext(connection) as queries:
            response = post(browser, forum, {"token": badge.token, "checkpoint": door.pk, "client_nonce": f"t{n}"})
        assert response.json()["outcome"] == "admitted"
        statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
        # From the session's second scan on, its row is read in the desk's statement.
        assert statements == (["SELECT", "SELECT", "WITH"] if n == 0 else ["SELECT", "WITH"]), statements
        assert not connection.in_atomic_block
    assert Admission.objects.filter(registration__forum=forum).count() == 3


def _scanner_on_postgresql():
    forum = forum_today()
    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    return forum, door, browser_for(staff)


@pytest.mark.django_db(transaction=True)
def test_scan_fast_desk_read_stands_in_for_the_connection_health_check(postgres_only, fast_calls, monkeypatch):
    """On a reused connection Django would send a SELECT 1 of its own before the request's first statement;
    the scan's first read is that check, so a scan costs no round trip for it."""
    from django.db import connections

    forum, door, browser = _scanner_on_postgresql()
    assert post(browser, forum, {"token": new_badge(forum).token, "checkpoint": door.pk}).status_code == 200
    badge = new_badge(forum)
    database = connections["default"]
    assert database.health_check_enabled
    checks = []
    monkeypatch.setattr(database, "is_usable", lambda: checks.append(True) or True)
    database.health_check_done = False  # as at the start of the next request (the test client skips that signal)
    response = post(browser, forum, {"token": badge.token, "checkpoint": door.pk})
    assert response.json()["outcome"] == "admitted" and fast_calls == [True, True]
    assert checks == [] and database.health_check_done


@pytest.mark.django_db(transaction=True)
def test_scan_fast_on_a_connection_the_server_closed_is_answered_on_a_new_one(postgres_only, fast_calls):
    """A persistent connection the database ended between requests (a restart, an idle timeout): the
    scan's first read finds it broken, the connection is closed, and the ordinary path answers on a
    fresh one; the scan is recorded once."""
    import psycopg
    from django.db import connections

    forum, door, browser = _scanner_on_postgresql()
    assert post(browser, forum, {"token": new_badge(forum).token, "checkpoint": door.pk}).status_code == 200
    badge = new_badge(forum)
    database = connections["default"]
    pid = database.connection.info.backend_pid
    settings = database.settings_dict
    with psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None,
                         port=settings["PORT"] or None, password=settings["PASSWORD"] or None,
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    database.health_check_done = False  # as at the start of the next request (the test client skips that signal)
    response = post(browser, forum, {"token": badge.token, "checkpoint": door.pk})
    assert response.status_code == 200 and response.json()["outcome"] == "admitted"
    assert fast_calls == [True, False]
    assert database.connection.info.backend_pid != pid
    assert Scan.objects.filter(forum=forum, outcome="admitted").count() == 2


@pytest.mark.parametrize(("accept_language", "language", "message"), [("en", "en", "Admitted"), ("ar", "ar", "تم الدخول"),
                                                                      (None, "ar", "تم الدخول")])
def test_scan_fast_answer_speaks_the_scanners_language_with_the_usual_headers(
        today_forum, staff, door, fast_calls, accept_language, language, message):
    """Answered before LocaleMiddleware and the rest, the scan still follows Accept-Language as every API
    path does, and carries the headers those middleware would have added."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = browser_for(staff).post(scan_url(today_forum), {"token": new_badge(today_forum).token,
                                                               "checkpoint": door.pk},
                                       content_type="application/json", HTTP_X_CSRFTOKEN=CSRF, **headers)
    assert fast_calls == [True] and response.json()["message"] == message
    assert response["Content-Language"] == language and response["Vary"] == "Accept-Language"
    assert response["X-Frame-Options"] == "DENY" and int(response["Content-Length"]) == len(response.content)


def test_scan_fast_from_an_unknown_host_goes_the_ordinary_way(today_forum, staff, door, fast_calls):
    response = browser_for(staff).post(scan_url(today_forum), {"token": new_badge(today_forum).token,
                                                               "checkpoint": door.pk},
                                       content_type="application/json", HTTP_X_CSRFTOKEN=CSRF,
                                       HTTP_HOST="evil.example.org")
    assert response.status_code == 400 and fast_calls == []
    assert Scan.objects.count() == 0
