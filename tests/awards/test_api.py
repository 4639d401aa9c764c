"""The awards REST API: the same rules as the services, field-level errors, outsiders refused."""

import pytest

from awards.models import Cycle, Nomination, ScoreSheet
from forum.mailing.models import OutgoingMessage
from tests.awards.factories import NominationFactory, applicant_user, award_world, pdf_upload

pytestmark = pytest.mark.django_db


def test_applicant_flow_through_the_api(client_for):
    world = award_world()
    user = applicant_user()
    api = client_for(user)
    created = api.post("/api/v1/awards/nominations/", {"category": world.category.pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = api.post(f"/api/v1/awards/nominations/{pk}/submit/")
    assert refused.status_code == 400 and f"document_{world.document.pk}" in refused.json()
    assert api.patch(f"/api/v1/awards/nominations/{pk}/", {"answers": {str(world.question.pk): "نص"}},
                     format="json").status_code == 200
    uploaded = api.post(f"/api/v1/awards/nominations/{pk}/documents/",
                        {"document": world.document.pk, "file": pdf_upload()}, format="multipart")
    assert uploaded.status_code == 201 and uploaded.json()["version"] == 1
    submitted = api.post(f"/api/v1/awards/nominations/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert [n["id"] for n in api.get("/api/v1/awards/nominations/").json()["results"]] == [pk]
    other = client_for(applicant_user())
    assert other.get(f"/api/v1/awards/nominations/{pk}/").status_code == 404
    assert other.get("/api/v1/awards/nominations/").json()["results"] == []


def test_sign_in_link_by_api_is_accepted_whatever_the_address(api_client):
    assert api_client.post("/api/v1/awards/sign-in/", {"email": "someone@example.org"},
                           format="json").status_code == 202
    assert OutgoingMessage.objects.filter(kind="awards.signin", to="someone@example.org").exists()
    bad = api_client.post("/api/v1/awards/sign-in/", {"email": "nope"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()


def test_score_above_maximum_by_api_is_a_field_error(client_for):
    world = award_world()
    nomination = NominationFactory(category=world.category)
    api = client_for(world.judges[1])
    c1, c2 = world.criteria
    response = api.post(f"/api/v1/awards/nominations/{nomination.pk}/scores/",
                        {"sheets": {str(c1.pk): {"points": "4"}, str(c2.pk): {"points": "10.5"}}}, format="json")
    assert response.status_code == 400 and list(response.json()) == [f"criterion_{c2.pk}", "code"]
    assert not ScoreSheet.objects.exists()
    ok = api.post(f"/api/v1/awards/nominations/{nomination.pk}/scores/",
                  {"sheets": {str(c1.pk): {"points": "4"}, str(c2.pk): {"points": "10"}}}, format="json")
    assert ok.status_code == 200 and len(ok.json()) == 2


def test_judge_of_another_category_and_outsider_are_refused_by_the_api(client_for):
    world = award_world()
    nomination = NominationFactory(category=world.category)
    for user in (world.outsider, applicant_user()):
        api = client_for(user)
        assert api.get(f"/api/v1/awards/nominations/{nomination.pk}/").status_code == 404
        assert api.post(f"/api/v1/awards/nominations/{nomination.pk}/scores/", {"sheets": {}},
                        format="json").status_code == 404
        assert api.post(f"/api/v1/awards/nominations/{nomination.pk}/screen/", {"decision": "eligible"},
                        format="json").status_code == 404
        assert api.get(f"/api/v1/awards/cycles/{world.cycle.pk}/progress/").status_code == 404


def test_blind_programme_hides_names_from_judges_in_the_api(client_for):
    world = award_world()
    world.programme.blind_judging = True
    world.programme.save()
    nomination = NominationFactory(category=world.category)
    data = client_for(world.judges[1]).get(f"/api/v1/awards/nominations/{nomination.pk}/").json()
    assert "nominee" not in data and "applicant" not in data and data["reference"] == nomination.reference
    assert "nominee" in client_for(world.staff).get(f"/api/v1/awards/nominations/{nomination.pk}/").json()


def test_results_steps_by_api_follow_the_roles(client_for):
    world = award_world()
    nomination = NominationFactory(category=world.category)
    for judge in world.judges:
        client_for(judge).post(f"/api/v1/awards/nominations/{nomination.pk}/scores/",
                               {"sheets": {str(c.pk): {"points": "8"} for c in world.criteria}}, format="json")
    base = f"/api/v1/awards/cycles/{world.cycle.pk}/results"
    assert client_for(world.staff).post(f"{base}/finalize/").status_code == 403
    assert client_for(world.outsider).post(f"{base}/finalize/").status_code == 404
    assert client_for(world.chair).post(f"{base}/finalize/").status_code == 200
    assert client_for(world.chair).post(f"{base}/approve/").status_code == 200
    assert client_for(world.chair).post(f"{base}/publish/").status_code in (403, 404)
    published = client_for(world.owner).post(f"{base}/publish/")
    assert published.status_code == 200 and published.json()["results"] == Cycle.Results.PUBLISHED
    public = client_for(world.outsider).get(f"{base}/")
    assert public.status_code == 200 and public.json()[0]["is_winner"] is True
    assert "judged_score" not in public.json()[0]


def test_visit_clash_by_api_is_a_field_error(client_for):
    world = award_world()
    first = NominationFactory(category=world.category, status=Nomination.Status.SHORTLISTED)
    second = NominationFactory(category=world.category, status=Nomination.Status.SHORTLISTED)
    api = client_for(world.staff)
    body = {"starts_at": "2030-05-01T09:00:00+03:00", "ends_at": "2030-05-01T11:00:00+03:00", "address": "الدمام",
            "assessors": [world.assessor.pk]}
    assert api.post("/api/v1/awards/visits/", {**body, "nomination": first.pk}, format="json").status_code == 201
    clash = api.post("/api/v1/awards/visits/", {**body, "nomination": second.pk, "starts_at": "2030-05-01T10:00:00+03:00"},
                     format="json")
    assert clash.status_code == 400 and "assessors" in clash.json() and clash.json()["code"] == "clash"


def test_schema_lists_the_awards_api(api_client):
    schema = api_client.get("/api/schema/").content.decode()
    for path in ("/api/v1/awards/nominations/{id}/scores/", "/api/v1/awards/visits/{id}/report/",
                 "/api/v1/awards/cycles/{id}/results/{step}/"):
        assert path in schema
