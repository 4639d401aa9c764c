"""Public pages: visibility, content in both languages, filters, my agenda, changes, caching and 304s."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import StarredSession
from sessions.services import schedule_publish, session_cancel, session_update
from speakers.models import PaperFile, PaperSettings, WorkingPaper
from tests.factories import ForumFactory, SponsorshipFactory, TeamMemberFactory, UserFactory

from .factories import small_agenda

pytestmark = pytest.mark.django_db


def _pages(forum, d):
    slug = forum.slug
    return [
        f"/forums/{slug}/", f"/forums/{slug}/agenda/", f"/forums/{slug}/agenda/print/",
        f"/forums/{slug}/sessions/{d['first'].pk}/", f"/forums/{slug}/speakers/",
        f"/forums/{slug}/speakers/{d['chair'].pk}/", f"/forums/{slug}/changes/", f"/forums/{slug}/my-agenda/",
        f"/forums/{slug}/schedule.xml", f"/forums/{slug}/schedule.json", f"/forums/{slug}/agenda.ics",
        f"/forums/{slug}/sessions/{d['first'].pk}/calendar.ics",
    ]


def test_every_public_page_answers_for_a_published_forum(client):
    d = small_agenda()
    for url in _pages(d["forum"], d):
        assert client.get(url).status_code == 200, url
        assert client.get("/en" + url).status_code == 200, url


def test_draft_forum_pages_are_404_for_visitors_and_outsiders(client):
    d = small_agenda(ForumFactory(status="draft"))
    urls = _pages(d["forum"], d)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_draft_forum_pages_are_visible_to_its_team(client):
    d = small_agenda(ForumFactory(status="draft"))
    member = TeamMemberFactory(forum=d["forum"], role="viewer").user
    client.force_login(member)
    response = client.get(f"/forums/{d['forum'].slug}/agenda/")
    assert response.status_code == 200
    assert "الجودة في الخدمات البلدية" in response.content.decode()


def test_forum_list_shows_published_forums_only(client):
    published = ForumFactory(title_ar="ملتقى منشور")
    ForumFactory(status="draft", title_ar="ملتقى مسودة")
    html = client.get("/").content.decode()
    assert published.title_ar in html
    assert "ملتقى مسودة" not in html


def test_agenda_without_published_version_says_not_published(client):
    forum = ForumFactory()
    small_agenda(forum, publish=False)
    response = client.get(f"/forums/{forum.slug}/agenda/")
    assert response.status_code == 200
    assert "لم يُنشر جدول الملتقى بعد" in response.content.decode()
    assert "الجودة في الخدمات البلدية" not in response.content.decode()
    assert client.get(f"/forums/{forum.slug}/schedule.xml").status_code == 404
    assert client.get(f"/forums/{forum.slug}/agenda.ics").status_code == 404


def test_agenda_shows_only_the_published_version_not_live_rows(client):
    d = small_agenda()
    session_update(session=d["first"], title_ar="عنوان لم يُنشر بعد")
    html = client.get(f"/forums/{d['forum'].slug}/agenda/").content.decode()
    assert "عنوان لم يُنشر بعد" not in html
    assert "الجودة في الخدمات البلدية" in html


def test_agenda_arabic_page_is_rtl_with_hijri_dates_chair_speakers_and_cancelled_badge(client):
    d = small_agenda()
    html = client.get(f"/forums/{d['forum'].slug}/agenda/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "الاثنين ٢٠ صفر ١٤٤٠هـ — ٢٩ أكتوبر ٢٠١٨م" in html
    assert "رئيس الجلسة" in html and "المهندس طارق العمري" in html
    assert "مدير عام المساندة الفنية" in html
    assert "الدكتورة" not in html and "الدكتور سارة القحطاني" in html
    assert "التحول الرقمي في الأمانات" in html  # the paper title
    assert 'data-testid="cancelled"' in html
    assert "١٠:٣٠–١٢:٠٠" in html


def test_agenda_english_page_is_ltr_with_english_names(client):
    d = small_agenda()
    html = client.get(f"/en/forums/{d['forum'].slug}/agenda/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Monday 20 Safar 1440 AH — 29 October 2018" in html
    assert "Eng. Tariq Al-Omari" in html and "Chair" in html
    assert "10:30–12:00" in html


def test_digits_setting_switches_to_latin_digits_in_arabic(client):
    d = small_agenda()
    response = client.get(reverse("frontend:set_digits") + f"?digits=latn&next=/forums/{d['forum'].slug}/agenda/")
    assert response.status_code == 302 and response["Location"] == f"/forums/{d['forum'].slug}/agenda/"
    html = client.get(f"/forums/{d['forum'].slug}/agenda/").content.decode()
    assert "10:30–12:00" in html and "الاثنين 20 صفر 1440هـ" in html


def test_digits_setting_refuses_to_redirect_elsewhere(client):
    response = client.get(reverse("frontend:set_digits") + "?digits=latn&next=https://evil.example/")
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("type=symposium", "حوار مع رؤساء البلديات", "الجودة في الخدمات البلدية"),
        ("q=سارة", "الجودة في الخدمات البلدية", "حوار مع رؤساء البلديات"),  # a speaker's name
        ("q=ساره", "الجودة في الخدمات البلدية", "حوار مع رؤساء البلديات"),  # typed without taa marbuta
        ("q=digital municipalities", "الجودة في الخدمات البلدية", "حوار مع رؤساء البلديات"),  # a paper title
        ("day=2018-10-30", "جلسة ملغاة", "حفل الافتتاح"),
    ],
)
def test_agenda_filters_narrow_the_list_on_the_server(client, query, present, absent):
    d = small_agenda()
    html = client.get(f"/forums/{d['forum'].slug}/agenda/?{query}").content.decode()
    section = html.split("data-count", 1)[1]
    assert present in section
    assert absent not in section


def test_agenda_filter_by_hall_and_track(client):
    d = small_agenda()
    slug = d["forum"].slug
    side = d["halls"][1]
    html = client.get(f"/forums/{slug}/agenda/?hall={side.pk}").content.decode().split("data-count", 1)[1]
    assert "حوار مع رؤساء البلديات" in html and "حفل الافتتاح" not in html
    html = client.get(f"/forums/{slug}/agenda/?track={d['track'].pk}").content.decode().split("data-count", 1)[1]
    assert "الجودة في الخدمات البلدية" in html and "حوار مع رؤساء البلديات" not in html


def test_forum_home_has_dates_in_both_calendars_register_button_sponsors_and_map(client):
    d = small_agenda()
    forum = d["forum"]
    SponsorshipFactory(forum=forum, tier="gold", organization__name_ar="هيئة الاتصالات")
    html = client.get(f"/forums/{forum.slug}/").content.decode()
    assert "٢٠ صفر ١٤٤٠هـ" in html and "٢٩ أكتوبر ٢٠١٨م" in html
    assert reverse("registration:register", args=[forum.slug]) in html
    assert "هيئة الاتصالات" in html and "ذهبي" in html or "Gold" in html
    assert "openstreetmap.org" in html
    assert "التحول الرقمي" in html  # the theme


def test_session_page_lists_items_papers_honorees_and_calendar_link(client):
    d = small_agenda()
    html = client.get(f"/forums/{d['forum'].slug}/sessions/{d['first'].pk}/").content.decode()
    assert "التحول الرقمي في الأمانات" in html
    assert "الدكتور سارة القحطاني" in html
    assert reverse("frontend:calendar_session", args=[d["forum"].slug, d["first"].pk]) in html
    assert "المكرمون" in html
    assert reverse("speakers:paper_download", kwargs={"paper_id": d["paper"].pk}) not in html


def test_session_page_links_the_paper_once_it_is_published(client):
    d = small_agenda()
    paper = d["paper"]
    PaperSettings.objects.create(forum=d["forum"], publication=PaperSettings.Publication.BEFORE_SESSION)
    WorkingPaper.objects.filter(pk=paper.pk).update(status="accepted", decided_at=timezone.now())
    PaperFile.objects.create(paper=paper, role="paper", version=1, file="papers/x.pdf", kind="pdf",
                             original_name="x.pdf", size=10, sha256="0" * 64)
    html = client.get(f"/forums/{d['forum'].slug}/sessions/{d['first'].pk}/").content.decode()
    assert reverse("speakers:paper_download", kwargs={"paper_id": paper.pk}) in html


def test_session_page_of_unknown_session_is_404(client):
    d = small_agenda()
    assert client.get(f"/forums/{d['forum'].slug}/sessions/999999/").status_code == 404


def test_speakers_page_labels_chairs_speakers_and_panelists(client):
    d = small_agenda()
    html = client.get(f"/en/forums/{d['forum'].slug}/speakers/").content.decode()
    assert "Eng. Tariq Al-Omari" in html and "Chair" in html
    assert "Khalid Al-Zahrani" in html and "Panelist" in html
    assert "Sarah Al-Qahtani" in html and "Speaker" in html


def test_speaker_page_lists_their_sessions_and_papers(client):
    d = small_agenda()
    html = client.get(f"/forums/{d['forum'].slug}/speakers/{d['speaker'].pk}/").content.decode()
    assert "الجودة في الخدمات البلدية" in html
    assert "التحول الرقمي في الأمانات" in html
    assert client.get(f"/forums/{d['forum'].slug}/speakers/999999/").status_code == 404


def test_changes_page_tells_what_changed_in_words(client):
    d = small_agenda()
    session_cancel(session=d["second"])
    session_update(session=d["first"], starts_at=d["first"].starts_at + timedelta(hours=2),
                   ends_at=d["first"].ends_at + timedelta(hours=2))
    schedule_publish(forum=d["forum"])
    html = client.get(reverse("frontend:changes", args=[d["forum"].slug])).content.decode()
    assert "أُلغيت: «حوار مع رؤساء البلديات»" in html
    assert "نُقلت: «الجودة في الخدمات البلدية»" in html
    assert "الإصدار ٢" in html
    english = client.get("/en" + reverse("frontend:changes", args=[d["forum"].slug])).content.decode()
    assert "Cancelled: “Dialogue with the mayors”." in english


def test_my_agenda_for_signed_in_user_shows_stars_and_clash(client):
    d = small_agenda()
    user = UserFactory()
    StarredSession.objects.create(user=user, session=d["first"])
    StarredSession.objects.create(user=user, session=d["second"])
    client.force_login(user)
    html = client.get(f"/forums/{d['forum'].slug}/my-agenda/").content.decode()
    assert "تعارض في أجندتك" in html
    assert f"ids={min(d['first'].pk, d['second'].pk)},{max(d['first'].pk, d['second'].pk)}" in html


def test_print_view_puts_each_day_on_its_own_page(client):
    d = small_agenda()
    html = client.get(f"/forums/{d['forum'].slug}/agenda/print/").content.decode()
    assert html.count('class="print-day"') == 2


def test_agenda_sends_validators_and_answers_304_to_a_repeat(client, django_assert_max_num_queries):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    with django_assert_max_num_queries(2):
        repeat = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304
    assert repeat.content == b""
    # Another language is another representation.
    assert client.get("/en" + url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_publishing_a_new_version_changes_the_etag_and_the_cached_page(client):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    etag = client.get(url)["ETag"]
    session_update(session=d["first"], title_ar="عنوان جديد منشور")
    schedule_publish(forum=d["forum"])
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "عنوان جديد منشور" in response.content.decode()


def test_cached_agenda_is_served_without_loading_the_snapshot(client, django_assert_max_num_queries):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    client.get(url)
    with django_assert_max_num_queries(2):  # the forum and the version number only
        assert client.get(url).status_code == 200


def test_trivial_ping_view_answers(client):
    assert client.get("/forums/ping").content == b"ok"


def test_gzip_accepting_clients_get_the_cached_page_gzipped(client):
    import gzip

    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    plain = client.get(url).content
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain


def test_a_forum_turned_back_to_draft_disappears_at_once_for_visitors(client):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    assert client.get(url).status_code == 200
    d["forum"].status = "draft"
    d["forum"].save()
    assert client.get(url).status_code == 404


def test_page_with_a_pending_message_is_rendered_not_taken_from_the_cache(client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    client.get(url)  # cached now
    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "تم تسجيلك بنجاح")
    from django.http import HttpResponse

    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "تم تسجيلك بنجاح" in client.get(url).content.decode()


def test_deleting_the_latest_version_shows_the_previous_one_at_once(client):
    d = small_agenda()
    session_update(session=d["first"], title_ar="عنوان الإصدار الثاني")
    second = schedule_publish(forum=d["forum"])
    url = f"/forums/{d['forum'].slug}/agenda/"
    assert "عنوان الإصدار الثاني" in client.get(url).content.decode()
    second.delete()
    html = client.get(url).content.decode()
    assert "عنوان الإصدار الثاني" not in html and "الجودة في الخدمات البلدية" in html


def test_a_query_string_is_never_served_to_the_next_visitor_from_the_cache(client):
    d = small_agenda()
    url = f"/forums/{d['forum'].slug}/agenda/"
    assert "junk-marker" in client.get(url + "?junk-marker=1").content.decode()
    assert "junk-marker" not in client.get(url).content.decode()
