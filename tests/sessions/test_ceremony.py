"""The honoring ceremony: presenters, gifts, the run sheet in protocol order, marking honors done."""

import re

import pytest
from django.urls import reverse

from forum.errors import DomainError, PermissionDenied
from sessions import selectors, services
from sessions.models import Honoree
from sessions.services import schedule_publish
from tests.factories import (
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
    TeamMemberFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ceremony(forum):
    """Seed 002's closing: speakers, a minister, an excellency, the bodies, and the patron honored last."""
    session = SessionFactory(forum=forum, kind="honoring", title_ar="حفل التكريم", title_en="Honoring ceremony")
    mayor = PersonFactory(honorific="excellency", full_name_ar="أسامة بن فضل البار", position_ar="أمين العاصمة المقدسة")
    patron = PersonFactory(honorific="hrh", full_name_ar="خالد الفيصل", position_ar="أمير منطقة مكة المكرمة")
    people = {
        "speaker": services.honoree_create(forum=forum, session=session, person=PersonFactory(honorific="engineer"),
                                           reason="speaker", presented_by=mayor, order=1),
        "patron": services.honoree_create(forum=forum, session=session, person=patron, reason="patron",
                                          gift="shield", presented_by_group_ar="الجهات المشاركة",
                                          presented_by_group_en="the participating bodies", order=2),
        "saada": services.honoree_create(forum=forum, session=session, person=PersonFactory(honorific="saada"),
                                         reason="panelist", presented_by=mayor, order=3),
        "body": services.honoree_create(forum=forum, session=session, organization=OrganizationFactory(),
                                        reason="sponsor", gift="unspecified", order=4),
        "minister": services.honoree_create(forum=forum, session=session, person=mayor, reason="mayor",
                                            order=5),
    }
    return session, people


def test_run_sheet_follows_protocol_patron_last(forum, ceremony):
    _session, h = ceremony
    ordered = selectors.honors_in_protocol_order(selectors.honorees_for_ceremony(forum=forum))
    assert [x.pk for x in ordered] == [h[k].pk for k in ("minister", "saada", "speaker", "body", "patron")]


def test_protocol_rank_overrides_the_order(forum, ceremony):
    _session, h = ceremony
    services.honoree_update(honoree=h["speaker"], protocol_rank=1)
    ordered = selectors.honors_in_protocol_order(selectors.honorees_for_ceremony(forum=forum))
    assert ordered[0].pk == h["speaker"].pk and ordered[-1].pk == h["patron"].pk


def test_moments_follow_the_agenda_and_honors_outside_a_session_come_last(forum, ceremony):
    session, h = ceremony
    first = SessionFactory(forum=forum, starts_at=at(8, day=forum.first_day), ends_at=at(9, day=forum.first_day))
    early = services.honoree_create(forum=forum, session=first, person=PersonFactory(), reason="chair")
    closing = services.honoree_create(forum=forum, person=PersonFactory(honorific="hrh"), reason="other")
    ordered = [x.pk for x in selectors.honors_in_protocol_order(selectors.honorees_for_ceremony(forum=forum))]
    assert ordered[0] == early.pk and ordered[-1] == closing.pk


def test_several_presenters_and_a_group_are_announced(forum, ceremony):
    _session, h = ceremony
    second = PersonFactory(honorific="doctor", full_name_ar="حمد بنتن")
    services.honoree_update(honoree=h["speaker"], presenters=[second])
    honoree = next(x for x in selectors.honorees_for_ceremony(forum=forum) if x.pk == h["speaker"].pk)
    words = selectors.honor_announcement_ar(honoree)
    assert "معالي أسامة بن فضل البار" in words and "الدكتور حمد بنتن" in words and words.startswith("يتفضّل")
    patron = next(x for x in selectors.honorees_for_ceremony(forum=forum) if x.pk == h["patron"].pk)
    assert "الجهات المشاركة" in selectors.honor_announcement_ar(patron)
    assert selectors.honor_presenters_en(patron) == "the participating bodies"


def test_honoree_needs_exactly_one_of_person_and_body(forum):
    with pytest.raises(DomainError):
        services.honoree_create(forum=forum, reason="other")
    with pytest.raises(DomainError):
        services.honoree_create(forum=forum, person=PersonFactory(), organization=OrganizationFactory())


def test_run_sheet_page_lists_rows_in_protocol_order(forum, ceremony, client):
    _session, h = ceremony
    client.force_login(TeamMemberFactory(forum=forum, role="viewer").user)
    html = client.get(reverse("sessions:run_sheet", args=[forum.slug])).content.decode()
    rows = [int(x) for x in re.findall(r'data-testid="run-sheet-row" data-honoree="(\d+)"', html)]
    assert rows == [h[k].pk for k in ("minister", "saada", "speaker", "body", "patron")]
    assert 'lang="ar" dir="rtl"' in html and "@page { size: A4" in html
    assert "صاحب السمو الملكي خالد الفيصل" in html and "الجهات المشاركة" in html


def test_run_sheet_is_for_the_team_only(forum, ceremony, client, outsider):
    url = reverse("sessions:run_sheet", args=[forum.slug])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_marking_an_honor_done_on_the_day(forum, ceremony, client, editor):
    _session, h = ceremony
    client.force_login(editor)
    url = reverse("sessions:ceremony_live", args=[forum.slug])
    response = client.post(url, {"honoree": h["speaker"].pk})
    assert response.status_code == 302
    h["speaker"].refresh_from_db()
    assert h["speaker"].status == "done" and h["speaker"].done_by == editor and h["speaker"].done_at
    first_time = h["speaker"].done_at
    client.post(url, {"honoree": h["speaker"].pk})  # a second tap changes nothing
    h["speaker"].refresh_from_db()
    assert h["speaker"].done_at == first_time
    client.post(url, {"honoree": h["speaker"].pk, "done": "0"})  # undo a mistaken tap
    h["speaker"].refresh_from_db()
    assert h["speaker"].status == "planned" and h["speaker"].done_at is None
    assert client.post(url, {"honoree": "x"}).status_code == 400


def test_viewers_and_outsiders_may_not_mark_honors(forum, ceremony, client, viewer, outsider):
    _session, h = ceremony
    url = reverse("sessions:ceremony_live", args=[forum.slug])
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"honoree": h["speaker"].pk}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"honoree": h["speaker"].pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.honoree_mark(honoree=h["speaker"], by=outsider)
    h["speaker"].refresh_from_db()
    assert h["speaker"].status == "planned"


def test_public_session_page_shows_the_honors_made(forum, ceremony, client, editor):
    session, h = ceremony
    schedule_publish(forum=forum)
    url = reverse("frontend:session", kwargs={"slug": forum.slug, "session_id": session.pk})
    assert 'data-testid="honors-made"' not in client.get(url).content.decode()
    services.honoree_mark(honoree=h["patron"], by=editor)
    html = client.get(url).content.decode()  # the cached page follows the marks
    assert 'data-testid="honors-made"' in html and "خالد الفيصل" in html and "الجهات المشاركة" in html


def test_gift_inventory_flags_missing_engravings_and_shortfalls(forum, ceremony, client, viewer):
    _session, h = ceremony
    shield = services.gift_item_create(forum=forum, kind="shield", name_ar="درع كريستال", quantity_needed=5,
                                       quantity_prepared=5, engraving_ar="تقديرًا", engraving_en="")
    gift = services.gift_item_create(forum=forum, kind="gift", name_ar="هدية تذكارية", quantity_needed=4,
                                     quantity_prepared=2, needs_engraving=False)
    ready = services.gift_item_create(forum=forum, kind="gift", name_ar="قلم", quantity_needed=1,
                                      quantity_prepared=1, needs_engraving=False)
    services.honoree_update(honoree=h["patron"], gift_item=shield)
    assert shield.engraving_missing and not shield.is_ready
    assert gift.shortfall == 2 and not gift.is_ready and ready.is_ready
    client.force_login(viewer)
    html = client.get(reverse("sessions:gift_inventory", args=[forum.slug])).content.decode()
    assert 'data-testid="missing-engravings"' in html
    assert html.count('data-ready="0"') == 2 and html.count('data-ready="1"') == 1
    run_sheet = client.get(reverse("sessions:run_sheet", args=[forum.slug])).content.decode()
    assert "نص الحفر ناقص" in run_sheet


def test_gift_inventory_refuses_bad_input(forum):
    services.gift_item_create(forum=forum, name_ar="درع")
    with pytest.raises(DomainError) as caught:
        services.gift_item_create(forum=forum, name_ar="درع")
    assert "name_ar" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        services.gift_item_create(forum=forum, name_ar="هدية", quantity_needed=-1)
    assert "quantity_needed" in caught.value.errors


def test_gift_from_another_forum_is_refused(forum, ceremony):
    from tests.factories import ForumFactory

    _session, h = ceremony
    foreign = services.gift_item_create(forum=ForumFactory(), name_ar="درع")
    with pytest.raises(DomainError) as caught:
        services.honoree_update(honoree=h["speaker"], gift_item=foreign)
    assert "gift_item" in caught.value.errors


def test_unspecified_gift_is_accepted(forum, ceremony):
    _session, h = ceremony
    from django.utils import translation

    with translation.override("en"):
        assert Honoree.objects.get(pk=h["body"].pk).get_gift_display() == "Not stated"


def test_api_marks_an_honor_done_and_keeps_the_inventory(forum, ceremony, client_for, editor, viewer):
    _session, h = ceremony
    api = client_for(editor)
    base = f"/api/v1/forums/{forum.slug}/"
    marked = api.post(f"{base}honorees/{h['speaker'].pk}/done/", {}, format="json")
    assert marked.status_code == 200 and marked.json()["status"] == "done" and marked.json()["done_at"]
    assert client_for(viewer).post(f"{base}honorees/{h['saada'].pk}/done/", {}, format="json").status_code == 403
    created = api.post(f"{base}gift-items/", {"kind": "shield", "name_ar": "درع", "quantity_needed": 3},
                       format="json")
    assert created.status_code == 201, created.content
    assert created.json()["engraving_missing"] is True
    duplicate = api.post(f"{base}gift-items/", {"name_ar": "درع"}, format="json")
    assert duplicate.status_code == 400 and "name_ar" in duplicate.json()
    group = api.patch(f"{base}honorees/{h['body'].pk}/", {"presented_by_group_ar": "الجهات المشاركة",
                                                          "gift_item": created.json()["id"]}, format="json")
    assert group.status_code == 200, group.content
    assert client_for(viewer).get(f"{base}gift-items/").json()["results"][0]["assigned"] == 1
