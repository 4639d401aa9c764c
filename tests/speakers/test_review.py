import pytest
from django.urls import reverse
from django.utils import timezone

from forum.errors import DomainError, NotFound, PermissionDenied
from forum.mailing.models import OutgoingMessage
from speakers import selectors, services
from speakers.models import WorkingPaper
from tests.factories import ForumFactory, PersonFactory, TeamMemberFactory, UserFactory, WorkingPaperFactory
from tests.speakers.factories import PaperFileFactory, ReviewCriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    forum = ForumFactory()
    owner = TeamMemberFactory(forum=forum, role="owner").user
    relevance = ReviewCriterionFactory(forum=forum, name_ar="الصلة", weight=3)
    originality = ReviewCriterionFactory(forum=forum, name_ar="الأصالة", weight=2)
    clarity = ReviewCriterionFactory(forum=forum, name_ar="الوضوح", weight=1)
    paper = WorkingPaperFactory(forum=forum, status=WorkingPaper.Status.SUBMITTED)
    speaker_user = UserFactory()
    paper.speakers.add(PersonFactory(user=speaker_user, email="speaker@example.org"))
    PaperFileFactory(paper=paper, version=1)
    r1, r2 = UserFactory(), UserFactory()
    a1 = services.review_assign(paper=paper, reviewer=r1, assigned_by=owner)
    a2 = services.review_assign(paper=paper, reviewer=r2, assigned_by=owner)
    return {"forum": forum, "owner": owner, "criteria": (relevance, originality, clarity), "paper": paper,
            "speaker": speaker_user, "r1": r1, "r2": r2, "a1": a1, "a2": a2}


def test_weighted_score_math():
    from speakers.models import ReviewCriterion

    criteria = [ReviewCriterion(pk=1, weight=3), ReviewCriterion(pk=2, weight=2), ReviewCriterion(pk=3, weight=1)]
    # (8*3 + 5*2 + 2*1) / 6 = 36 / 6 = 6.0
    assert selectors.weighted_score({1: 8, 2: 5, 3: 2}, criteria) == 6.0
    # (10*3 + 7*2 + 9*1) / 6 = 53 / 6 = 8.83
    assert selectors.weighted_score({1: 10, 2: 7, 3: 9}, criteria) == 8.83
    assert selectors.weighted_score({}, criteria) is None


def test_review_submit_and_side_by_side_average(setup):
    rel, ori, cla = setup["criteria"]
    services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 8, ori.pk: 5, cla.pk: 2},
                           comment="جيد")
    services.review_submit(assignment=setup["a2"], user=setup["r2"], scores={rel.pk: 10, ori.pk: 7, cla.pk: 9})
    result = selectors.paper_reviews(paper=setup["paper"], for_user=setup["owner"])
    assert [row.weighted for row in result.rows] == [6.0, 8.83]
    assert result.average == round((6.0 + 8.83) / 2, 2)
    assert result.rows[0].assignment.comment == "جيد"


def test_review_blind_until_own_submitted(setup):
    rel, ori, cla = setup["criteria"]
    services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 8, ori.pk: 5, cla.pk: 2})
    before = selectors.paper_reviews(paper=setup["paper"], for_user=setup["r2"])
    assert [row.assignment.reviewer for row in before.rows] == [setup["r2"]]
    assert all(not row.scores for row in before.rows)
    services.review_submit(assignment=setup["a2"], user=setup["r2"], scores={rel.pk: 1, ori.pk: 1, cla.pk: 1})
    after = selectors.paper_reviews(paper=setup["paper"], for_user=setup["r2"])
    assert {row.assignment.reviewer for row in after.rows} == {setup["r1"], setup["r2"]}


def test_review_blind_on_the_review_page_and_api(client, setup, client_for):
    rel, ori, cla = setup["criteria"]
    services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 9, ori.pk: 9, cla.pk: 9},
                           comment="SECRET-COMMENT-R1")
    client.force_login(setup["r2"])
    page = client.get(reverse("speakers:review", args=[setup["a2"].pk]))
    assert page.status_code == 200
    assert "SECRET-COMMENT-R1" not in page.content.decode()
    api = client_for(setup["r2"])
    data = api.get(f"/api/v1/forums/{setup['forum'].slug}/papers/{setup['paper'].pk}/reviews/").json()
    assert [r["reviewer"] for r in data["reviews"]] == [setup["r2"].username]


def test_review_scores_validated_and_only_once(setup):
    rel, ori, cla = setup["criteria"]
    with pytest.raises(DomainError) as exc:
        services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 11, ori.pk: 5})
    assert f"score_{rel.pk}" in exc.value.errors and f"score_{cla.pk}" in exc.value.errors
    services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 1, ori.pk: 2, cla.pk: 3})
    with pytest.raises(DomainError):
        services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 9, ori.pk: 9, cla.pk: 9})


def test_review_submit_by_someone_else_refused(setup, outsider):
    rel, ori, cla = setup["criteria"]
    for user in (setup["r2"], outsider, setup["owner"]):
        with pytest.raises(NotFound):
            services.review_submit(assignment=setup["a1"], user=user, scores={rel.pk: 1, ori.pk: 1, cla.pk: 1})


def test_reviewer_sees_only_assigned_papers(client, client_for, setup):
    other = WorkingPaperFactory(forum=setup["forum"])
    PaperFileFactory(paper=other)
    api = client_for(setup["r1"])
    ids = [p["id"] for p in api.get(f"/api/v1/forums/{setup['forum'].slug}/papers/").json()["results"]]
    assert ids == [setup["paper"].pk]
    assert api.get(f"/api/v1/forums/{setup['forum'].slug}/papers/{other.pk}/").status_code == 404
    client.force_login(setup["r1"])
    assert client.get(reverse("speakers:paper", args=[other.pk])).status_code == 404
    assert client.get(reverse("speakers:file_download", args=[other.files.get().pk])).status_code == 404
    assert client.get(reverse("speakers:file_download", args=[setup["paper"].files.get().pk])).status_code == 200
    # Another reviewer's assignment page is not theirs.
    assert client.get(reverse("speakers:review", args=[setup["a2"].pk])).status_code == 404


def test_outsider_sees_no_papers_and_no_reviews(client_for, setup, outsider):
    api = client_for(outsider)
    base = f"/api/v1/forums/{setup['forum'].slug}/papers/"
    assert api.get(base).json()["results"] == []
    assert api.get(f"{base}{setup['paper'].pk}/reviews/").status_code == 404


def test_speaker_cannot_see_reviews_of_own_or_other_papers(client_for, setup):
    api = client_for(setup["speaker"])
    response = api.get(f"/api/v1/forums/{setup['forum'].slug}/papers/{setup['paper'].pk}/reviews/")
    assert response.status_code == 404


def test_assign_refused_for_speaker_of_the_paper_and_non_organizers(setup, outsider):
    with pytest.raises(DomainError):
        services.review_assign(paper=setup["paper"], reviewer=setup["speaker"], assigned_by=setup["owner"])
    viewer = TeamMemberFactory(forum=setup["forum"], role="viewer").user
    for user in (viewer, outsider, setup["r1"]):
        with pytest.raises(PermissionDenied):
            services.review_assign(paper=setup["paper"], reviewer=UserFactory(), assigned_by=user)


def test_decision_revise_tells_speaker_with_comments(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paper = services.paper_decide(paper=setup["paper"], user=setup["owner"], decision="revise",
                                      comment="يرجى إضافة أمثلة تطبيقية")
    assert paper.status == WorkingPaper.Status.REVISE and paper.decided_at
    message = OutgoingMessage.objects.get(kind="speakers.decision.revise")
    assert message.to == "speaker@example.org"
    assert "يرجى إضافة أمثلة تطبيقية" in message.text_body
    assert message.text_body.index("يُرجى تعديل") < message.text_body.index("Please revise")


def test_decision_accept_and_reject_notify_without_requiring_comments(setup):
    services.paper_decide(paper=setup["paper"], user=setup["owner"], decision="accepted")
    assert OutgoingMessage.objects.filter(kind="speakers.decision.accepted").count() == 1
    services.paper_decide(paper=setup["paper"], user=setup["owner"], decision="rejected")
    assert OutgoingMessage.objects.filter(kind="speakers.decision.rejected").count() == 1


def test_decision_revise_needs_comment_and_only_organizers_decide(setup, outsider):
    with pytest.raises(DomainError) as exc:
        services.paper_decide(paper=setup["paper"], user=setup["owner"], decision="revise", comment=" ")
    assert "comment" in exc.value.errors
    viewer = TeamMemberFactory(forum=setup["forum"], role="viewer").user
    for user in (viewer, outsider, setup["speaker"], setup["r1"]):
        with pytest.raises(PermissionDenied):
            services.paper_decide(paper=setup["paper"], user=user, decision="accepted")
    setup["paper"].refresh_from_db()
    assert setup["paper"].status == WorkingPaper.Status.SUBMITTED


def test_organizer_side_by_side_page_and_decision(client, setup):
    rel, ori, cla = setup["criteria"]
    services.review_submit(assignment=setup["a1"], user=setup["r1"], scores={rel.pk: 8, ori.pk: 5, cla.pk: 2})
    client.force_login(setup["owner"])
    url = reverse("speakers:manage_paper", args=[setup["forum"].slug, setup["paper"].pk])
    page = client.get("/en" + url)
    assert page.status_code == 200 and "6.00" in page.content.decode()
    response = client.post(url, {"action": "decide", "decision": "accepted", "comment": ""})
    assert response.status_code == 302
    setup["paper"].refresh_from_db()
    assert setup["paper"].status == WorkingPaper.Status.ACCEPTED
    assert setup["paper"].decided_at <= timezone.now()


def test_review_page_submission(client, setup):
    rel, ori, cla = setup["criteria"]
    client.force_login(setup["r1"])
    url = reverse("speakers:review", args=[setup["a1"].pk])
    response = client.post(url, {f"score_{rel.pk}": 8, f"score_{ori.pk}": 5, f"score_{cla.pk}": 2, "comment": "ok"})
    assert response.status_code == 302
    setup["a1"].refresh_from_db()
    assert setup["a1"].is_submitted
