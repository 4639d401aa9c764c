"""The set-up pages: staff set up programmes, cycles, categories, criteria, tiers and roles in the product;
everyone else is refused; bad input comes back on its field with what was typed; list pages keep a
constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from awards.models import Category, Criterion, Cycle, JudgeAssignment, Programme, ProgrammeMember, Tier
from forum.models import OrganizationMember
from tests.awards.factories import (
    CategoryFactory,
    CriterionFactory,
    NominationFactory,
    applicant_user,
    award_world,
    member,
)
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _urls(world) -> list[str]:
    p, n = world.programme.slug, world.cycle.number
    return [
        "/awards/setup/", f"/awards/setup/{p}/", f"/awards/setup/{p}/members/", f"/awards/setup/{p}/cycles/new/",
        f"/awards/setup/{p}/{n}/", f"/awards/setup/{p}/{n}/tiers/",
        f"/awards/setup/{p}/{n}/categories/{world.category.pk}/",
    ]


def _outsiders(world):
    return {"no role": world.outsider, "judge": world.judges[1], "applicant": applicant_user(),
            "assessor": world.assessor}


def test_setup_pages_refused_to_outsiders_judges_applicants_and_assessors(client):
    world = award_world()
    before = (Programme.objects.count(), Cycle.objects.count(), Category.objects.count(), Criterion.objects.count(),
              Tier.objects.count(), ProgrammeMember.objects.count())
    for who, user in _outsiders(world).items():
        client.force_login(user)
        for url in [*_urls(world), "/awards/setup/new/"]:
            assert client.get(url).status_code == 404, (who, url)
            if url == "/awards/setup/":
                continue  # a list: GET only
            response = client.post(url, {"action": "category", "new-name_ar": "فئة", "new-kind": "individual",
                                         "name_ar": "x", "nominations_open": "2030-01-01T09:00",
                                         "email": "x@example.org", "role": "owner", "rows": "1",
                                         "tiers-0-name_ar": "ذهبي", "tiers-0-min_score": "80"})
            assert response.status_code == 404, (who, url)
    after = (Programme.objects.count(), Cycle.objects.count(), Category.objects.count(), Criterion.objects.count(),
             Tier.objects.count(), ProgrammeMember.objects.count())
    assert after == before


def test_setup_pages_ask_an_anonymous_visitor_to_sign_in(client):
    world = award_world()
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/awards/portal/sign-in/" in response["Location"], url


def test_setup_pages_open_to_staff(client):
    world = award_world()
    client.force_login(world.staff)
    for url in _urls(world):
        assert client.get(url).status_code == 200, url


def test_manage_page_and_index_link_the_setup_pages(client):
    world = award_world()
    client.force_login(world.staff)
    manage = client.get(f"/awards/manage/{world.programme.slug}/{world.cycle.number}/").content.decode()
    assert f"/awards/setup/{world.programme.slug}/{world.cycle.number}/" in manage
    assert "/awards/setup/" in client.get("/awards/").content.decode()
    client.force_login(world.outsider)
    assert "/awards/setup/" not in client.get("/awards/").content.decode()


def test_programme_new_page_starts_a_programme_for_the_users_organization(client):
    user, organization = UserFactory(), OrganizationFactory()
    OrganizationMember.objects.create(organization=organization, user=user)
    client.force_login(user)
    assert client.get("/awards/setup/").status_code == 200
    response = client.post("/awards/setup/new/", {
        "slug": "taqyeem", "kind": "assessment", "owner": organization.pk, "name_ar": "برنامج تقييم",
        "name_en": "Taqyeem", "aggregation": "mean", "trim": "1", "divergence_threshold": "20",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(slug="taqyeem")
    assert programme.kind == Programme.Kind.ASSESSMENT and programme.owner == organization
    assert ProgrammeMember.objects.filter(programme=programme, user=user, role="owner").exists()


def test_programme_new_page_refuses_another_organization_and_keeps_the_input(client):
    user, mine, other = UserFactory(), OrganizationFactory(), OrganizationFactory()
    OrganizationMember.objects.create(organization=mine, user=user)
    client.force_login(user)
    response = client.post("/awards/setup/new/", {
        "slug": "x-award", "kind": "award", "owner": other.pk, "name_ar": "جائزة س", "aggregation": "mean",
        "trim": "1", "divergence_threshold": "20",
    })
    assert response.status_code == 400
    form = response.context["form"]
    assert "owner" in form.errors
    assert "جائزة س" in response.content.decode()
    assert not Programme.objects.filter(slug="x-award").exists()


def test_programme_page_owner_changes_blind_judging_staff_may_not(client):
    world = award_world()
    data = {"kind": "award", "owner": world.programme.owner_id, "name_ar": "جائزة معدلة", "aggregation": "trimmed",
            "trim": "1", "divergence_threshold": "15", "blind_judging": "on"}
    client.force_login(world.staff)
    client.post(f"/awards/setup/{world.programme.slug}/", data)
    assert not Programme.objects.get(pk=world.programme.pk).blind_judging
    client.force_login(world.owner)
    response = client.post(f"/awards/setup/{world.programme.slug}/", data)
    assert response.status_code == 302
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.blind_judging and programme.name_ar == "جائزة معدلة"
    assert programme.aggregation == Programme.Aggregation.TRIMMED


def test_programme_page_divergence_out_of_range_field_error_in_arabic(client):
    world = award_world()
    client.force_login(world.owner)
    with translation.override("ar"):
        response = client.post(f"/awards/setup/{world.programme.slug}/", {
            "kind": "award", "owner": world.programme.owner_id, "name_ar": "جائزة", "aggregation": "mean",
            "trim": "1", "divergence_threshold": "150",
        }, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400
    assert response.context["form"].errors["divergence_threshold"] == [
        "يجب أن تكون عتبة التباعد أكبر من صفر وألا تتجاوز 100 نقطة."]


def _cycle_data(**over):
    now = timezone.localtime(timezone.now())
    data = {
        "number": "900", "year_label": "2027", "nominations_open": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "nominations_close": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "screening_ends": (now + timedelta(days=40)).strftime("%Y-%m-%d"),
        "judging_ends": (now + timedelta(days=60)).strftime("%Y-%m-%d"),
        "ceremony_date": (now + timedelta(days=90)).strftime("%Y-%m-%d"),
    }
    data.update(over)
    return data


def test_cycle_new_page_creates_the_cycle_with_its_timeline(client):
    world = award_world()
    client.force_login(world.staff)
    number = world.cycle.number + 1
    response = client.post(f"/awards/setup/{world.programme.slug}/cycles/new/", _cycle_data(number=str(number)))
    assert response.status_code == 302, response.content.decode()[:3000]
    cycle = Cycle.objects.get(programme=world.programme, number=number)
    assert cycle.year_label == "2027" and cycle.ceremony_date is not None and cycle.forum is None


def test_cycle_new_page_dates_out_of_order_field_errors_and_input_kept(client):
    world = award_world()
    client.force_login(world.staff)
    now = timezone.localtime(timezone.now())
    number = world.cycle.number + 1
    data = _cycle_data(number=str(number), screening_ends=(now - timedelta(days=5)).strftime("%Y-%m-%d"),
                       ceremony_date=(now + timedelta(days=50)).strftime("%Y-%m-%d"))
    response = client.post(f"/awards/setup/{world.programme.slug}/cycles/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"screening_ends", "ceremony_date"}
    assert data["judging_ends"] in response.content.decode()
    assert not Cycle.objects.filter(programme=world.programme, number=number).exists()
    response = client.post(f"/awards/setup/{world.programme.slug}/cycles/new/",
                           _cycle_data(nominations_close=data["nominations_open"]))
    assert "nominations_close" in response.context["form"].errors


def test_cycle_page_ceremony_forum_only_for_its_organizers(client):
    world = award_world()
    client.force_login(world.staff)
    # The staff member organizes no forum: the forum list offers only the forum already linked.
    response = client.get(f"/awards/setup/{world.programme.slug}/{world.cycle.number}/")
    assert list(response.context["form"].fields["forum"].queryset) == [world.forum]
    from tests.factories import ForumFactory

    other = ForumFactory()
    data = _cycle_data(forum=str(other.pk), action="cycle")
    del data["number"]
    response = client.post(f"/awards/setup/{world.programme.slug}/{world.cycle.number}/", data)
    assert response.status_code == 400 and "forum" in response.context["form"].errors
    assert Cycle.objects.get(pk=world.cycle.pk).forum_id == world.forum.pk


def test_cycle_page_adds_a_category_and_refuses_a_duplicate_name(client):
    world = award_world()
    client.force_login(world.staff)
    url = f"/awards/setup/{world.programme.slug}/{world.cycle.number}/"
    response = client.post(url, {"action": "category", "new-kind": "institutional", "new-name_ar": "بلديات الحاضرة",
                                 "new-eligibility_ar": "البلديات التابعة للأمانة", "new-winners": "1",
                                 "new-order": "0"})
    assert response.status_code == 302
    category = Category.objects.get(cycle=world.cycle, name_ar="بلديات الحاضرة")
    assert category.kind == Category.Kind.INSTITUTIONAL and category.eligibility_ar
    response = client.post(url, {"action": "category", "new-kind": "institutional", "new-name_ar": "بلديات الحاضرة",
                                 "new-winners": "0", "new-order": "0"})
    assert response.status_code == 400
    assert set(response.context["category_form"].errors) == {"name_ar", "winners"}


def _category_url(world, category=None):
    return (f"/awards/setup/{world.programme.slug}/{world.cycle.number}/categories/"
            f"{(category or world.category).pk}/")


def test_category_page_adds_criteria_and_sub_criteria(client):
    world = award_world()
    category = CategoryFactory(cycle=world.cycle)
    client.force_login(world.staff)
    url = _category_url(world, category)
    response = client.post(url, {"action": "criterion", "criterion-name_ar": "القيادة", "criterion-weight": "2.5",
                                 "criterion-max_score": "20", "criterion-order": "0"})
    assert response.status_code == 302
    top = Criterion.objects.get(category=category, name_ar="القيادة")
    assert top.weight == 2.5 and top.max_score == 20
    response = client.post(url, {"action": "criterion", "criterion-parent": top.pk, "criterion-name_ar": "الرؤية",
                                 "criterion-weight": "1", "criterion-max_score": "10", "criterion-order": "0"})
    assert response.status_code == 302
    assert Criterion.objects.get(category=category, name_ar="الرؤية").parent == top


def test_category_page_bad_weight_and_maximum_field_errors_input_kept(client):
    world = award_world()
    client.force_login(world.staff)
    response = client.post(_category_url(world), {"action": "criterion", "criterion-name_ar": "معيار جديد",
                                                  "criterion-weight": "0", "criterion-max_score": "0",
                                                  "criterion-order": "0"})
    assert response.status_code == 400
    assert set(response.context["criterion_form"].errors) == {"weight", "max_score"}
    assert "معيار جديد" in response.content.decode()
    response = client.post(_category_url(world), {"action": "criterion", "criterion-name_ar": "معيار جديد",
                                                  "criterion-weight": "abc", "criterion-max_score": "10",
                                                  "criterion-order": "0"})
    assert set(response.context["criterion_form"].errors) == {"weight"}
    assert not Criterion.objects.filter(name_ar="معيار جديد").exists()


def test_category_page_changes_a_criterion_in_its_row(client):
    world = award_world()
    client.force_login(world.staff)
    criterion = world.criteria[0]
    prefix = f"c{criterion.pk}"
    response = client.post(_category_url(world), {
        "action": "criterion_update", "criterion": criterion.pk, f"{prefix}-name_ar": criterion.name_ar,
        f"{prefix}-weight": "-1", f"{prefix}-max_score": "10"})
    assert response.status_code == 400
    assert "-1" in response.content.decode()
    response = client.post(_category_url(world), {
        "action": "criterion_update", "criterion": criterion.pk, f"{prefix}-name_ar": "معيار معدل",
        f"{prefix}-weight": "3", f"{prefix}-max_score": "5"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name_ar, criterion.weight, criterion.max_score) == ("معيار معدل", 3, 5)


def test_category_page_copies_criteria_from_a_previous_cycle(client):
    world = award_world()
    previous = CategoryFactory(cycle=Cycle.objects.create(
        programme=world.programme, number=world.cycle.number + 1, nominations_open=timezone.now() - timedelta(days=400),
        nominations_close=timezone.now() - timedelta(days=300)))
    top = CriterionFactory(category=previous, name_ar="الابتكار", weight=3)
    CriterionFactory(category=previous, parent=top, name_ar="أفكار جديدة")
    empty = CategoryFactory(cycle=world.cycle)
    client.force_login(world.staff)
    page = client.get(_category_url(world, empty))
    assert previous in page.context["copy_form"].fields["source"].queryset
    other_programme_category = CategoryFactory()
    assert other_programme_category not in page.context["copy_form"].fields["source"].queryset
    response = client.post(_category_url(world, empty), {"action": "copy", "copy-source": previous.pk})
    assert response.status_code == 302
    assert sorted(Criterion.objects.filter(category=empty).values_list("name_ar", flat=True)) == [
        "أفكار جديدة", "الابتكار"]
    # Copying again into a category that now has criteria is refused on the field.
    response = client.post(_category_url(world, empty), {"action": "copy", "copy-source": previous.pk})
    assert response.status_code == 400


def test_category_page_documents_questions_and_judges(client):
    world = award_world()
    category = CategoryFactory(cycle=world.cycle)
    client.force_login(world.staff)
    url = _category_url(world, category)
    assert client.post(url, {"action": "document", "document-name_ar": "شهادة الأيزو", "document-required": "on",
                             "document-order": "0"}).status_code == 302
    assert client.post(url, {"action": "question", "question-label_ar": "ما أبرز إنجازاتكم؟",
                             "question-required": "on", "question-max_length": "2000",
                             "question-order": "0"}).status_code == 302
    response = client.post(url, {"action": "question", "question-label_ar": "سؤال", "question-max_length": "0",
                                 "question-order": "0"})
    assert response.status_code == 400 and "max_length" in response.context["question_form"].errors
    judge = world.judges[1]
    assert client.post(url, {"action": "judge", "judge-judge": judge.pk}).status_code == 302
    assert JudgeAssignment.objects.filter(category=category, judge=judge).exists()
    # Someone who is not a judge of the programme cannot be put on the category.
    response = client.post(url, {"action": "judge", "judge-judge": world.outsider.pk})
    assert response.status_code == 400 and "judge" in response.context["judge_form"].errors
    assert client.post(url, {"action": "judge_remove", "judge": judge.pk}).status_code == 302
    assert not JudgeAssignment.objects.filter(category=category, judge=judge).exists()
    assert category.documents.get().name_ar == "شهادة الأيزو"
    assert category.questions.get().max_length == 2000


def test_tiers_page_saves_ordered_tiers(client):
    world = award_world()
    client.force_login(world.staff)
    url = f"/awards/setup/{world.programme.slug}/{world.cycle.number}/tiers/"
    response = client.post(url, {"rows": "4", "tiers-0-name_ar": "الذهبية", "tiers-0-min_score": "85",
                                 "tiers-0-honored": "on", "tiers-1-name_ar": "", "tiers-1-min_score": "",
                                 "tiers-2-name_ar": "الفضية", "tiers-2-min_score": "70", "tiers-3-name_ar": ""})
    assert response.status_code == 302
    tiers = list(Tier.objects.filter(cycle=world.cycle).order_by("-min_score").values_list("name_ar", "min_score",
                                                                                          "honored"))
    assert tiers == [("الذهبية", 85, True), ("الفضية", 70, False)]


def test_tiers_page_overlapping_thresholds_field_errors_and_nothing_lost(client):
    world = award_world()
    Tier.objects.create(cycle=world.cycle, name_ar="قائمة", min_score=50)
    client.force_login(world.staff)
    url = f"/awards/setup/{world.programme.slug}/{world.cycle.number}/tiers/"
    response = client.post(url, {"rows": "4", "tiers-0-name_ar": "الذهبية", "tiers-0-min_score": "85",
                                 "tiers-1-name_ar": "", "tiers-1-min_score": "",
                                 "tiers-2-name_ar": "الفضية", "tiers-2-min_score": "90",
                                 "tiers-3-name_ar": "البرونزية", "tiers-3-min_score": "120"})
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"tiers-2-min_score", "tiers-3-min_score"}
    body = response.content.decode()
    assert 'data-testid="tier-error-2"' in body and 'value="البرونزية"' in body
    assert list(Tier.objects.filter(cycle=world.cycle).values_list("name_ar", flat=True)) == ["قائمة"]


def test_members_page_adds_a_judge_by_email_and_refuses_staff_adding_an_owner(client, mailoutbox):
    world = award_world()
    client.force_login(world.staff)
    url = f"/awards/setup/{world.programme.slug}/members/"
    response = client.post(url, {"action": "add", "email": "New.Judge@Example.org", "role": "judge"})
    assert response.status_code == 302
    row = ProgrammeMember.objects.get(programme=world.programme, role="judge", user__email="new.judge@example.org")
    from forum.mailing.models import OutgoingMessage

    assert OutgoingMessage.objects.filter(kind="awards.member", to="new.judge@example.org").exists()
    response = client.post(url, {"action": "add", "email": "boss@example.org", "role": "owner"})
    assert response.status_code == 404 or response.status_code == 400
    assert not ProgrammeMember.objects.filter(programme=world.programme, role="owner",
                                              user__email="boss@example.org").exists()
    response = client.post(url, {"action": "add", "email": "not-an-email", "role": "judge"})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert client.post(url, {"action": "remove", "member": row.pk}).status_code == 302
    assert not ProgrammeMember.objects.filter(pk=row.pk).exists()


def test_members_page_keeps_the_last_owner(client):
    world = award_world()
    client.force_login(world.owner)
    owner_row = ProgrammeMember.objects.get(programme=world.programme, role="owner")
    response = client.post(f"/awards/setup/{world.programme.slug}/members/", {"action": "remove",
                                                                             "member": owner_row.pk})
    assert response.status_code == 400 and response.context["remove_errors"]
    assert ProgrammeMember.objects.filter(pk=owner_row.pk).exists()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_setup_list_pages_queries_do_not_grow(client):
    world = award_world()
    client.force_login(world.staff)
    urls = [*_urls(world)]
    few = [_count(client, url) for url in urls]
    for i in range(4):
        category = CategoryFactory(cycle=world.cycle)
        top = CriterionFactory(category=category)
        CriterionFactory(category=category, parent=top)
        JudgeAssignment.objects.create(category=category, judge=world.judges[i % 2])
        # Numbers after the world's own cycle (a factory sequence): a fixed 50 clashed once the sequence got there.
        Cycle.objects.create(programme=world.programme, number=world.cycle.number + 1 + i, nominations_open=timezone.now(),
                             nominations_close=timezone.now() + timedelta(days=3))
        member(world.programme, ProgrammeMember.Role.COMMITTEE)
        Tier.objects.create(cycle=world.cycle, name_ar=f"فئة {i}", min_score=10 + i)
        CriterionFactory(category=world.category, parent=world.criteria[0])
        world.category.documents.create(name_ar=f"وثيقة {i}")
        world.category.questions.create(label_ar=f"سؤال {i}")
    assert [_count(client, url) for url in urls] == few


def test_portal_links_a_committee_member_to_the_results_page(client):
    world = award_world()
    committee = member(world.programme, ProgrammeMember.Role.COMMITTEE)
    client.force_login(committee)
    page = client.get("/awards/portal/").content.decode()
    assert f"/awards/manage/{world.programme.slug}/{world.cycle.number}/results/" in page
    client.force_login(world.assessor)
    page = client.get("/awards/portal/").content.decode()
    assert f"/awards/manage/{world.programme.slug}/{world.cycle.number}/results/" not in page


def test_category_page_changes_a_criterions_description_and_order(client):
    world = award_world()
    client.force_login(world.staff)
    criterion = world.criteria[0]
    prefix = f"c{criterion.pk}"
    page = client.get(_category_url(world)).content.decode()
    assert f'name="{prefix}-description_ar"' in page and f'name="{prefix}-order"' in page
    response = client.post(_category_url(world), {
        "action": "criterion_update", "criterion": criterion.pk, f"{prefix}-name_ar": criterion.name_ar,
        f"{prefix}-weight": "2", f"{prefix}-max_score": "10", f"{prefix}-order": "7",
        f"{prefix}-description_ar": "يقيس وضوح الرؤية ومشاركة الموظفين فيها"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.order, criterion.description_ar) == (7, "يقيس وضوح الرؤية ومشاركة الموظفين فيها")
    response = client.post(_category_url(world), {
        "action": "criterion_update", "criterion": criterion.pk, f"{prefix}-name_ar": criterion.name_ar,
        f"{prefix}-weight": "2", f"{prefix}-max_score": "10", f"{prefix}-order": "-3"})
    assert response.status_code == 400 and f"{prefix}-order" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.order == 7


def test_category_page_changes_a_document_and_a_question_in_place(client):
    world = award_world()
    client.force_login(world.staff)
    url = _category_url(world)
    document, question = world.document, world.question
    other = world.category.documents.create(name_ar="خطاب الترشيح")
    response = client.post(url, {"action": "document_update", "document": document.pk,
                                 f"d{document.pk}-name_ar": other.name_ar, f"d{document.pk}-order": "1"})
    assert response.status_code == 400
    assert "هذا المستند مُدرج من قبل." in response.content.decode()
    assert f'value="{other.name_ar}"' in response.content.decode()  # what was typed is kept
    response = client.post(url, {"action": "document_update", "document": document.pk,
                                 f"d{document.pk}-name_ar": "الهيكل التنظيمي", f"d{document.pk}-order": "3"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.name_ar, document.required, document.order) == ("الهيكل التنظيمي", False, 3)
    response = client.post(url, {"action": "question_update", "question": question.pk,
                                 f"q{question.pk}-label_ar": "أبرز الإنجازات", f"q{question.pk}-max_length": "0",
                                 f"q{question.pk}-order": "0"})
    assert response.status_code == 400
    response = client.post(url, {"action": "question_update", "question": question.pk,
                                 f"q{question.pk}-label_ar": "أبرز الإنجازات", f"q{question.pk}-required": "on",
                                 f"q{question.pk}-max_length": "1500", f"q{question.pk}-order": "0"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.label_ar, question.max_length) == ("أبرز الإنجازات", 1500)
    # A document of another category is not this page's to change.
    foreign = CategoryFactory().documents.create(name_ar="مستند")
    assert client.post(url, {"action": "document_update", "document": foreign.pk,
                             f"d{foreign.pk}-name_ar": "x", f"d{foreign.pk}-order": "0"}).status_code == 404
    for user in _outsiders(world).values():
        client.force_login(user)
        assert client.post(url, {"action": "question_update", "question": question.pk,
                                 f"q{question.pk}-label_ar": "x", f"q{question.pk}-max_length": "9",
                                 f"q{question.pk}-order": "0"}).status_code == 404
    question.refresh_from_db()
    assert question.label_ar == "أبرز الإنجازات"


def test_category_and_cycle_pages_remove_what_nobody_nominated_in(client):
    world = award_world()
    spare_cycle = Cycle.objects.create(programme=world.programme, number=world.cycle.number + 1,
                                       nominations_open=timezone.now() + timedelta(days=30),
                                       nominations_close=timezone.now() + timedelta(days=60))
    spare = CategoryFactory(cycle=world.cycle)
    NominationFactory(category=world.category)
    p, n = world.programme.slug, world.cycle.number
    for user in _outsiders(world).values():
        client.force_login(user)
        assert client.post(_category_url(world, spare), {"action": "category_delete"}).status_code == 404
        assert client.post(f"/awards/setup/{p}/{n + 1}/", {"action": "cycle_delete"}).status_code == 404
    client.force_login(world.staff)
    response = client.post(_category_url(world), {"action": "category_delete"})
    assert response.status_code == 400 and "ترشيحات" in response.content.decode()
    response = client.post(_category_url(world, spare), {"action": "category_delete"})
    assert response.status_code == 302 and response["Location"].endswith(f"/awards/setup/{p}/{n}/")
    assert not Category.objects.filter(pk=spare.pk).exists()
    response = client.post(f"/awards/setup/{p}/{n}/", {"action": "cycle_delete"})
    assert response.status_code == 400 and 'data-testid="delete-errors"' in response.content.decode()
    response = client.post(f"/awards/setup/{p}/{n + 1}/", {"action": "cycle_delete"})
    assert response.status_code == 302 and response["Location"].endswith(f"/awards/setup/{p}/")
    assert not Cycle.objects.filter(pk=spare_cycle.pk).exists()
    assert Cycle.objects.filter(pk=world.cycle.pk).exists()
