"""Setting up an assessment in a browser: someone who speaks for an organization starts a programme, then
a cycle, a category, weighted criteria (one refused, then corrected) and a tier, all through the pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import Category, Criterion, Cycle, Programme, Tier
from forum.models import OrganizationMember
from tests.awards.test_browser import _sign_in
from tests.factories import OrganizationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_set_up_a_programme_through_the_pages(live_server, page, artifacts_dir):
    user, organization = UserFactory(), OrganizationFactory(name_ar="الجهاز المركزي للمعلومات")
    OrganizationMember.objects.create(organization=organization, user=user)
    _sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/awards/")
    page.get_by_test_id("setup-link").click()
    page.get_by_test_id("programme-new").click()
    page.locator("#id_slug").fill("taqyeem")
    page.locator("#id_kind").select_option("assessment")
    page.locator("#id_owner").select_option(str(organization.pk))
    page.locator("#id_name_ar").fill("برنامج تقييم مراكز الخدمة الحكومية")
    page.locator("#id_name_en").fill("Taqyeem")
    page.locator("#id_blind_judging").check()
    page.get_by_test_id("save-programme").click()
    expect(page.locator(".message")).to_be_visible()
    programme = Programme.objects.get(slug="taqyeem")
    assert programme.is_assessment and programme.blind_judging and programme.owner == organization

    # A cycle with its timeline; the page shows the dates Hijri beside Gregorian.
    page.get_by_test_id("cycle-new").click()
    start = timezone.localtime(timezone.now()) + timedelta(days=2)
    page.locator("#id_number").fill("1")
    page.locator("#id_nominations_open").fill(start.strftime("%Y-%m-%dT09:00"))
    page.locator("#id_nominations_close").fill((start + timedelta(days=30)).strftime("%Y-%m-%dT17:00"))
    page.locator("#id_judging_ends").fill((start + timedelta(days=60)).strftime("%Y-%m-%d"))
    page.locator("#id_ceremony_date").fill((start + timedelta(days=90)).strftime("%Y-%m-%d"))
    page.get_by_test_id("save-cycle").click()
    expect(page).to_have_url(re.compile(r"/awards/setup/taqyeem/1/$"))
    expect(page.locator("main")).to_contain_text("هـ")
    page.screenshot(path=str(artifacts_dir / "awards-setup-cycle.png"), full_page=True)
    cycle = Cycle.objects.get(programme=programme, number=1)

    # A category.
    page.locator("summary", has_text="إضافة فئة").click()
    page.locator("#id_new-kind").select_option("institutional")
    page.locator("#id_new-name_ar").fill("مراكز الخدمة")
    page.locator("#id_new-eligibility_ar").fill("مراكز الخدمة الحكومية في المملكة")
    page.get_by_test_id("add-category").click()
    expect(page.locator("h1")).to_contain_text("مراكز الخدمة")
    category = Category.objects.get(cycle=cycle)

    # A criterion with a weight of zero is refused in Arabic, what was typed stays; then corrected.
    page.locator("#id_criterion-name_ar").fill("سهولة الوصول إلى المركز")
    page.locator("#id_criterion-weight").fill("0")
    page.get_by_test_id("add-criterion").click()
    expect(page.locator(".field--error")).to_contain_text("يجب أن يكون الوزن أكبر من صفر")
    expect(page.locator("#id_criterion-name_ar")).to_have_value("سهولة الوصول إلى المركز")
    page.locator("#id_criterion-weight").fill("2")
    page.locator("#id_criterion-max_score").fill("20")
    page.get_by_test_id("add-criterion").click()
    expect(page.get_by_test_id("criterion-row")).to_have_count(1)
    page.locator("summary", has_text="إضافة معيار").click()
    page.locator("#id_criterion-name_ar").fill("التميز في تقديم الخدمة")
    page.locator("#id_criterion-weight").fill("1")
    page.get_by_test_id("add-criterion").click()
    expect(page.get_by_test_id("criterion-row")).to_have_count(2)
    assert sorted(Criterion.objects.filter(category=category).values_list("weight", flat=True)) == [1, 2]
    page.screenshot(path=str(artifacts_dir / "awards-setup-category.png"), full_page=True)

    # A tier, on a phone-sized screen: overlapping thresholds are refused, then the gold tier is saved.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/awards/setup/taqyeem/1/tiers/")
    page.locator("#tiers-0-name_ar").fill("الفئة الذهبية")
    page.locator("#tiers-0-min_score").fill("85")
    page.locator("#tiers-1-name_ar").fill("الفئة الفضية")
    page.locator("#tiers-1-min_score").fill("90")
    page.get_by_test_id("save-tiers").click()
    expect(page.get_by_test_id("tier-error-1")).to_contain_text("من الأعلى إلى الأدنى")
    expect(page.locator("#tiers-0-name_ar")).to_have_value("الفئة الذهبية")
    page.locator("#tiers-1-name_ar").fill("")
    page.locator("#tiers-1-min_score").fill("")
    page.get_by_test_id("save-tiers").click()
    expect(page.locator(".message")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "awards-setup-tiers-phone.png"), full_page=True)
    assert list(Tier.objects.filter(cycle=cycle).values_list("name_ar", "min_score")) == [("الفئة الذهبية", 85)]
    page.goto(f"{live_server.url}/awards/setup/taqyeem/1/categories/{category.pk}/")
    expect(page.get_by_test_id("criterion-row")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "awards-setup-category-phone.png"), full_page=True)
