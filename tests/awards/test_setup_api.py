"""The set-up part of the awards API: outsiders refused on every endpoint, field-level errors, committee approval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from awards import services
from awards.models import (
    Category,
    Criterion,
    Cycle,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    ResultApproval,
    Tier,
)
from tests.awards.factories import CategoryFactory, NominationFactory, applicant_user, award_world, member

pytestmark = pytest.mark.django_db


def _calls(world):
    p, c, cat = world.programme.slug, world.cycle.pk, world.category.pk
    opens = timezone.now() + timedelta(days=1)
    cycle_body = {"number": world.cycle.number + 1, "nominations_open": opens.isoformat(),
                  "nominations_close": (opens + timedelta(days=9)).isoformat()}
    return [
        ("patch", f"/api/v1/awards/programmes/{p}/", {"blind_judging": True}),
        ("post", f"/api/v1/awards/programmes/{p}/cycles/", cycle_body),
        ("get", f"/api/v1/awards/programmes/{p}/members/", None),
        ("post", f"/api/v1/awards/programmes/{p}/members/", {"email": "x@example.org", "role": "judge"}),
        ("patch", f"/api/v1/awards/cycles/{c}/", {"year_label": "2099"}),
        ("put", f"/api/v1/awards/cycles/{c}/tiers/", {"tiers": [{"name_ar": "ذهبي", "min_score": "80"}]}),
        ("post", "/api/v1/awards/categories/", {"cycle": c, "kind": "individual", "name_ar": "فئة"}),
        ("post", "/api/v1/awards/criteria/", {"category": cat, "name_ar": "معيار", "weight": "1", "max_score": 5}),
        ("post", "/api/v1/awards/tiers/", {"cycle": c, "name_ar": "ذهبي", "min_score": "80"}),
        ("post", "/api/v1/awards/judges/", {"category": cat, "judge": world.outsider.pk}),
        ("post", f"/api/v1/awards/categories/{CategoryFactory(cycle=world.cycle).pk}/copy-criteria/{cat}/", None),
        ("patch", f"/api/v1/awards/categories/{cat}/", {"name_ar": "فئة معدلة"}),
        ("delete", f"/api/v1/awards/categories/{CategoryFactory(cycle=world.cycle).pk}/", None),
        ("patch", f"/api/v1/awards/criteria/{world.criteria[0].pk}/", {"name_ar": "معيار معدل"}),
        ("delete", f"/api/v1/awards/criteria/{world.criteria[0].pk}/", None),
        ("post", "/api/v1/awards/documents/", {"category": cat, "name_ar": "مستند"}),
        ("patch", f"/api/v1/awards/documents/{world.document.pk}/", {"name_ar": "مستند معدل"}),
        ("delete", f"/api/v1/awards/documents/{world.document.pk}/", None),
        ("post", "/api/v1/awards/questions/", {"category": cat, "label_ar": "سؤال"}),
        ("patch", f"/api/v1/awards/questions/{world.question.pk}/", {"label_ar": "سؤال معدل"}),
        ("delete", f"/api/v1/awards/questions/{world.question.pk}/", None),
        ("delete", f"/api/v1/awards/cycles/{c}/", None),
    ]


def _state():
    return (Programme.objects.filter(blind_judging=True).count(), Cycle.objects.count(), Category.objects.count(),
            Criterion.objects.count(), Tier.objects.count(), ProgrammeMember.objects.count(),
            Cycle.objects.filter(year_label="2099").count(), RequiredDocument.objects.count(), Question.objects.count(),
            sorted(Category.objects.values_list("name_ar", flat=True)), sorted(Criterion.objects.values_list("name_ar", flat=True)),
            sorted(RequiredDocument.objects.values_list("name_ar", flat=True)),
            sorted(Question.objects.values_list("label_ar", flat=True)))


def test_setup_api_refuses_no_role_judge_and_applicant(client_for):
    world = award_world()
    calls = _calls(world)
    before = _state()
    for user in (world.outsider, world.judges[1], applicant_user()):
        api = client_for(user)
        for method, url, body in calls:
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code in (403, 404), (user, method, url, response.status_code)
    assert _state() == before


def test_setup_api_staff_set_up_a_cycle(client_for):
    world = award_world()
    api = client_for(world.staff)
    opens = timezone.now() + timedelta(days=1)
    created = api.post(f"/api/v1/awards/programmes/{world.programme.slug}/cycles/", {
        "number": world.cycle.number + 1, "nominations_open": opens.isoformat(), "nominations_close": (opens + timedelta(days=9)).isoformat(),
        "judging_ends": (opens + timedelta(days=30)).date().isoformat()}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = api.patch(f"/api/v1/awards/cycles/{pk}/", {"year_label": "2031"}, format="json")
    assert changed.status_code == 200 and changed.json()["year_label"] == "2031"
    tiers = api.put(f"/api/v1/awards/cycles/{pk}/tiers/", {"tiers": [{"name_ar": "ذهبي", "min_score": "85"},
                                                                    {"name_ar": "فضي", "min_score": "70"}]},
                    format="json")
    assert tiers.status_code == 200 and [t["name_ar"] for t in tiers.json()] == ["ذهبي", "فضي"]
    invited = api.post(f"/api/v1/awards/programmes/{world.programme.slug}/members/",
                       {"email": "committee@example.org", "role": "committee"}, format="json")
    assert invited.status_code == 201 and invited.json()["role"] == "committee"
    # Staff may not change the programme itself: its owners do.
    assert api.patch(f"/api/v1/awards/programmes/{world.programme.slug}/", {"blind_judging": True},
                     format="json").status_code == 403
    owner = client_for(world.owner)
    assert owner.patch(f"/api/v1/awards/programmes/{world.programme.slug}/", {"blind_judging": True},
                       format="json").status_code == 200
    assert Programme.objects.get(pk=world.programme.pk).blind_judging


def test_setup_api_field_errors(client_for):
    world = award_world()
    api = client_for(world.staff)
    opens = timezone.now() + timedelta(days=1)
    bad = api.post(f"/api/v1/awards/programmes/{world.programme.slug}/cycles/", {
        "number": world.cycle.number + 1, "nominations_open": opens.isoformat(), "nominations_close": (opens + timedelta(days=9)).isoformat(),
        "judging_ends": (opens + timedelta(days=30)).date().isoformat(),
        "results_date": (opens + timedelta(days=20)).date().isoformat()}, format="json")
    assert bad.status_code == 400 and "results_date" in bad.json()
    overlap = api.put(f"/api/v1/awards/cycles/{world.cycle.pk}/tiers/", {
        "tiers": [{"name_ar": "ذهبي", "min_score": "70"}, {"name_ar": "فضي", "min_score": "85"}]}, format="json")
    assert overlap.status_code == 400 and "tiers-1-min_score" in overlap.json()
    weight = api.post("/api/v1/awards/criteria/", {"category": world.category.pk, "name_ar": "معيار",
                                                   "weight": "0", "max_score": 5}, format="json")
    assert weight.status_code == 400 and "weight" in weight.json()


def _finalized_with_a_second_member():
    """A cycle whose results the chair finalized, with one committee member beside the chair."""
    world = award_world()
    second = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    nomination = NominationFactory(category=world.category)
    for judge in world.judges:
        services.score_sheets_save(nomination=nomination, user=judge,
                                   sheets={c.pk: {"points": 8} for c in world.criteria})
    services.results_finalize(cycle=world.cycle, user=world.chair)
    return world, second


def test_approve_by_api_for_each_committee_member_and_refused_to_others(client_for):
    world, second = _finalized_with_a_second_member()
    url = f"/api/v1/awards/cycles/{world.cycle.pk}/results/approve/"
    for user in (world.outsider, world.judges[1], applicant_user(), world.staff):
        assert client_for(user).post(url).status_code in (403, 404)
    response = client_for(second).post(url)
    assert response.status_code == 200 and response.json()["results"] == "finalized"
    assert client_for(world.chair).post(url).json()["results"] == "approved"
    assert ResultApproval.objects.filter(cycle=world.cycle).count() == 2


def test_withdraw_by_api_for_the_member_who_approved_and_refused_to_others(client_for):
    world, second = _finalized_with_a_second_member()
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=second)
    url = f"/api/v1/awards/cycles/{world.cycle.pk}/results/withdraw/"
    for user in (world.outsider, world.judges[1], applicant_user(), world.staff):
        assert client_for(user).post(url).status_code in (403, 404)
    assert ResultApproval.objects.filter(cycle=world.cycle).count() == 2
    response = client_for(second).post(url)
    assert response.status_code == 200 and response.json()["results"] == "finalized"
    again = client_for(second).post(url)
    assert again.status_code == 400 and "results" in again.json()


def test_setup_api_staff_change_and_remove_setup_rows_with_field_errors(client_for):
    world = award_world()
    api = client_for(world.staff)
    cat = world.category.pk
    document = api.post("/api/v1/awards/documents/", {"category": cat, "name_ar": "خطاب الترشيح"}, format="json")
    assert document.status_code == 201, document.content
    taken = api.patch(f"/api/v1/awards/documents/{world.document.pk}/", {"name_ar": "خطاب الترشيح"}, format="json")
    assert taken.status_code == 400 and "name_ar" in taken.json()
    moved = api.patch(f"/api/v1/awards/documents/{world.document.pk}/",
                      {"name_ar": "الهيكل التنظيمي", "required": False, "category": CategoryFactory().pk}, format="json")
    assert moved.status_code == 200 and moved.json()["category"] == cat  # where it sits is not changed
    assert moved.json()["required"] is False
    question = api.post("/api/v1/awards/questions/", {"category": cat, "label_ar": "ما أبرز إنجازاتكم؟",
                                                      "max_length": 2000}, format="json")
    assert question.status_code == 201, question.content
    too_short = api.patch(f"/api/v1/awards/questions/{question.json()['id']}/", {"max_length": 0}, format="json")
    assert too_short.status_code == 400 and "max_length" in too_short.json()
    assert api.delete(f"/api/v1/awards/questions/{question.json()['id']}/").status_code == 204
    criterion = api.patch(f"/api/v1/awards/criteria/{world.criteria[0].pk}/",
                          {"description_ar": "وضوح الرؤية", "order": 4, "weight": "0"}, format="json")
    assert criterion.status_code == 400 and "weight" in criterion.json()
    criterion = api.patch(f"/api/v1/awards/criteria/{world.criteria[0].pk}/",
                          {"description_ar": "وضوح الرؤية", "order": 4}, format="json")
    assert criterion.status_code == 200 and criterion.json()["order"] == 4
    renamed = api.patch(f"/api/v1/awards/categories/{cat}/", {"name_ar": "التميز المؤسسي"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name_ar"] == "التميز المؤسسي"
    NominationFactory(category=world.category)
    refused = api.delete(f"/api/v1/awards/categories/{cat}/")
    assert refused.status_code == 400 and "category" in refused.json()
    spare = CategoryFactory(cycle=world.cycle)
    assert api.delete(f"/api/v1/awards/categories/{spare.pk}/").status_code == 204
    assert api.delete(f"/api/v1/awards/cycles/{world.cycle.pk}/").status_code == 400
    assert Category.objects.filter(pk=cat).exists() and not Category.objects.filter(pk=spare.pk).exists()
    assert api.patch("/api/v1/awards/documents/999999/", {"name_ar": "x"}, format="json").status_code == 404

