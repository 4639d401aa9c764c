"""The admin writes set-up through the services: their refusals come back as messages, never a 500."""

import pytest

from awards import services
from awards.models import Criterion, ProgrammeMember
from tests.awards.factories import NominationFactory, award_world

pytestmark = pytest.mark.django_db


def test_admin_adds_a_criterion_through_the_service_and_shows_its_refusal(client):
    world = award_world()
    world.staff.is_staff = True
    world.staff.save()
    client.force_login(world.staff)
    url = "/admin/awards/criterion/add/"
    body = {"category": world.category.pk, "name_ar": "معيار جديد", "weight": "2", "max_score": "10", "order": "0",
            "name_en": "", "description_ar": "", "description_en": "", "parent": ""}
    assert client.post(url, body).status_code == 302
    assert Criterion.objects.get(name_ar="معيار جديد").weight == 2
    # Once judging has started the service refuses new criteria: a message, not a 500, nothing written.
    nomination = NominationFactory(category=world.category)
    services.score_sheets_save(nomination=nomination, user=world.judges[0],
                               sheets={world.criteria[0].pk: {"points": 5}})
    refused = client.post(url, {**body, "name_ar": "معيار متأخر"}, follow=True)
    assert refused.status_code == 200 and not Criterion.objects.filter(name_ar="معيار متأخر").exists()
    assert any("التحكيم" in str(m) for m in refused.context["messages"])

def test_admin_lists_only_the_programmes_a_staff_user_works_on(client):
    world = award_world()
    other = award_world()
    world.staff.is_staff = True
    world.staff.save()
    client.force_login(world.staff)
    text = client.get("/admin/awards/programme/").content.decode()
    assert world.programme.name_ar in text and other.programme.name_ar not in text
    assert ProgrammeMember.objects.filter(user=world.staff).count() == 1


def test_admin_changes_go_through_the_update_services(client):
    world = award_world()
    world.staff.is_staff = True
    world.staff.save()
    client.force_login(world.staff)
    world.category.documents.create(name_ar="خطاب الترشيح")
    url = f"/admin/awards/requireddocument/{world.document.pk}/change/"
    body = {"name_ar": "خطاب الترشيح", "name_en": "", "required": "on", "order": "0"}
    refused = client.post(url, body, follow=True)
    assert refused.status_code == 200
    assert any("مُدرج" in str(m) for m in refused.context["messages"])
    world.document.refresh_from_db()
    assert world.document.name_ar != "خطاب الترشيح"
    assert client.post(url, {**body, "name_ar": "الهيكل التنظيمي"}).status_code == 302
    world.document.refresh_from_db()
    assert world.document.name_ar == "الهيكل التنظيمي"
    # Where the row belongs is not changed here: the category is shown, not posted.
    page = client.get(url).content.decode()
    assert 'name="category"' not in page
    # Criteria are fixed once judging starts, in the admin as on the pages.
    nomination = NominationFactory(category=world.category)
    services.score_sheets_save(nomination=nomination, user=world.judges[0],
                               sheets={world.criteria[0].pk: {"points": 5}})
    criterion = world.criteria[0]
    refused = client.post(f"/admin/awards/criterion/{criterion.pk}/change/", {
        "name_ar": "معيار معدل", "name_en": "", "description_ar": "", "description_en": "", "weight": "2",
        "max_score": str(criterion.max_score), "order": "0"}, follow=True)
    assert any("التحكيم" in str(m) for m in refused.context["messages"])
    criterion.refresh_from_db()
    assert criterion.name_ar != "معيار معدل"
