"""The public agenda in headless Chromium, on the demo forum loaded by `seed_demo`."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from forum.models import Forum, Hall
from sessions.models import Session
from sessions.selectors import schedule_version_latest
from sessions.services import schedule_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_forum() -> Forum:
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    forum = Forum.objects.filter(status=Forum.Status.PUBLISHED, schedule_versions__isnull=False).order_by("id").first()
    assert forum is not None, "seed_demo published no agenda"
    return forum


def _first_chair_name(forum: Forum) -> str:
    snapshot = schedule_version_latest(forum=forum).snapshot
    for session in sorted(snapshot["sessions"], key=lambda s: s["starts_at"]):
        chair = next((r for r in session["roles"] if r["role"] == "chair"), None)
        if chair:
            return snapshot["people"][str(chair["person_id"])]["display_name_ar"]
    raise AssertionError("the demo agenda has no chair")


def test_agenda_arabic_is_rtl_with_chair_and_english_flips_direction(live_server, page, artifacts_dir):
    forum = _demo_forum()
    chair = _first_chair_name(forum)
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    chair_line = page.locator("[data-testid=session-chair]", has_text=chair).first
    assert chair_line.is_visible()
    page.screenshot(path=str(artifacts_dir / "agenda-ar.png"), full_page=True)

    page.click("[data-testid=switch-language]")
    page.wait_for_url(f"{live_server.url}/en/forums/{forum.slug}/agenda/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-testid=session-chair]").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "agenda-en.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    page.screenshot(path=str(artifacts_dir / "agenda-ar-phone.png"), full_page=False)

    page.set_viewport_size({"width": 1280, "height": 900})
    for prefix, lang in (("", "ar"), ("/en", "en")):
        page.goto(f"{live_server.url}{prefix}/forums/{forum.slug}/")
        assert page.locator("[data-testid=forum-dates]").is_visible()
        page.screenshot(path=str(artifacts_dir / f"forum-home-{lang}.png"), full_page=True)
        page.goto(f"{live_server.url}{prefix}/forums/{forum.slug}/agenda/print/")
        page.screenshot(path=str(artifacts_dir / f"agenda-print-{lang}.png"), full_page=False)


def test_agenda_filter_narrows_the_list(live_server, page):
    forum = _demo_forum()
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    visible = page.locator("li.session:visible")
    before = visible.count()
    assert before > 2
    page.select_option("#f-type", "symposium")
    after = page.locator("li.session:visible").count()
    assert 0 < after < before
    assert "type=symposium" in page.url  # the filtered view stays shareable
    page.fill("#f-q", "")
    page.select_option("#f-type", "")
    assert page.locator("li.session:visible").count() == before
    page.fill("#f-q", "zzzz-no-such-session")
    assert page.locator("li.session:visible").count() == 0
    assert page.locator("[data-no-match]").is_visible()


def test_starring_two_overlapping_sessions_shows_the_clash(live_server, page, artifacts_dir):
    forum = _demo_forum()
    first = Session.objects.filter(forum=forum, number=1).first()
    hall = Hall.objects.filter(forum=forum).exclude(pk=first.hall_id).first()
    assert hall is not None
    overlapping = Session.objects.create(
        forum=forum, hall=hall, kind=Session.Kind.WORKSHOP, title_ar="ورشة قياس رضا المستفيدين",
        title_en="Workshop: measuring customer satisfaction",
        starts_at=first.starts_at + timedelta(minutes=30), ends_at=first.ends_at + timedelta(minutes=15),
    )
    schedule_publish(forum=forum)

    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    notice = page.locator("[data-clash-notice]")
    assert notice.is_hidden()
    page.click(f"#session-{first.pk} [data-star]")
    assert notice.is_hidden()  # one star alone cannot clash
    page.click(f"#session-{overlapping.pk} [data-star]")
    assert notice.is_visible()
    assert "ورشة قياس رضا المستفيدين" in notice.inner_text()
    assert page.locator(f"#session-{first.pk} [data-clash]").is_visible()
    assert page.locator(f"#session-{first.pk} [data-star]").get_attribute("aria-pressed") == "true"

    # The stars stay in the browser: "my agenda" lists both and the clash.
    page.goto(f"{live_server.url}/forums/{forum.slug}/my-agenda/")
    assert page.locator("li.session:visible").count() == 2
    assert page.locator("[data-clash-notice]").is_visible()
    page.screenshot(path=str(artifacts_dir / "my-agenda-clash-ar.png"), full_page=True)
    href = page.locator("[data-ics-mine]").get_attribute("href")
    assert f"{first.pk}" in href and f"{overlapping.pk}" in href


def test_ics_link_downloads_a_calendar(live_server, page, tmp_path):
    forum = _demo_forum()
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    with page.expect_download() as info:
        page.click("[data-testid=ics-forum]")
    target = tmp_path / "forum.ics"
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Riyadh" in text
    assert text.count("BEGIN:VEVENT") == len(schedule_version_latest(forum=forum).snapshot["sessions"])


def test_print_view_puts_one_day_per_a4_page(live_server, page, artifacts_dir):
    from io import BytesIO

    from pypdf import PdfReader

    from .factories import small_agenda

    forum = small_agenda()["forum"]  # two days, two halls
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    # Wide screen: the two halls side by side.
    boxes = [page.locator(f"li.session[data-hall='{h}']").first.bounding_box()
             for h in sorted({li.get_attribute("data-hall") for li in page.locator("li.session").all()} - {""})]
    assert len(boxes) == 2 and abs(boxes[0]["x"] - boxes[1]["x"]) > 200
    page.screenshot(path=str(artifacts_dir / "agenda-two-halls-ar.png"), full_page=True)
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/print/")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (artifacts_dir / "agenda-print-ar.pdf").write_bytes(pdf)
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 3 and abs(height - 842) < 3  # A4 in points
    assert all(p.extract_text().strip() for p in reader.pages)


def test_signed_in_attendee_stars_are_kept_on_the_server(live_server, page, client):
    from django.conf import settings

    from sessions.models import StarredSession
    from tests.factories import UserFactory

    from .factories import small_agenda

    d = small_agenda()
    user = UserFactory()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/en/forums/{d['forum'].slug}/agenda/")
    with page.expect_response(lambda r: "/starred/" in r.url and r.request.method == "POST") as answer:
        page.click(f"#session-{d['first'].pk} [data-star]")
    assert answer.value.status == 201
    assert list(StarredSession.objects.filter(user=user).values_list("session_id", flat=True)) == [d["first"].pk]
    # Another browser of the same user sees the star (from the server, not from localStorage).
    page.context.clear_cookies()
    other = page.context.browser.new_context()
    other.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url}])
    fresh = other.new_page()
    fresh.goto(f"{live_server.url}/en/forums/{d['forum'].slug}/my-agenda/")
    assert fresh.locator("li.session:visible").count() == 1
    assert "Quality in municipal services" in fresh.locator("li.session:visible").inner_text()
    other.close()


CONTRAST_JS = """
(selectors) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const [r, g, b, a] = parse(getComputedStyle(node).backgroundColor);
      if (a === undefined || a > 0) { return [r, g, b]; }
    }
    return [255, 255, 255];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = {};
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { continue; }
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out[sel] = (hi + 0.05) / (lo + 0.05);
  }
  return out;
}
"""


def test_agenda_is_accessible_landmarks_headings_labels_focus_and_contrast(live_server, page):
    forum = _demo_forum()
    page.goto(f"{live_server.url}/forums/{forum.slug}/agenda/")
    assert page.locator("header[role=banner]").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("footer[role=contentinfo]").count() == 1
    assert page.locator("nav[aria-label]").count() >= 1
    assert page.locator("form[role=search]").count() == 1

    levels = [int(tag[1]) for tag in page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "els => els.map(e => e.tagName)")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels

    for control in page.locator("form[role=search] select, form[role=search] input").all():
        control_id = control.get_attribute("id")
        assert page.locator(f"label[for='{control_id}']").count() == 1, control_id

    # The filters are reached with the keyboard alone, and the focus is visible.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "f-day":
            break
    else:
        raise AssertionError("the day filter is not reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("ArrowDown")  # a keyboard choice filters the list at once
    assert "day=" in page.url

    ratios = page.evaluate(CONTRAST_JS, [
        ".session__title a", ".session__meta", ".session__time", ".role", ".person__where", ".badge",
        ".badge--track", ".star", ".site-header__brand", ".day h2", "label[for=f-day]", ".agenda-count",
    ])
    assert len(ratios) >= 10
    low = {sel: round(r, 2) for sel, r in ratios.items() if r < 4.5}
    assert not low, f"below WCAG AA 4.5:1: {low}"
