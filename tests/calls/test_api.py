"""The call's API: each rule with an outsider refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calls import services
from calls.models import Submission
from forum.errors import PermissionDenied
from forum.mailing.models import OutgoingMessage
from speakers.services import portal_user_for_person
from tests.factories import PersonFactory, SessionFactory, UserFactory
from tests.speakers.files import docx_bytes

pytestmark = pytest.mark.django_db


def base(world):
    return f"/api/v1/forums/{world.forum.slug}/calls/"


def _author_client(client_for, person):
    return client_for(portal_user_for_person(person=person))


def _submitted(world, person=None):
    person = person or PersonFactory()
    draft = services.submission_save(call=world.call, person=person, type=world.type, theme=world.themes[0],
                                     title_ar="ورقة", abstract_ar="ملخص")
    return services.submission_submit(submission=draft, person=person)


def test_call_is_public_with_types_and_themes(api_client, world):
    data = api_client.get(base(world)).json()
    assert data["is_open"] is True and data["types"][0]["id"] == world.type.pk
    assert {t["id"] for t in data["themes"]} == {t.pk for t in world.themes}


def test_draft_forum_call_hidden_from_outsiders(client_for, world, outsider):
    world.forum.status = "draft"
    world.forum.save()
    assert client_for(outsider).get(base(world)).status_code == 404


def test_setup_only_by_organizers(client_for, world, outsider):
    assert client_for(outsider).put(base(world) + "setup/", {"rules_ar": "x"}, format="json").status_code == 404
    ok = client_for(world.organizer).put(base(world) + "setup/", {"rules_ar": "قواعد جديدة"}, format="json")
    assert ok.status_code == 200 and ok.json()["rules_ar"] == "قواعد جديدة"
    bad = client_for(world.organizer).put(base(world) + "setup/", {"closes_at": "2000-01-01T00:00:00+03:00"},
                                          format="json")
    assert bad.status_code == 400 and "closes_at" in bad.json()


def test_sign_in_flood_answers_429(api_client, world):
    for _n in range(3):
        assert api_client.post(base(world) + "sign-in/", {"email": "x@example.org"}).status_code == 202
    refused = api_client.post(base(world) + "sign-in/", {"email": "x@example.org"})
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"


def test_submitter_creates_draft_submits_and_sees_only_own(client_for, world):
    api = _author_client(client_for, world.author)
    other = _submitted(world)
    created = api.post(base(world) + "submissions/", {
        "type": world.type.pk, "theme": world.themes[0].pk, "title_ar": "من الواجهة", "abstract_ar": "ملخص",
        "coauthors": []}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    sid = created.json()["id"]
    assert api.post(base(world) + f"submissions/{sid}/submit/").json()["status"] == "submitted"
    ids = [r["id"] for r in api.get(base(world) + "submissions/").json()["results"]]
    assert ids == [sid]
    assert api.get(base(world) + f"submissions/{other.pk}/").status_code == 404
    assert api.post(base(world) + f"submissions/{other.pk}/withdraw/").status_code == 404
    assert api.patch(base(world) + f"submissions/{other.pk}/", {"title_ar": "x"}, format="json").status_code == 404


def test_refused_file_keeps_draft_and_answers_field_message(client_for, world):
    api = _author_client(client_for, world.author)
    response = api.post(base(world) + "submissions/", {
        "type": world.type.pk, "title_ar": "محفوظة", "file": SimpleUploadedFile("m.docx", docx_bytes(vba=True))},
        format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert Submission.objects.get(pk=response.json()["id"]).title_ar == "محفوظة"


def test_word_limit_refused_with_field_message_in_english(client_for, world):
    world.type.abstract_max_words = 2
    world.type.save()
    api = _author_client(client_for, world.author)
    sid = api.post(base(world) + "submissions/", {"type": world.type.pk, "theme": world.themes[0].pk,
                                                  "title_en": "T", "abstract_en": "one two three"},
                   format="json").json()["id"]
    refused = api.post(base(world) + f"submissions/{sid}/submit/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "limit is 2" in refused.json()["abstract_en"][0]


def test_other_forums_theme_refused(client_for, world):
    from tests.factories import TrackFactory

    api = _author_client(client_for, world.author)
    response = api.post(base(world) + "submissions/", {"type": world.type.pk, "theme": TrackFactory().pk},
                        format="json")
    assert response.status_code == 400 and "theme" in response.json()


def test_organizer_sees_all_submitted_outsider_sees_none(client_for, world, outsider):
    subs = [_submitted(world) for _n in range(2)]
    services.submission_save(call=world.call, person=PersonFactory(), type=world.type)  # a draft: private
    ids = {r["id"] for r in client_for(world.organizer).get(base(world) + "submissions/").json()["results"]}
    assert ids == {s.pk for s in subs}
    assert client_for(outsider).get(base(world) + "submissions/").json()["results"] == []
    assert client_for(outsider).get(base(world) + f"submissions/{subs[0].pk}/").status_code == 404


def test_reviewer_sees_only_assigned_and_blind(client_for, world):
    reviewer = UserFactory()
    mine, other = _submitted(world, world.author), _submitted(world)
    services.reviewer_assign(submission=mine, reviewer=reviewer, user=world.organizer)
    api = client_for(reviewer)
    data = api.get(base(world) + "reviews/").json()
    assert [r["submission"] for r in data] == [mine.pk] and data[0]["authors"] is None
    assert api.get(base(world) + f"submissions/{other.pk}/").status_code == 404
    assert api.get(base(world) + f"submissions/{mine.pk}/").status_code == 404  # reviews go through /reviews/
    world.call.blind_review = False
    world.call.save()
    assert world.author.full_name_ar in api.get(base(world) + "reviews/").json()[0]["authors"][0]


@pytest.mark.parametrize("path,method", [
    ("assign/", "post"), ("release/", "post"), ("ranking/", "get"), ("statistics/", "get"),
    ("unscheduled/", "get"), ("templates/accepted/", "get"), ("types/", "post"),
])
def test_organizer_endpoints_refuse_outsiders_and_submitters(client_for, world, outsider, path, method):
    for user in (outsider, portal_user_for_person(person=world.author)):
        response = getattr(client_for(user), method)(base(world) + path, {}, format="json")
        assert response.status_code == 404


@pytest.mark.parametrize("action,body", [("decision", {"outcome": "accepted"}), ("reviewers", {"reviewer": 1}),
                                         ("place", {"session": 1})])
def test_submission_organizer_actions_refuse_outsiders(client_for, world, outsider, action, body):
    sub = _submitted(world)
    for user in (outsider, portal_user_for_person(person=sub.submitter)):
        assert client_for(user).post(base(world) + f"submissions/{sub.pk}/{action}/", body,
                                     format="json").status_code == 404


def test_confirm_refused_for_someone_else(client_for, world, outsider):
    sub = _submitted(world)
    services.submission_decide(submission=sub, outcome="accepted", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    stranger = _author_client(client_for, PersonFactory())
    assert stranger.post(base(world) + f"submissions/{sub.pk}/confirm/").status_code == 404
    assert client_for(outsider).post(base(world) + f"submissions/{sub.pk}/confirm/").status_code == 404


def test_full_flow_through_the_api(client_for, world):
    org = client_for(world.organizer)
    author = _author_client(client_for, world.author)
    sid = author.post(base(world) + "submissions/", {"type": world.type.pk, "theme": world.themes[0].pk,
                                                     "title_ar": "رحلة كاملة", "abstract_ar": "ملخص"},
                      format="json").json()["id"]
    author.post(base(world) + f"submissions/{sid}/submit/")
    reviewer = UserFactory()
    assert org.put(base(world) + f"themes/{world.themes[0].pk}/reviewers/", {"reviewers": [reviewer.pk]},
                   format="json").status_code == 200
    assert org.post(base(world) + "assign/", {}, format="json").json()["assigned"] == 1
    assert org.post(base(world) + f"submissions/{sid}/decision/", {"outcome": "accepted"},
                    format="json").status_code == 200
    assert not OutgoingMessage.objects.filter(kind__startswith="calls.decision").exists()
    assert author.get(base(world) + f"submissions/{sid}/").json()["status"] == "under_review"
    assert author.get(base(world) + f"submissions/{sid}/").json()["decision"] is None
    assert org.post(base(world) + "release/").json() == {"released": 1}
    assert author.post(base(world) + f"submissions/{sid}/confirm/").json()["status"] == "confirmed"
    [paper] = org.get(base(world) + "unscheduled/").json()
    assert paper["submission"] == sid
    session = SessionFactory(forum=world.forum)
    placed = org.post(base(world) + f"submissions/{sid}/place/", {"session": session.pk}, format="json")
    assert placed.status_code == 201 and placed.json()["session"] == session.pk
    assert org.get(base(world) + "unscheduled/").json() == []
    stats = org.get(base(world) + "statistics/").json()
    assert stats["total"] == 1 and stats["reviews_total"] == 1


def test_non_numeric_submission_id_is_404(client_for, world):
    assert client_for(world.organizer).get(base(world) + "submissions/abc/").status_code == 404


def test_openapi_schema_lists_the_call(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/forums/{forum_slug}/calls/submissions/{id}/submit/" in paths
    assert "/api/v1/forums/{forum_slug}/calls/reviews/" in paths


def test_reviews_and_organizer_lists_in_constant_queries(client_for, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer = UserFactory()
    reviewer_api, org_api = client_for(reviewer), client_for(world.organizer)
    services.reviewer_assign(submission=_submitted(world), reviewer=reviewer, user=world.organizer)
    with CaptureQueriesContext(connection) as one_review:
        reviewer_api.get(base(world) + "reviews/")
    with CaptureQueriesContext(connection) as one_row:
        org_api.get(base(world) + "submissions/")
    for _n in range(4):
        services.reviewer_assign(submission=_submitted(world), reviewer=reviewer, user=world.organizer)
    with django_assert_num_queries(len(one_review)):
        assert len(reviewer_api.get(base(world) + "reviews/").json()) == 5
    with django_assert_num_queries(len(one_row)):
        assert org_api.get(base(world) + "submissions/").json()["count"] == 5


def test_coauthors_changed_after_submission_through_the_api(client_for, world):
    api = _author_client(client_for, world.author)
    sub = _submitted(world, person=world.author)
    url = base(world) + f"submissions/{sub.pk}/"
    added = api.patch(url, {"coauthors": [{"honorific": "doctor", "full_name_ar": "منى",
                                           "email": "mona@example.org"}]}, format="json")
    assert added.status_code == 200, added.json()
    assert added.json()["status"] == "submitted"
    assert [c["confirmed"] for c in added.json()["coauthors"]] == [False]
    invite = OutgoingMessage.objects.get(kind="calls.coauthor_invite", to="mona@example.org")
    token = invite.text_body.split("/calls/co-author/")[1].split("/")[0]
    bad = api.patch(url, {"title_ar": "عنوان يبقى", "coauthors": [
        {"full_name_ar": "منى", "email": "mona@example.org"}, {"full_name_ar": "", "email": "bad"}]}, format="json")
    assert bad.status_code == 400 and "coauthors.1" in bad.json() and bad.json()["id"] == sub.pk
    assert Submission.objects.get(pk=sub.pk).title_ar == "عنوان يبقى"
    removed = api.patch(url, {"coauthors": []}, format="json")
    assert removed.status_code == 200 and removed.json()["coauthors"] == []
    with pytest.raises(PermissionDenied):
        services.coauthor_confirm(token=token)
    outsider = _author_client(client_for, PersonFactory())
    assert outsider.patch(url, {"coauthors": []}, format="json").status_code == 404


def _paper_ids(api, world):
    response = api.get(f"/api/v1/forums/{world.forum.slug}/papers/")
    assert response.status_code == 200
    body = response.json()
    return [p["id"] for p in (body["results"] if isinstance(body, dict) else body)]


def test_call_papers_hidden_from_team_paper_list_until_the_author_confirms(client_for, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from speakers import selectors as speaker_selectors
    from tests.factories import WorkingPaperFactory

    invited = WorkingPaperFactory(forum=world.forum)
    organizer = client_for(world.organizer)
    accepted, rejected = _submitted(world, person=world.author), _submitted(world)
    assert accepted.paper_id and rejected.paper_id
    assert _paper_ids(organizer, world) == [invited.pk]  # under review: the call's, not the team's
    assert organizer.get(f"/api/v1/forums/{world.forum.slug}/papers/{accepted.paper_id}/").status_code == 404
    assert [p.pk for p in speaker_selectors.papers_for_forum(forum=world.forum)] == [invited.pk]
    services.submission_decide(submission=accepted, outcome="accepted", user=world.organizer)
    services.submission_decide(submission=rejected, outcome="rejected", user=world.organizer)
    services.decisions_release(call=world.call, user=world.organizer)
    assert _paper_ids(organizer, world) == [invited.pk]  # accepted but not confirmed, or rejected
    services.submission_confirm(submission=accepted, person=world.author)
    assert _paper_ids(organizer, world) == [invited.pk, accepted.paper_id]
    assert {p.pk for p in speaker_selectors.papers_for_forum(forum=world.forum)} == {invited.pk, accepted.paper_id}
    # The list stays in constant queries whatever the number of call papers.
    with CaptureQueriesContext(connection) as first:
        _paper_ids(organizer, world)
    for _n in range(3):
        _submitted(world)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(_paper_ids(organizer, world)) == 2
