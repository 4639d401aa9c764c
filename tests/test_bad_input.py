"""Bad input to the main write endpoints: a 4xx naming the field, and nothing changed.

Each case is one request as a user who may make it (so only the input is
wrong): wrong types, missing required fields, too-long strings, ids of the
other forum, unknown choices, malformed dates and times. The whole database
(every row of the project's own tables) is compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from registration.badges import services as badge_services
from registration.badges.models import Checkpoint
from speakers import services as speaker_services
from speakers.models import ReviewAssignment
from tests.factories import (
    ForumFactory,
    HallFactory,
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
    SessionItemFactory,
    TeamMemberFactory,
    TrackFactory,
)
from tests.registration.badges.factories import RegistrationFactory, RegistrationTypeFactory, forum_today
from tests.speakers.factories import ReviewCriterionFactory

PROJECT_APPS = ("forum", "mailing", "calendars", "forum_sessions", "speakers", "registration", "badges", "frontend")
LONG = "ق" * 1001  # longer than any bounded text field of the project


@pytest.fixture
def world(db, settings, tmp_path):
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # factories set passwords
    w = {}
    for side, forum in (("A", forum_today()), ("B", ForumFactory())):
        owner = TeamMemberFactory(forum=forum, role="owner").user
        hall = HallFactory(forum=forum)
        session = SessionFactory(forum=forum, hall=hall)
        rtype = RegistrationTypeFactory(forum=forum)
        registration = RegistrationFactory(forum=forum, registration_type=rtype)
        invitation = speaker_services.invitation_create(forum=forum, session=session, person=PersonFactory(),
                                                       invited_by=owner)
        badge_services.checkpoints_ensure(forum=forum)
        w[side] = {
            "forum": forum, "owner": owner, "hall": hall, "session": session, "track": TrackFactory(forum=forum),
            "item": SessionItemFactory(session=session), "rtype": rtype, "registration": registration,
            "paper": invitation.paper, "badge": badge_services.badge_issue(registration=registration),
            "checkpoint": Checkpoint.objects.filter(forum=forum).first(),
        }
    w["A"]["checkin"] = TeamMemberFactory(forum=w["A"]["forum"], role="checkin").user
    w["review"] = ReviewAssignment.objects.create(paper=w[A]["paper"], reviewer=w[A]["owner"],
                                                  assigned_by=w[A]["owner"])
    w["criterion"] = ReviewCriterionFactory(forum=w[A]["forum"])
    w["person"] = PersonFactory()
    w["organization"] = OrganizationFactory()
    return w


def snapshot() -> dict:
    """Every row of the project's own tables (small in these tests), to prove nothing changed."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            rows[model._meta.label] = sorted(map(repr, model.objects.order_by().values_list()))
    return rows


@dataclass(frozen=True)
class Case:
    name: str
    user: str  # "owner" (of A), "checkin" (of A) or "anonymous"
    method: str
    path: str  # under /api/v1/forums/<A>/, or /api/v1/ when it starts with "/"
    body: Callable[[dict], dict]
    fields: frozenset  # keys the answer must name
    multipart: bool = False
    # An offline scanner's batch: each scan is answered on its own (200), the bad one with its field errors.
    per_item: bool = False


def case(name, user, method, path, body, *fields, multipart=False, per_item=False):
    return pytest.param(Case(name, user, method, path, body, frozenset(fields), multipart, per_item), id=name)


A, B = "A", "B"


def session_body(w, **changes):
    s = w[A]["session"]
    data = {"kind": "papers", "title_ar": "جلسة", "hall": w[A]["hall"].pk,
            "starts_at": s.starts_at.replace(hour=15).isoformat(), "ends_at": s.starts_at.replace(hour=16).isoformat()}
    return {**data, **changes}


def forum_body(w, **changes):
    data = {"slug": "new-forum", "title_ar": "ملتقى", "organizer": w["organization"].pk,
            "first_day": "2027-01-10", "last_day": "2027-01-11"}
    return {**data, **changes}


def registration_body(w, **changes):
    data = {"registration_type": w[A]["rtype"].pk, "full_name_ar": "خالد بن سعد", "email": "khalid@example.org"}
    return {**data, **changes}


def scan_body(w, **changes):
    data = {"token": w[A]["badge"].token, "checkpoint": w[A]["checkpoint"].pk, "client_nonce": "n-1"}
    return {**data, **changes}


def invitation_body(w, **changes):
    data = {"session": w[A]["session"].pk, "person": w["person"].pk, "role": "speaker"}
    return {**data, **changes}


def pdf_upload(**changes):
    def body(w):
        data = {"file": SimpleUploadedFile("paper.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
                "role": "paper"}
        data.update(changes)
        return data
    return body


CASES = [
    # ---- forums ----
    case("forum-missing-title", "owner", "post", "/forums/", lambda w: forum_body(w, title_ar=None), "title_ar"),
    case("forum-bad-slug", "owner", "post", "/forums/", lambda w: forum_body(w, slug="ملتقى جديد!"), "slug"),
    case("forum-long-title", "owner", "post", "/forums/", lambda w: forum_body(w, title_ar=LONG), "title_ar"),
    case("forum-malformed-date", "owner", "post", "/forums/", lambda w: forum_body(w, first_day="2027-13-45"),
         "first_day"),
    case("forum-days-reversed", "owner", "post", "/forums/", lambda w: forum_body(w, last_day="2027-01-01"),
         "last_day"),
    case("forum-unknown-organizer", "owner", "post", "/forums/", lambda w: forum_body(w, organizer=10**8),
         "organizer"),
    case("forum-organizer-wrong-type", "owner", "post", "/forums/", lambda w: forum_body(w, organizer=["x"]),
         "organizer"),
    case("forum-unknown-status", "owner", "post", "/forums/", lambda w: forum_body(w, status="secret"), "status"),
    case("forum-patch-long-title", "owner", "patch", "", lambda w: {"title_ar": LONG}, "title_ar"),
    case("forum-patch-bad-latitude", "owner", "patch", "", lambda w: {"latitude": "north"}, "latitude"),
    # ---- halls ----
    case("hall-missing-name", "owner", "post", "halls/", lambda w: {"capacity": 10}, "name_ar"),
    case("hall-capacity-text", "owner", "post", "halls/", lambda w: {"name_ar": "قاعة", "capacity": "many"},
         "capacity"),
    case("hall-capacity-negative", "owner", "post", "halls/", lambda w: {"name_ar": "قاعة", "capacity": -5},
         "capacity"),
    case("hall-long-name", "owner", "post", "halls/", lambda w: {"name_ar": LONG}, "name_ar"),
    # ---- sessions ----
    case("session-other-forums-hall", "owner", "post", "sessions/", lambda w: session_body(w, hall=w[B]["hall"].pk),
         "hall"),
    case("session-other-forums-track", "owner", "post", "sessions/",
         lambda w: session_body(w, track=w[B]["track"].pk), "track"),
    case("session-malformed-start", "owner", "post", "sessions/", lambda w: session_body(w, starts_at="10am"),
         "starts_at"),
    case("session-ends-before-start", "owner", "post", "sessions/",
         lambda w: session_body(w, ends_at=w[A]["session"].starts_at.replace(hour=14).isoformat()), "ends_at"),
    case("session-unknown-kind", "owner", "post", "sessions/", lambda w: session_body(w, kind="party"), "kind"),
    case("session-long-title", "owner", "post", "sessions/", lambda w: session_body(w, title_ar=LONG), "title_ar"),
    case("session-missing-title", "owner", "post", "sessions/", lambda w: session_body(w, title_ar=None),
         "title_ar"),
    case("session-patch-hall-wrong-type", "owner", "patch", "sessions/{session}/", lambda w: {"hall": {"id": 1}},
         "hall"),
    # ---- session roles and items ----
    case("role-other-forums-session", "owner", "post", "session-roles/",
         lambda w: {"session": w[B]["session"].pk, "person": w["person"].pk, "role": "speaker"}, "session"),
    case("role-unknown-role", "owner", "post", "session-roles/",
         lambda w: {"session": w[A]["session"].pk, "person": w["person"].pk, "role": "king"}, "role"),
    case("role-person-wrong-type", "owner", "post", "session-roles/",
         lambda w: {"session": w[A]["session"].pk, "person": "someone", "role": "speaker"}, "person"),
    case("role-missing-session", "owner", "post", "session-roles/",
         lambda w: {"person": w["person"].pk, "role": "speaker"}, "session"),
    case("item-other-forums-session", "owner", "post", "session-items/",
         lambda w: {"session": w[B]["session"].pk, "kind": "paper", "title_ar": "ورقة"}, "session"),
    case("item-duration-text", "owner", "post", "session-items/",
         lambda w: {"session": w[A]["session"].pk, "kind": "paper", "title_ar": "ورقة", "duration_minutes": "ten"},
         "duration_minutes"),
    case("item-unknown-kind", "owner", "post", "session-items/",
         lambda w: {"session": w[A]["session"].pk, "kind": "dance", "title_ar": "ورقة"}, "kind"),
    case("item-long-title", "owner", "post", "session-items/",
         lambda w: {"session": w[A]["session"].pk, "kind": "paper", "title_ar": LONG}, "title_ar"),
    case("item-patch-other-forums-session", "owner", "patch", "session-items/{item}/",
         lambda w: {"session": w[B]["session"].pk}, "session"),
    # ---- registrations (the public form) ----
    case("registration-other-forums-type", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, registration_type=w[B]["rtype"].pk), "registration_type"),
    case("registration-type-wrong-type", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, registration_type="general"), "registration_type"),
    case("registration-bad-email", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, email="not-an-email"), "email"),
    case("registration-missing-name", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, full_name_ar=None), "full_name_ar"),
    case("registration-long-name", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, full_name_ar=LONG), "full_name_ar"),
    case("registration-unknown-honorific", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, honorific="emperor"), "honorific"),
    case("registration-answers-not-object", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, answers=["yes"]), "answers"),
    # ---- paper uploads ----
    case("upload-missing-file", "owner", "post", "papers/{paper}/files/", lambda w: {"role": "paper"}, "file",
         multipart=True),
    case("upload-unknown-role", "owner", "post", "papers/{paper}/files/", pdf_upload(role="poster"), "role",
         multipart=True),
    case("upload-not-a-pdf", "owner", "post", "papers/{paper}/files/",
         pdf_upload(file=SimpleUploadedFile("paper.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")),
         "file", multipart=True),
    # ---- check-in ----
    case("scan-missing-token", "checkin", "post", "checkin/scans/", lambda w: scan_body(w, token=None), "token"),
    case("scan-other-forums-checkpoint", "checkin", "post", "checkin/scans/",
         lambda w: scan_body(w, checkpoint=w[B]["checkpoint"].pk), "checkpoint"),
    case("scan-checkpoint-wrong-type", "checkin", "post", "checkin/scans/",
         lambda w: scan_body(w, checkpoint="door"), "checkpoint"),
    case("scan-malformed-time", "checkin", "post", "checkin/scans/",
         lambda w: scan_body(w, client_scanned_at="yesterday"), "client_scanned_at"),
    case("scan-unknown-outcome", "checkin", "post", "checkin/scans/",
         lambda w: scan_body(w, local_outcome="maybe"), "local_outcome"),
    case("scan-long-token", "checkin", "post", "checkin/scans/", lambda w: scan_body(w, token="x" * 301), "token"),
    case("scan-batch-not-a-list", "checkin", "post", "checkin/scans/batch/", lambda w: {"scans": "all"}, "scans"),
    case("scan-batch-empty", "checkin", "post", "checkin/scans/batch/", lambda w: {"scans": []}, "scans"),
    # ---- numbers beyond any column ----
    case("hall-capacity-huge", "owner", "post", "halls/", lambda w: {"name_ar": "قاعة", "capacity": 10**20},
         "capacity"),
    case("item-duration-huge", "owner", "post", "session-items/",
         lambda w: {"session": w[A]["session"].pk, "kind": "paper", "title_ar": "ورقة", "duration_minutes": 10**20},
         "duration_minutes"),
    case("role-person-huge-id", "owner", "post", "session-roles/",
         lambda w: {"session": w[A]["session"].pk, "person": 10**20, "role": "speaker"}, "person"),
    case("session-hall-huge-id", "owner", "post", "sessions/", lambda w: session_body(w, hall=10**20), "hall"),
    case("registration-type-huge-id", "anonymous", "post", "registrations/",
         lambda w: registration_body(w, registration_type=10**20), "registration_type"),
    case("scan-checkpoint-huge-id", "checkin", "post", "checkin/scans/", lambda w: scan_body(w, checkpoint=10**20),
         "checkpoint"),
    # ---- reorder, prayer times, copies, papers' decisions and reviews ----
    case("reorder-ids-not-numbers", "owner", "post", "session-items/reorder/",
         lambda w: {"session": w[A]["session"].pk, "ids": ["a"]}, "ids"),
    case("reorder-other-forums-session", "owner", "post", "session-items/reorder/",
         lambda w: {"session": w[B]["session"].pk, "ids": [w[B]["item"].pk]}, "session"),
    case("reorder-huge-session", "owner", "post", "session-roles/reorder/",
         lambda w: {"session": 10**20, "ids": [1]}, "session"),
    case("reorder-huge-ids", "owner", "post", "session-items/reorder/",
         lambda w: {"session": w[A]["session"].pk, "ids": [10**20]}, "ids"),
    case("prayer-override-bad-time", "owner", "post", "prayer-time-overrides/",
         lambda w: {"day": str(w[A]["forum"].first_day), "prayer": "dhuhr", "time": "25:99"}, "time"),
    case("prayer-override-unknown-prayer", "owner", "post", "prayer-time-overrides/",
         lambda w: {"day": str(w[A]["forum"].first_day), "prayer": "brunch", "time": "12:00"}, "prayer"),
    case("prayer-break-other-forums-hall", "owner", "post", "prayer-breaks/",
         lambda w: {"day": str(w[A]["forum"].first_day), "prayer": "dhuhr", "hall": w[B]["hall"].pk}, "hall"),
    case("copy-edition-taken-slug", "owner", "post", "copy-edition/",
         lambda w: {"slug": w[B]["forum"].slug, "first_day": "2030-01-01"}, "slug"),
    case("copy-edition-malformed-day", "owner", "post", "copy-edition/",
         lambda w: {"slug": "next-year", "first_day": "next year"}, "first_day"),
    case("paper-unknown-decision", "owner", "post", "papers/{paper}/decision/", lambda w: {"decision": "maybe"},
         "decision"),
    case("paper-extension-malformed", "owner", "post", "papers/{paper}/extension/", lambda w: {"until": "soon"},
         "until"),
    case("review-scores-unknown-criterion", "owner", "post", "/my-reviews/{review}/submit/",
         lambda w: {"scores": {"abc": 3}}, "score_{criterion}"),
    case("review-scores-other-criterion-id", "owner", "post", "/my-reviews/{review}/submit/",
         lambda w: {"scores": {str(10**20): 3}}, "score_{criterion}"),
    case("starred-other-forums-session", "owner", "post", "starred/", lambda w: {"session_id": w[B]["session"].pk},
         "session_id"),
    case("checkpoint-other-forums-session", "owner", "post", "checkin/checkpoints/",
         lambda w: {"name_ar": "بوابة", "session": w[B]["session"].pk}, "session"),
    case("scan-batch-items-garbage", "checkin", "post", "checkin/scans/batch/",
         lambda w: {"scans": [{"token": ["x"], "checkpoint": "door"}]}, "token", "checkpoint", per_item=True),
    # ---- invitations ----
    case("invitation-other-forums-session", "owner", "post", "invitations/",
         lambda w: invitation_body(w, session=w[B]["session"].pk), "session"),
    case("invitation-unknown-person", "owner", "post", "invitations/", lambda w: invitation_body(w, person=10**8),
         "person"),
    case("invitation-unknown-role", "owner", "post", "invitations/", lambda w: invitation_body(w, role="king"),
         "role"),
    case("invitation-long-paper-title", "owner", "post", "invitations/",
         lambda w: invitation_body(w, paper_title_ar=LONG), "paper_title_ar"),
    case("invitation-missing-person", "owner", "post", "invitations/", lambda w: invitation_body(w, person=None),
         "person"),
]


def _url(w, path: str) -> str:
    forum = w[A]["forum"]
    ids = {"session": w[A]["session"].pk, "item": w[A]["item"].pk, "paper": w[A]["paper"].pk,
           "review": w["review"].pk}
    path = path.format(**ids)
    return f"/api/v1{path}" if path.startswith("/") else f"/api/v1/forums/{forum.slug}/{path}"


def _named_fields(body) -> set:
    """Top-level keys, plus those of a conflict report's "errors" and of list items' error objects."""
    if not isinstance(body, dict):
        return set()
    names = set(body)
    errors = body.get("errors")
    if isinstance(errors, dict):
        names |= set(errors)
    elif isinstance(errors, list):
        names |= {e.get("field") for e in errors if isinstance(e, dict)}
    return names


@pytest.mark.parametrize("bad", CASES)
def test_bad_input_gets_field_error_and_changes_nothing(bad: Case, world):
    client = APIClient()
    if bad.user != "anonymous":
        client.force_authenticate(world[A][bad.user])
    body = {k: v for k, v in bad.body(world).items() if v is not None}
    before = snapshot()
    response = getattr(client, bad.method)(_url(world, bad.path), body,
                                           format="multipart" if bad.multipart else "json")
    answer = response.json()
    if bad.per_item:
        assert response.status_code == 200, response.content[:500]
        answer = answer["results"][0]
    else:
        assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    expected = {f.format(criterion=world["criterion"].pk) for f in bad.fields}
    assert expected <= _named_fields(answer), f"expected {expected} in {answer}"
    assert snapshot() == before


def test_bad_input_cases_cover_the_main_write_endpoints():
    paths = {c.values[0].path.split("{")[0] for c in CASES}
    assert {"/forums/", "", "halls/", "sessions/", "session-roles/", "session-items/", "registrations/",
            "papers/", "invitations/", "checkin/scans/", "checkin/scans/batch/"} <= paths


@pytest.mark.parametrize("action", ["reject", "cancel"])
@pytest.mark.parametrize("body", [["too", "late"], "reason"], ids=["list", "string"])
def test_registration_action_with_non_object_body_gets_400(action, body, world):
    registration = world[A]["registration"]
    client = APIClient()
    client.force_authenticate(world[A]["owner"])
    before = snapshot()
    response = client.post(f"/api/v1/forums/{world[A]['forum'].slug}/registrations/{registration.pk}/{action}/",
                           body, format="json")
    assert response.status_code == 400
    assert snapshot() == before
