"""`seed_demo` loads the two forums of the seed reports, as reported, idempotently."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from demo.loader import DEMO_ORGANIZER_DEFAULT_PASSWORD, KHOBAR_SLUG, MAKKAH_SLUG
from forum.models import Forum, Hall, Organization, Person, Sponsorship, TeamMember, Track
from registration.models import RegistrationType
from sessions.models import Honoree, ScheduleVersion, Session, SessionItem, SessionRole
from speakers.models import WorkingPaper
from tests.factories import UserFactory

MODELS = [
    Organization, Person, Forum, Hall, Track, Sponsorship, TeamMember, Session, SessionRole, SessionItem,
    Honoree, WorkingPaper, RegistrationType, ScheduleVersion, get_user_model(),
]

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state() -> dict:
    """Every row of every model involved, by id, with its field values."""
    return {model.__name__: {row["id"]: row for row in model.objects.values()} for model in MODELS}


@pytest.fixture
def makkah(db):
    seed()
    return Forum.objects.get(slug=MAKKAH_SLUG)


@pytest.fixture
def khobar(makkah):
    return Forum.objects.get(slug=KHOBAR_SLUG)


def session_of(forum, **lookup) -> Session:
    return Session.objects.get(forum=forum, **lookup)


def test_seed_demo_twice_changes_nothing():
    first_output = seed()
    before = state()
    counts = {name: len(rows) for name, rows in before.items()}
    second_output = seed()
    after = state()

    assert {name: len(rows) for name, rows in after.items()} == counts
    assert after == before  # same ids, same values, same updated_at
    for slug in (MAKKAH_SLUG, KHOBAR_SLUG):
        version = ScheduleVersion.objects.get(forum__slug=slug)
        assert version.number == 1 and version.published_by.username == "organizer"
    assert first_output.count("agenda published") == 2
    assert "agenda published" not in second_output
    assert counts["Forum"] == 2 and counts["Session"] == 8 and counts["WorkingPaper"] == 4


def test_seed_demo_rerun_after_an_edit_restores_it_and_publishes_once_more(makkah):
    first = session_of(makkah, number=1)
    Session.objects.filter(pk=first.pk).update(title_ar="عنوان آخر")

    seed()

    first.refresh_from_db()
    assert first.title_ar == "الجلسة الأولى"
    # The live agenda went back to what v1 froze: nothing new to publish.
    assert ScheduleVersion.objects.filter(forum=makkah).count() == 1

    SessionItem.objects.filter(session=first, order=5).update(duration_minutes=30)  # not in the data
    seed()
    assert SessionItem.objects.get(session=first, order=5).duration_minutes == 15
    assert ScheduleVersion.objects.filter(forum=makkah).count() == 1


def test_seed_demo_publishes_again_when_the_live_agenda_differs_from_the_last_version(makkah):
    SessionItem.objects.create(session=session_of(makkah, number=1), order=99, kind="other", title_ar="فقرة إضافية")

    seed()

    versions = ScheduleVersion.objects.filter(forum=makkah).order_by("number")
    assert [v.number for v in versions] == [1, 2]


def test_seed_demo_makkah_forum_as_reported(makkah):
    assert makkah.title_ar == "ملتقى الجودة والتميز في الخدمات البلدية"
    assert makkah.status == Forum.Status.PUBLISHED and makkah.edition == 1
    assert makkah.organizer.name_ar == "أمانة العاصمة المقدسة"
    department = makkah.organizing_department
    assert department.name_ar == "إدارة الجودة والتميز المؤسسي"
    assert department.parent.name_ar == "الإدارة العامة للإستراتيجية والتميز المؤسسي"
    assert department.parent.parent == makkah.organizer
    assert makkah.patron.display_name_ar == "صاحب السمو الملكي الأمير خالد الفيصل"
    assert makkah.patron.position_en == "Advisor to the Custodian of the Two Holy Mosques and Emir of Makkah Region"
    assert makkah.venue_name_ar == "فندق برج الساعة (فيرمونت)"
    assert abs(float(makkah.latitude) - 21.4189) < 0.01 and abs(float(makkah.longitude) - 39.8262) < 0.01
    assert makkah.time_zone == "Asia/Riyadh"
    # What the report does not state is said in the notice, not in the forum's description.
    assert "illustrative" not in makkah.description_en and "توضيحي" not in makkah.description_ar
    for words in ("times are illustrative", "halls", "themes", "registration types", "five bodies",
                  "not stated", "«حمد»", "«محمد»"):
        assert words in makkah.notice_en, words
    assert "توضيحية" in makkah.notice_ar and "«حمد بن صالح بنتن»" in makkah.notice_ar
    assert makkah.slug == "makkah-quality-forum"  # no illustrative year in the address
    assert makkah.tracks.count() >= 2 and makkah.halls.exists()
    assert set(Sponsorship.objects.filter(forum=makkah).values_list("organization__name_ar", flat=True)) == {
        "هيئة الاتصالات وتقنية المعلومات", "مؤسسة البريد السعودي", "أمانة منطقة الرياض",
        "أمانة المنطقة الشرقية", "المجلس البلدي",
    }
    assert set(Sponsorship.objects.filter(forum=makkah).values_list("kind", flat=True)) == {"participant"}


def test_seed_demo_honorifics_as_reported(makkah):
    names = {p.full_name_ar: p.display_name_ar for p in Person.objects.all()}
    assert names["حمد بن صالح بنتن"] == "معالي الدكتور حمد بن صالح بنتن"
    assert names["أسامة بن فضل البار"] == "معالي الدكتور أسامة بن فضل البار"
    assert names["محمود كسناوي"] == "سعادة الدكتور محمود كسناوي"
    assert names["طارق بن حسن العمري"] == "المهندس طارق بن حسن العمري"
    assert names["فهد بن محمد الجبير"] == "معالي المهندس فهد بن محمد الجبير"
    bannten = Person.objects.get(full_name_ar="حمد بن صالح بنتن")
    assert (bannten.honorific, bannten.academic_title) == ("excellency", "doctor")
    assert bannten.display_name_en == "H.E. Dr. Hamad bin Saleh Bannten"
    assert all(p.full_name_en for p in Person.objects.all())


def test_seed_demo_opening_ceremony_items_in_order(makkah):
    opening = session_of(makkah, kind="opening")
    items = list(opening.items.order_by("order"))
    assert [i.kind for i in items] == ["anthem", "quran", "speech", "speech"]
    assert items[0].title_ar == "السلام الملكي"
    assert items[2].presenter.full_name_ar == "طارق بن حسن العمري"
    assert items[3].presenter.full_name_ar == "أسامة بن فضل البار"
    assert items[3].presenter.position_ar == "أمين العاصمة المقدسة"


def test_seed_demo_first_session_has_its_chair_and_four_speakers_with_papers(makkah):
    first = session_of(makkah, number=1)
    assert first.kind == "papers"
    roles = list(first.roles.select_related("person__organization").order_by("order"))
    chair = roles[0]
    assert chair.role == "chair" and chair.person.full_name_ar == "حمد بن صالح بنتن"
    assert chair.person.organization.name_ar == "مؤسسة البريد السعودي"
    speakers = [r.person for r in roles[1:]]
    assert [r.role for r in roles[1:]] == ["speaker"] * 4
    papers = {
        paper.speakers.get().full_name_ar: paper.title_ar
        for paper in WorkingPaper.objects.filter(forum=makkah).prefetch_related("speakers")
    }
    assert papers == {
        "محمود كسناوي": "أداء مجالس البلدية في تطوير الخدمات البلدية",
        "طارق بن حسن العمري": "جودة خدمة الإتصالات وتقنية المعلومات في هيئة الإتصالات وتقنية المعلومات",
        "وائل بن صالح حلواني": "تجربة 940 خدمة العملاء أمانة العاصمة المقدسة",
        "حسن بن علي عسيري": "تشغيل مركز خدمة المستفيدين للخدمات الإلكترونية تواصل",
    }
    assert {p.full_name_ar for p in speakers} == set(papers)
    items = list(first.items.order_by("order"))
    assert [i.kind for i in items] == ["paper"] * 4 + ["discussion", "honoring"]
    for item, speaker in zip(items[:4], speakers, strict=True):
        assert item.presenter == speaker
        assert item.paper.title_ar == item.title_ar and item.paper.title_en
        assert list(item.paper.speakers.all()) == [speaker]
    helwani = Person.objects.get(full_name_ar="وائل بن صالح حلواني")
    assert helwani.position_ar == "مساعد مدير عام خدمة العملاء"
    assert helwani.organization.name_ar == "أمانة العاصمة المقدسة"


def test_seed_demo_speakers_honored_by_the_mayor(makkah):
    first = session_of(makkah, number=1)
    honorees = Honoree.objects.filter(session=first)
    assert {h.person.full_name_ar for h in honorees} == {
        "محمود كسناوي", "طارق بن حسن العمري", "وائل بن صالح حلواني", "حسن بن علي عسيري",
    }
    assert {(h.reason, h.presented_by.full_name_ar) for h in honorees} == {("speaker", "أسامة بن فضل البار")}


def test_seed_demo_film_then_dhuhr_then_symposium(makkah):
    film = session_of(makkah, kind="film")
    prayer = session_of(makkah, kind="prayer")
    symposium = session_of(makkah, number=2)
    assert "مختبر الصحة" in film.title_ar
    assert session_of(makkah, number=1).ends_at <= film.starts_at < prayer.starts_at
    # «بعد صلاة الظهر مباشرة»: right after the prayer break.
    assert symposium.starts_at == prayer.ends_at
    assert prayer.starts_at.astimezone(makkah.tzinfo).hour == 12
    assert symposium.kind == "symposium" and "حوار مع الأمناء" in symposium.title_ar


def test_seed_demo_symposium_has_chair_and_two_panelists_and_their_honorees(makkah):
    symposium = session_of(makkah, number=2)
    roles = [(r.role, r.person.full_name_ar) for r in symposium.roles.order_by("order")]
    assert roles == [
        ("chair", "سعد بن محمد مارق"),
        ("panelist", "أسامة بن فضل البار"),
        ("panelist", "فهد بن محمد الجبير"),
    ]
    honored = {(h.reason, h.person.full_name_ar) for h in Honoree.objects.filter(session=symposium)}
    assert honored == {
        ("chair", "سعد بن محمد مارق"), ("mayor", "فهد بن محمد الجبير"), ("mayor", "أسامة بن فضل البار"),
    }


def test_seed_demo_closing_ceremony_honors_bodies_mayors_and_the_patron(makkah):
    closing = session_of(makkah, kind="honoring")
    honorees = list(Honoree.objects.filter(session=closing))
    bodies = {h.organization.name_ar for h in honorees if h.organization}
    assert bodies == set(Sponsorship.objects.filter(forum=makkah).values_list("organization__name_ar", flat=True))
    # The report names commemorative gifts for the bodies and the mayors; what the patron received is not stated.
    assert {h.gift for h in honorees if h.reason != "patron"} == {"gift"}
    mayors = {h.person.full_name_ar for h in honorees if h.reason == "mayor"}
    assert mayors == {"أسامة بن فضل البار", "فهد بن محمد الجبير"}
    patron = next(h for h in honorees if h.reason == "patron")
    assert patron.person == makkah.patron
    assert patron.presented_by_group_ar == "الجهات المشاركة" and patron.presented_by is None
    assert patron.gift == "unspecified"
    assert closing.starts_at >= session_of(makkah, number=2).ends_at


def test_seed_demo_khobar_forum_presentations(khobar):
    assert khobar.title_ar == "ملتقى مدراء الإدارات ورؤساء البلديات"
    assert khobar.organizer.name_ar == "أمانة المنطقة الشرقية"
    assert "illustrative" not in khobar.description_en and "illustrative" in khobar.notice_en
    opening = session_of(khobar, kind="opening")
    speech = opening.items.get()
    assert speech.kind == "speech" and speech.presenter.full_name_ar == "فهد بن محمد الجبير"
    programme = session_of(khobar, kind="presentations")
    items = list(programme.items.order_by("order"))
    presenters = [i.presenter.full_name_ar for i in items]
    assert presenters == [
        "زكي العمران", "صالح بن عبدالعزيز الملحم", "يوسف بن عبدالله المقهوي", "محمد بن عبدالعزيز الصفيان",
    ]
    assert {i.kind for i in items} == {"presentation"} and all(i.title_ar for i in items)
    speakers = list(programme.roles.filter(role="speaker").order_by("order").values_list("person__full_name_ar",
                                                                                         flat=True))
    assert speakers == presenters
    assert programme.roles.get(role="chair").person.full_name_ar == "فهد بن محمد الجبير"
    omran = Person.objects.get(full_name_ar="زكي العمران")
    assert omran.organization.parent == khobar.organizer
    assert ScheduleVersion.objects.filter(forum=khobar).count() == 1


@pytest.mark.parametrize("slug", [MAKKAH_SLUG, KHOBAR_SLUG])
def test_seed_demo_sessions_lie_within_the_forum_days(makkah, slug):
    forum = Forum.objects.get(slug=slug)
    sessions = list(forum.sessions.prefetch_related("items"))
    assert sessions
    for session in sessions:
        assert session.starts_at.astimezone(forum.tzinfo).date() in forum.days
        assert session.ends_at.astimezone(forum.tzinfo).date() in forum.days
        planned = sum(i.duration_minutes or 0 for i in session.items.all())
        assert planned <= session.duration_minutes, session.title_en
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.ends_at <= after.starts_at  # one hall, no overlaps


def test_seed_demo_khobar_internal_meeting_sells_no_workshop(khobar):
    assert set(RegistrationType.objects.filter(forum=khobar, is_active=True).values_list("code", flat=True)) == {
        "general", "vip", "speaker"}


def test_seed_demo_speakers_chair_and_mayors_honored_with_what_the_report_does_not_state(makkah):
    first, symposium = session_of(makkah, number=1), session_of(makkah, number=2)
    assert set(Honoree.objects.filter(session__in=[first, symposium]).values_list("gift", flat=True)) == {
        "unspecified"}


def test_seed_demo_rerun_renames_the_older_slug_in_place(db):
    from demo.loader import LEGACY_SLUGS

    seed()
    forum = Forum.objects.get(slug=MAKKAH_SLUG)
    old = next(old for old, new in LEGACY_SLUGS.items() if new == MAKKAH_SLUG)
    Forum.objects.filter(pk=forum.pk).update(slug=old)
    seed()
    assert Forum.objects.get(slug=MAKKAH_SLUG).pk == forum.pk and not Forum.objects.filter(slug=old).exists()


def test_seed_demo_forum_home_shows_the_notice_apart_from_the_description(makkah, client):
    page = client.get(reverse("frontend:forum_home", args=[MAKKAH_SLUG])).content.decode()
    about = page[page.index('id="about"'):page.index('data-testid="forum-notice"')]
    assert "توضيحية" not in about
    assert "توضيحية" in page[page.index('data-testid="forum-notice"'):]


@pytest.mark.parametrize("slug", [MAKKAH_SLUG])
def test_seed_demo_registration_types(makkah, slug):
    types = {t.code: t for t in RegistrationType.objects.filter(forum__slug=slug)}
    assert set(types) == {"general", "vip", "media", "speaker", "workshop"}
    assert (types["general"].pricing, types["general"].capacity) == ("free", 400)
    assert (types["vip"].pricing, types["vip"].category) == ("invitation", "vip")
    assert types["media"].requires_approval and types["media"].category == "media"
    assert (types["speaker"].pricing, types["speaker"].category) == ("invitation", "speaker")
    paid = types["workshop"]
    assert (paid.pricing, paid.price, paid.vat_rate, paid.currency) == ("paid", 250, 15, "SAR")


def test_seed_demo_organizer_logs_into_the_admin_and_owns_both_forums(makkah, client):
    user = get_user_model().objects.get(username="organizer")
    assert user.is_staff
    assert set(TeamMember.objects.filter(user=user, role="owner").values_list("forum__slug", flat=True)) == {
        MAKKAH_SLUG, KHOBAR_SLUG,
    }
    assert client.login(username="organizer", password=DEMO_ORGANIZER_DEFAULT_PASSWORD)
    assert client.get("/admin/").status_code == 200
    change = reverse("admin:forum_forum_change", args=[makkah.pk])
    assert client.get(change).status_code == 200


def test_seed_demo_staff_outsider_cannot_open_the_demo_forum_in_the_admin(makkah, client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:forum_forum_change", args=[makkah.pk]))
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 200


def test_seed_demo_password_from_environment(db, monkeypatch, client):
    monkeypatch.setenv("DEMO_ORGANIZER_PASSWORD", "another-Secret-42")
    output = seed()
    assert "another-Secret-42" in output
    assert client.login(username="organizer", password="another-Secret-42")


def test_seed_demo_prints_admin_and_public_urls(db):
    output = seed()
    assert "http://127.0.0.1:8000/admin/" in output
    assert "organizer" in output and DEMO_ORGANIZER_DEFAULT_PASSWORD in output
    assert f"/forums/{MAKKAH_SLUG}/" in output and f"/forums/{KHOBAR_SLUG}/" in output


@pytest.mark.django_db
def test_seed_demo_keeps_demo_badges_valid_today_so_the_scanner_can_be_tried():
    from datetime import timedelta

    from django.utils import timezone

    from registration.badges.models import BadgeSettings

    call_command("seed_demo", stdout=StringIO())
    for settings in BadgeSettings.objects.select_related("forum"):
        assert settings.forum.last_day + timedelta(days=settings.valid_days_after) > timezone.localdate()
    assert BadgeSettings.objects.count() == 2


@pytest.mark.django_db
def test_seed_demo_gives_demo_people_example_addresses_so_invitations_can_be_tried():
    call_command("seed_demo", stdout=StringIO())
    emails = list(Person.objects.values_list("email", flat=True))
    assert emails and all(e.endswith("@example.org") for e in emails)
    assert len(set(emails)) == len(emails)


def test_demo_organizer_speaks_for_the_demo_bodies_and_entered_the_people(makkah):
    from demo.loader import DEMO_ORGANIZER_USERNAME
    from forum import permissions

    organizer = get_user_model().objects.get(username=DEMO_ORGANIZER_USERNAME)
    for forum in Forum.objects.all():
        assert permissions.forum_publish_refusal(organizer, forum) is None
        for org in permissions.forum_speaks_for(forum):
            assert permissions.is_organization_member(organizer, org)
    assert not Person.objects.filter(created_by_forum__isnull=True).exists()
    # An outsider who starts a forum cannot publish it in the demo organizer's name.
    outsider = UserFactory()
    forum = Forum(slug="mine", title_ar="ملتقاي", organizer=makkah.organizer, status="published",
                  first_day=makkah.first_day, last_day=makkah.last_day)
    assert makkah.organizer.name in permissions.forum_publish_refusal(outsider, forum)


def test_seed_demo_has_a_gift_inventory_and_speakers_certificates_that_verify(makkah, client):
    from certificates.models import Certificate
    from sessions.models import GiftItem

    items = {g.name_ar: g for g in GiftItem.objects.filter(forum=makkah)}
    assert items["درع تذكاري"].is_ready and not items["هدية تذكارية"].is_ready
    certificates = list(Certificate.objects.filter(forum=makkah, revoked_at__isnull=True))
    assert {c.person.full_name_ar for c in certificates} >= {"طارق بن حسن العمري"}
    page = client.get(f"/certificates/v/{certificates[0].code}/")
    assert page.status_code == 200 and certificates[0].name_ar in page.content.decode()
    call_command("seed_demo", stdout=StringIO())
    assert Certificate.objects.filter(forum=makkah).count() == len(certificates)
