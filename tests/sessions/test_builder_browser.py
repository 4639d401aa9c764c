"""The builder in headless Chromium, on the demo forum: a refused move, an accepted one, publication,
and the change on the public "what changed" page."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from demo.loader import DEMO_ORGANIZER_USERNAME, MAKKAH_SLUG
from forum.models import Forum
from sessions.models import ScheduleVersion, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_builder_refuses_a_clash_accepts_a_free_slot_and_publishes(page, live_server, artifacts_dir):
    call_command("seed_demo", stdout=StringIO())
    forum = Forum.objects.get(slug=MAKKAH_SLUG)
    ballroom, workshop_room = forum.halls.order_by("order")
    closing = Session.objects.get(forum=forum, title_en="Closing honoring ceremony")
    assert closing.hall_id == ballroom.pk
    # Something already in the workshop room while the closing ceremony runs.
    busy = Session.objects.create(
        forum=forum, kind="workshop", title_ar="ورشة عمل التميز المؤسسي", title_en="Excellence workshop",
        hall=workshop_room, starts_at=closing.starts_at - timedelta(minutes=50),
        ends_at=closing.ends_at + timedelta(minutes=10),
    )
    versions_before = ScheduleVersion.objects.filter(forum=forum).count()
    sign_in(page, live_server, get_user_model().objects.get(username=DEMO_ORGANIZER_USERNAME))
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/organize/{forum.slug}/builder/")
    page.wait_for_selector("[data-testid=builder-grid][data-ready='1']")
    assert page.locator("html").get_attribute("dir") == "rtl"

    # Drag the closing ceremony sideways into the workshop room, which is busy then: refused.
    card = page.locator(f"[data-testid=session-{closing.pk}]")
    box = card.bounding_box()
    day = forum.first_day.isoformat()
    target = page.locator(f"[data-testid=hall-col-{workshop_room.pk}-{day}]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 6
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move((x + target["x"] + target["width"] / 2) / 2, y, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, y, steps=5)
    page.mouse.up()
    alert = page.locator("[data-testid=builder-alert]")
    alert.wait_for(state="visible")
    assert busy.title_ar in alert.inner_text()
    page.screenshot(path=str(artifacts_dir / "builder-refused.png"), full_page=True)
    closing.refresh_from_db()
    assert closing.hall_id == ballroom.pk

    # Move it with the form to a free slot: the workshop room after the workshop.
    page.locator(f"[data-testid=session-{closing.pk}]").click()
    page.locator("[data-testid=session-dialog]").wait_for(state="visible")
    page.select_option("[data-testid=form-hall]", str(workshop_room.pk))
    page.fill("[data-testid=form-start]", "14:30")
    page.fill("[data-testid=form-end]", "15:00")
    page.click("[data-testid=save-session]")
    page.wait_for_selector("[data-testid=builder-status] >> text=/./")
    page.wait_for_function(
        f"document.querySelector('[data-testid=hall-col-{workshop_room.pk}-{day}] [data-testid=session-{closing.pk}]')"
    )
    closing.refresh_from_db()
    assert closing.hall_id == workshop_room.pk
    assert closing.starts_at.astimezone(forum.tzinfo).strftime("%H:%M") == "14:30"

    # Publish, then read the public "what changed".
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=published]")
    page.wait_for_selector(f"#versions-list [data-version='{versions_before + 1}'] li[data-type=moved]")
    page.screenshot(path=str(artifacts_dir / "builder-published.png"), full_page=True)
    assert ScheduleVersion.objects.filter(forum=forum).count() == versions_before + 1

    page.goto(f"{live_server.url}/forums/{forum.slug}/changes/")
    moved = page.locator("li[data-type=moved]").first
    assert closing.title_ar in moved.inner_text()
    assert workshop_room.name_ar in moved.inner_text()
    page.screenshot(path=str(artifacts_dir / "builder-public-changes.png"), full_page=True)

    # The keyboard moves it a quarter of an hour later; dragging its lower edge makes it longer.
    page.goto(f"{live_server.url}/en/organize/{forum.slug}/builder/")
    page.wait_for_selector("[data-testid=builder-grid][data-ready='1']")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.locator(f"[data-testid=session-{closing.pk}]").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        f"document.activeElement && document.activeElement.dataset.sessionId === '{closing.pk}'"
        f" && document.activeElement.textContent.includes('14:45')"
    )
    closing.refresh_from_db()
    assert closing.starts_at.astimezone(forum.tzinfo).strftime("%H:%M") == "14:45"
    handle = page.locator(f"[data-testid=resize-{closing.pk}]").bounding_box()
    hx, hy = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx, hy + 18, steps=4)  # 1.2 px a minute: 15 minutes longer
    page.mouse.up()
    page.wait_for_selector(f"[data-testid=session-{closing.pk}] >> text=14:45–15:30")
    closing.refresh_from_db()
    assert closing.ends_at.astimezone(forum.tzinfo).strftime("%H:%M") == "15:30"

    # The opening ceremony's run: the Quran recitation moved before the royal anthem, from the form.
    opening = Session.objects.get(forum=forum, kind="opening")
    page.locator(f"[data-testid=session-{opening.pk}]").click()
    items = page.locator("[data-testid=items-list] li")
    items.first.wait_for()
    assert "Royal anthem" in items.nth(0).inner_text()
    items.nth(1).get_by_role("button", name="Move up").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=items-list] li').textContent.includes('Quran')"
    )
    page.screenshot(path=str(artifacts_dir / "builder-dialog-en.png"), full_page=True)
    assert list(opening.items.order_by("order").values_list("kind", flat=True))[:2] == ["quran", "anthem"]
    page.click("#close-dialog")

    # A new paper session from the form, then its chair: the "no chair" warning comes and goes.
    page.click("[data-testid=new-session]")
    page.fill("#f-title_ar", "الجلسة الثالثة")
    page.fill("#f-title_en", "Third session")
    page.select_option("#f-kind", "papers")
    page.select_option("[data-testid=form-hall]", str(ballroom.pk))
    page.fill("[data-testid=form-start]", "15:30")
    page.fill("[data-testid=form-end]", "16:30")
    page.click("[data-testid=save-session]")
    page.wait_for_selector("#session-conflicts li")
    assert "no chair" in page.locator("#session-conflicts").inner_text()
    third = Session.objects.get(forum=forum, title_en="Third session")
    chair = opening.items.exclude(presenter=None).first().presenter
    page.fill("[data-testid=role-person]", f"{chair.display_name_en} (#{chair.pk})")
    page.select_option("#role-role", "chair")
    page.click("[data-testid=add-role]")
    page.wait_for_selector(f"[data-testid=roles-list] >> text={chair.full_name_en}")
    assert list(third.roles.values_list("person_id", "role")) == [(chair.pk, "chair")]
    assert "no chair" not in page.locator("#session-conflicts").inner_text()

    # Copy the whole agenda to next year's edition in one action.
    page.keyboard.press("Escape")  # closes the session dialog, as any modal dialog
    page.click("[data-testid=copy-edition]")
    page.fill("#copy-slug", "makkah-quality-forum-1441")
    page.fill("#copy-first-day", "2019-11-05")
    page.click("#copy-form button[value=copy]")
    link = page.locator("[data-testid=builder-status] a")
    link.wait_for()
    assert link.get_attribute("href") == "/en/organize/makkah-quality-forum-1441/builder/"
    copy = Forum.objects.get(slug="makkah-quality-forum-1441")
    assert copy.edition == forum.edition + 1
    assert copy.sessions.count() == forum.sessions.exclude(status="cancelled").count()


def test_builder_short_card_shows_its_time_and_title_on_one_line(page, live_server):
    from tests.factories import ForumFactory, SessionFactory, TeamMemberFactory

    forum = ForumFactory()
    short = SessionFactory(forum=forum, title_ar="عرض فيلم قصير عن التميز", title_en="A short film")
    short.ends_at = short.starts_at + timedelta(minutes=20)
    short.save()
    sign_in(page, live_server, TeamMemberFactory(forum=forum, role="owner").user)
    page.goto(f"{live_server.url}/organize/{forum.slug}/builder/")
    page.wait_for_selector("[data-testid=builder-grid][data-ready='1']")
    card = page.locator(f"[data-testid=session-{short.pk}]")
    assert "is-short" in card.get_attribute("class")
    box = card.bounding_box()
    title = card.locator(".card-title").bounding_box()
    time = card.locator(".card-time").bounding_box()
    # Both inside the card's 24 px (20 minutes), side by side on one line, the title given room.
    for part in (title, time):
        assert box["y"] - 1 <= part["y"] and part["y"] + part["height"] <= box["y"] + box["height"] + 1
    assert title["width"] > 40


def test_builder_time_and_number_fields_follow_the_digit_choice(page, live_server):
    """Times and numbers in the builder show the chosen digits, take either script, and refuse a
    time that is not on a 24-hour clock with a message in the page's language."""
    from sessions.models import PrayerTimeOverride
    from tests.factories import ForumFactory, SessionFactory, TeamMemberFactory

    forum = ForumFactory()
    session = SessionFactory(forum=forum, title_ar="الجلسة الأولى", title_en="First session", number=3)
    sign_in(page, live_server, TeamMemberFactory(forum=forum, role="owner").user)
    page.goto(f"{live_server.url}/organize/{forum.slug}/builder/")
    page.wait_for_selector("[data-testid=builder-grid][data-ready='1']")

    # The prayer times are written in Arabic-Indic digits, as everything else on the Arabic page.
    dhuhr = page.locator(".prayer-row[data-prayer=dhuhr] input.clock").first
    dhuhr.wait_for()
    shown = dhuhr.input_value()
    assert re.fullmatch("[٠-٩]{2}:[٠-٩]{2}", shown), shown

    # A time typed in Arabic-Indic digits is understood and saved as an override.
    dhuhr.fill("١٢:٢٥")
    with page.expect_response(lambda r: "prayer-time-overrides/" in r.url and r.request.method == "POST") as saved:
        dhuhr.dispatch_event("change")
    assert saved.value.ok
    assert saved.value.request.post_data_json["time"] == "12:25"
    # The panel is drawn again with the override (and its reset button) before anything else is typed.
    row = f".prayer-row[data-prayer=dhuhr][data-day='{forum.first_day.isoformat()}']"
    page.wait_for_function(f"document.querySelectorAll(\"{row} button\").length === 2")
    override = PrayerTimeOverride.objects.get(forum=forum, prayer="dhuhr")
    assert override.time.strftime("%H:%M") == "12:25"

    # Not a time: refused in Arabic, nothing saved.
    dhuhr = page.locator(".prayer-row[data-prayer=dhuhr] input.clock").first
    dhuhr.fill("٢٥:٠٠")
    dhuhr.dispatch_event("change")
    alert = page.locator("[data-testid=builder-alert]")
    alert.wait_for(state="visible")
    assert "نظام" in alert.inner_text() and "٢٤" in alert.inner_text()
    assert PrayerTimeOverride.objects.get(forum=forum, prayer="dhuhr").time.strftime("%H:%M") == "12:25"

    # The session form shows its times and number in the same digits and saves what was typed.
    page.locator(f"[data-testid=session-{session.pk}]").click()
    page.locator("[data-testid=session-dialog]").wait_for(state="visible")
    assert re.fullmatch("[٠-٩]{2}:[٠-٩]{2}", page.input_value("[data-testid=form-start]"))
    assert page.input_value("#f-number") == "٣"
    page.fill("[data-testid=form-start]", "٩٫٠٥")  # the Arabic decimal separator as the colon
    page.fill("[data-testid=form-end]", "١٠:٠٠")
    page.fill("#f-number", "٤")
    with page.expect_response(lambda r: f"/sessions/{session.pk}/" in r.url and r.request.method == "PATCH") as saved:
        page.click("[data-testid=save-session]")
    assert saved.value.ok
    session.refresh_from_db()
    assert session.starts_at.astimezone(forum.tzinfo).strftime("%H:%M") == "09:05"
    assert session.number == 4

    # A start that is not a time: refused in the form, in Arabic, before anything is sent.
    page.locator(f"[data-testid=session-{session.pk}]").click()
    page.fill("[data-testid=form-start]", "تسعة")
    page.click("[data-testid=save-session]")
    errors = page.locator("#session-form-errors")
    errors.wait_for(state="visible")
    assert "يبدأ" in errors.inner_text() or "نظام" in errors.inner_text()
    session.refresh_from_db()
    assert session.starts_at.astimezone(forum.tzinfo).strftime("%H:%M") == "09:05"
