import pytest
from django.urls import reverse

from tests.factories import PersonFactory, SessionFactory, UserFactory, WorkingPaperFactory
from tests.speakers.factories import ReviewCriterionFactory

pytestmark = pytest.mark.django_db

TEAM_ENDPOINTS = [
    ("paper-settings/", {"max_upload_mb": 5}),
    ("invitations/", {}),
    ("review-criteria/", {"name_ar": "الوضوح", "weight": 2}),
    ("review-assignments/", {}),
    ("proceedings/", {}),
    ("speaker-reminders/", {}),
]


@pytest.mark.parametrize(("path", "data"), TEAM_ENDPOINTS)
def test_team_endpoints_hidden_from_outsider_and_read_only_for_viewer(client_for, forum, outsider, viewer, path,
                                                                      data):
    url = f"/api/v1/forums/{forum.slug}/{path}"
    outsider_api = client_for(outsider)
    if path != "speaker-reminders/":
        assert outsider_api.get(url).status_code == 404
        assert client_for(viewer).get(url).status_code == 200
    write = "put" if path == "paper-settings/" else "post"
    assert getattr(outsider_api, write)(url, data, format="json").status_code == 404
    assert getattr(client_for(viewer), write)(url, data, format="json").status_code == 403


def test_editor_writes_settings_criteria_and_assignments_through_the_api(client_for, forum, editor):
    api = client_for(editor)
    base = f"/api/v1/forums/{forum.slug}/"
    response = api.put(f"{base}paper-settings/", {"accepted_kinds": ["pdf"], "max_upload_mb": 5,
                                                   "publication": "after"}, format="json")
    assert response.status_code == 200 and response.json()["accepted_kinds"] == ["pdf"]
    bad = api.put(f"{base}paper-settings/", {"accepted_kinds": ["exe"]}, format="json")
    assert bad.status_code == 400 and "accepted_kinds" in bad.json()
    assert api.post(f"{base}review-criteria/", {"name_ar": "الأصالة", "weight": 3}, format="json").status_code == 201
    paper = WorkingPaperFactory(forum=forum)
    reviewer = UserFactory()
    response = api.post(f"{base}review-assignments/", {"paper": paper.pk, "reviewer": reviewer.pk}, format="json")
    assert response.status_code == 201
    duplicate = api.post(f"{base}review-assignments/", {"paper": paper.pk, "reviewer": reviewer.pk}, format="json")
    assert duplicate.status_code == 400


def test_paper_of_another_forum_cannot_be_assigned(client_for, forum, editor):
    other = WorkingPaperFactory()
    response = client_for(editor).post(f"/api/v1/forums/{forum.slug}/review-assignments/",
                                       {"paper": other.pk, "reviewer": UserFactory().pk}, format="json")
    assert response.status_code == 400 and "paper" in response.json()


def test_my_reviews_only_own_and_submit_through_the_api(client_for, forum, outsider):
    from speakers import services
    from tests.factories import TeamMemberFactory

    owner = TeamMemberFactory(forum=forum, role="owner").user
    criterion = ReviewCriterionFactory(forum=forum, weight=2)
    paper = WorkingPaperFactory(forum=forum)
    reviewer = UserFactory()
    assignment = services.review_assign(paper=paper, reviewer=reviewer, assigned_by=owner)
    assert client_for(outsider).get("/api/v1/my-reviews/").json()["results"] == []
    assert client_for(outsider).post(f"/api/v1/my-reviews/{assignment.pk}/submit/",
                                     {"scores": {str(criterion.pk): 5}}, format="json").status_code == 404
    bad = client_for(reviewer).post(f"/api/v1/my-reviews/{assignment.pk}/submit/",
                                    {"scores": {str(criterion.pk): 11}}, format="json")
    assert bad.status_code == 400
    ok = client_for(reviewer).post(f"/api/v1/my-reviews/{assignment.pk}/submit/",
                                   {"scores": {str(criterion.pk): 7}, "comment": "جيد"}, format="json")
    assert ok.status_code == 200 and ok.json()["submitted_at"]


def test_session_ics_refused_to_outsider_and_anonymous(client, forum, outsider):
    session = SessionFactory(forum=forum)
    url = reverse("speakers:session_ics", args=[session.pk])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    PersonFactory(user=outsider)  # a person, but not in this session
    assert client.get(url).status_code == 404
