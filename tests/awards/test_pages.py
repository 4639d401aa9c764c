"""The pages: public cycle page, portal, staff workspace, judges, assessors; constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards import services
from awards.models import Criterion, JudgeAssignment, Nomination, Tier
from tests.awards.factories import (
    CategoryFactory,
    NominationFactory,
    applicant_user,
    award_world,
    jpeg_upload,
    pdf_upload,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _grow(world, entries: int):
    """More categories, criteria, entries and scores: what must not change the query count."""
    for _i in range(entries):
        nomination = NominationFactory(category=world.category)
        for judge in world.judges:
            services.score_sheets_save(nomination=nomination, user=judge,
                                       sheets={c.pk: {"points": 5} for c in world.criteria})


def test_judges_dashboard_queries_do_not_grow_with_entries(client):
    world = award_world()
    judge = world.judges[1]
    client.force_login(judge)
    url = f"/awards/judge/{world.programme.slug}/{world.cycle.number}/"
    _grow(world, 2)
    few = _queries(client, url)
    _grow(world, 12)
    extra = CategoryFactory(cycle=world.cycle)
    Criterion.objects.create(category=extra, name_ar="معيار")
    JudgeAssignment.objects.create(category=extra, judge=judge)
    NominationFactory(category=extra)
    assert _queries(client, url) == few


def test_results_pages_queries_do_not_grow_with_entries(client):
    world = award_world()
    _grow(world, 2)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_publish(cycle=world.cycle, user=world.owner)
    client.force_login(world.staff)
    public = f"/awards/{world.programme.slug}/{world.cycle.number}/"
    manage = f"/awards/manage/{world.programme.slug}/{world.cycle.number}/results/"
    few_public, few_manage = _queries(client, public), _queries(client, manage)
    # Reopen with many more entries and categories, then publish again.
    from awards.models import Cycle

    Cycle.objects.filter(pk=world.cycle.pk).update(results="finalized")
    services.results_reopen(cycle=world.cycle, user=world.chair)
    _grow(world, 15)
    for _i in range(3):
        category = CategoryFactory(cycle=world.cycle)
        Criterion.objects.create(category=category, name_ar="معيار")
    services.results_finalize(cycle=world.cycle, user=world.chair)
    services.results_approve(cycle=world.cycle, user=world.chair)
    Cycle.objects.filter(pk=world.cycle.pk).update(results="published", published_at=timezone.now())
    assert _queries(client, public) == few_public
    assert _queries(client, manage) == few_manage


def test_public_cycle_page_shows_hijri_beside_gregorian_and_categories(client):
    world = award_world()
    response = client.get(f"/awards/{world.programme.slug}/{world.cycle.number}/")
    text = response.content.decode()
    assert world.category.name_ar in text and world.criteria[0].name_ar in text
    assert "هـ" in text and "م" in text  # Hijri and Gregorian side by side
    english = client.get(f"/en/awards/{world.programme.slug}/{world.cycle.number}/").content.decode()
    assert world.category.name_en in english


def test_private_cycle_page_is_not_found_for_the_public(client):
    world = award_world()
    world.cycle.is_public = False
    world.cycle.save()
    assert client.get(f"/awards/{world.programme.slug}/{world.cycle.number}/").status_code == 404
    client.force_login(world.staff)
    assert client.get(f"/awards/{world.programme.slug}/{world.cycle.number}/").status_code == 200


def test_portal_failed_submission_shows_field_errors_in_arabic_and_keeps_answers(client):
    world = award_world()
    user = applicant_user()
    client.force_login(user)
    nomination = services.nomination_create(category=world.category, user=user)
    url = f"/awards/portal/nominations/{nomination.pk}/"
    response = client.post(url, {"action": "submit", f"question_{world.question.pk}": "إنجازاتي"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "مطلوبة" in text or "مطلوب" in text  # the missing document, in Arabic
    assert "إنجازاتي" in text
    nomination.refresh_from_db()
    assert nomination.answers == {str(world.question.pk): "إنجازاتي"}  # saved despite the refused submission


def test_portal_upload_and_submit_then_applicant_sees_only_own(client):
    world = award_world()
    user = applicant_user()
    client.force_login(user)
    nomination = services.nomination_create(category=world.category, user=user)
    url = f"/awards/portal/nominations/{nomination.pk}/"
    response = client.post(url, {"action": "upload", "document": world.document.pk, "file": pdf_upload()})
    assert response.status_code == 302
    client.post(url, {"action": "submit", f"question_{world.question.pk}": "نص"})
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.SUBMITTED
    other = applicant_user()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert str(nomination.reference) not in client.get("/awards/portal/").content.decode()


def test_portal_new_nomination_creates_a_draft(client):
    world = award_world()
    client.force_login(applicant_user())
    response = client.post(f"/awards/portal/{world.programme.slug}/{world.cycle.number}/new/",
                           {"category": world.category.pk, "who": "self"})
    assert response.status_code == 302
    assert Nomination.objects.filter(category=world.category).count() == 1


def test_judge_page_refuses_score_above_maximum_in_english_and_keeps_input(client):
    world = award_world()
    nomination = NominationFactory(category=world.category)
    client.force_login(world.judges[1])
    c1, c2 = world.criteria
    response = client.post(f"/en/awards/judge/nominations/{nomination.pk}/",
                           {f"criterion_{c1.pk}": "7", f"criterion_{c2.pk}": "12", f"comment_{c1.pk}": "good"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "maximum of 10" in text and 'value="12"' in text


def test_judge_of_another_category_and_conflicted_judge_get_not_found(client):
    world = award_world()
    nomination = NominationFactory(category=world.category)
    stranger = applicant_user()
    JudgeAssignment.objects.create(category=CategoryFactory(cycle=world.cycle), judge=stranger)
    client.force_login(stranger)
    assert client.get(f"/awards/judge/nominations/{nomination.pk}/").status_code == 404
    judge = world.judges[1]
    services.conflict_declare(nomination=nomination, user=judge)
    client.force_login(judge)
    assert client.get(f"/awards/judge/nominations/{nomination.pk}/").status_code == 404


def test_blind_judging_hides_names_on_the_dashboard(client):
    world = award_world()
    world.programme.blind_judging = True
    world.programme.save()
    nominee = PersonFactory(full_name_ar="اسم سري جدا")
    NominationFactory(category=world.category, nominee_person=nominee)
    client.force_login(world.judges[1])
    text = client.get(f"/awards/judge/{world.programme.slug}/{world.cycle.number}/").content.decode()
    assert "اسم سري جدا" not in text


def test_staff_workspace_refused_to_judges_and_outsiders(client):
    world = award_world()
    for user in (world.judges[1], world.outsider, world.assessor):
        client.force_login(user)
        assert client.get(f"/awards/manage/{world.programme.slug}/{world.cycle.number}/").status_code == 404
    client.force_login(world.staff)
    assert client.get(f"/awards/manage/{world.programme.slug}/{world.cycle.number}/").status_code == 200


def test_visit_clash_on_the_page_names_the_assessor(client):
    world = award_world()
    first = NominationFactory(category=world.category, status="shortlisted")
    second = NominationFactory(category=world.category, status="shortlisted")
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    services.visit_schedule(nomination=first, user=world.staff, starts_at=start, ends_at=start + timedelta(hours=2),
                            address="x", assessors=[world.assessor])
    client.force_login(world.staff)
    local = timezone.localtime(start + timedelta(hours=1))
    response = client.post(
        f"/awards/manage/{world.programme.slug}/{world.cycle.number}/nominations/{second.pk}/",
        {"action": "visit", "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "address": "الخبر",
         "assessors": [world.assessor.pk]},
    )
    assert response.status_code == 400 and world.assessor.username in response.content.decode()


def test_assessor_phone_page_report_and_photo(client):
    world = award_world()
    nomination = NominationFactory(category=world.category, status="shortlisted")
    start = timezone.now() + timedelta(days=2)
    visit = services.visit_schedule(nomination=nomination, user=world.staff, starts_at=start,
                                    ends_at=start + timedelta(hours=1), address="x", assessors=[world.assessor])
    client.force_login(world.assessor)
    url = f"/awards/visits/{visit.pk}/"
    page = client.get(url).content.decode()
    assert 'name="viewport"' in page and world.criteria[0].name_ar in page
    response = client.post(url, {"report": "زيارة", "score_adjustment": "4", "adjustment_reason": "",
                                 f"check_{world.criteria[0].pk}": "yes"})
    assert response.status_code == 400 and "زيارة" in response.content.decode()
    assert client.post(url, {"report": "زيارة", "score_adjustment": "4", "adjustment_reason": "تطبيق ممتاز",
                             f"check_{world.criteria[0].pk}": "yes"}).status_code == 302
    assert client.post(url, {"action": "photo", "photo": jpeg_upload()}).status_code == 302
    photo = visit.photos.get()
    assert client.get(f"/awards/visits/photos/{photo.pk}/thumb/").status_code == 200
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"/awards/visits/photos/{photo.pk}/thumb/").status_code == 404


def test_exports_and_report_for_staff(client):
    world = award_world()
    _grow(world, 2)
    Tier.objects.create(cycle=world.cycle, name_ar="ذهبي", min_score=50)
    services.results_finalize(cycle=world.cycle, user=world.chair)
    client.force_login(world.staff)
    base = f"/awards/manage/{world.programme.slug}/{world.cycle.number}"
    csv = client.get(f"{base}/export/nominations.csv")
    assert csv.status_code == 200 and world.category.name_ar in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"{base}/export/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    report = client.get(f"{base}/report/").content.decode()
    assert world.criteria[0].name_ar in report
    client.force_login(world.judges[1])
    assert client.get(f"{base}/export/nominations.csv").status_code == 404


def test_verified_result_page_only_for_published_winners(client):
    world = award_world()
    _grow(world, 1)
    rows = services.results_finalize(cycle=world.cycle, user=world.chair)
    code = rows[0].public_code
    assert client.get(f"/awards/result/{code}/").status_code == 404
    services.results_approve(cycle=world.cycle, user=world.chair)
    services.results_publish(cycle=world.cycle, user=world.owner)
    response = client.get(f"/awards/result/{code}/")
    assert response.status_code == 200 and world.programme.name_ar in response.content.decode()
    assert client.get("/awards/result/not-a-code/").status_code == 404


def test_portal_lists_each_users_own_roles_only(client):
    world = award_world()
    judging = f"/awards/judge/{world.programme.slug}/{world.cycle.number}/"
    workspace = f"/awards/manage/{world.programme.slug}/{world.cycle.number}/"
    client.force_login(world.judges[1])
    text = client.get("/awards/portal/").content.decode()
    assert judging in text and workspace not in text
    client.force_login(world.staff)
    text = client.get("/awards/portal/").content.decode()
    assert workspace in text and judging not in text
    client.force_login(world.outsider)
    text = client.get("/awards/portal/").content.decode()
    assert workspace not in text and judging not in text
