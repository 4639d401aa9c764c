"""The whole award in a browser: an applicant submits, staff screen, two judges score, a visit is
recorded, the committee publishes, and the winner is among the ceremony's honorees and on the public page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import Cycle, Nomination
from forum.mailing.models import OutgoingMessage
from sessions.models import Honoree
from sessions.services import schedule_publish
from tests.awards.factories import award_world, jpeg_upload, pdf_upload


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_award_from_nomination_to_honoree(live_server, page, tmp_path, artifacts_dir, settings):
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    world = award_world()
    world.session.title_ar = "حفل التكريم"
    world.session.save()
    cycle_url = f"{live_server.url}/awards/{world.programme.slug}/{world.cycle.number}/"

    # The applicant asks for a sign-in link and opens it from the e-mail.
    page.goto(f"{live_server.url}/awards/portal/")
    page.get_by_test_id("signin-email").fill("applicant@example.org")
    page.get_by_test_id("signin-submit").click()
    expect(page.locator(".message")).to_be_visible()
    body = OutgoingMessage.objects.get(kind="awards.signin").text_body
    link = re.search(r"\S+/awards/portal/sign-in/\S+/", body).group(0).replace(settings.SITE_URL, live_server.url)
    page.goto(link)
    page.get_by_test_id(f"nominate-{world.programme.slug}").click()
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("status")).to_be_visible()

    # Submitting without the document is refused in Arabic; the answer typed stays.
    page.get_by_test_id("question").fill("أتممنا أتمتة الخدمات البلدية")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("document").locator(".errorlist")).to_contain_text("مطلوب")
    expect(page.get_by_test_id("question")).to_have_value("أتممنا أتمتة الخدمات البلدية")
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(pdf_upload().read())
    page.get_by_test_id(f"file-{world.document.pk}").set_input_files(str(cv))
    page.get_by_test_id(f"upload-{world.document.pk}").click()
    expect(page.get_by_test_id("document")).to_contain_text("cv.pdf")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("مُقدَّم")
    nomination = Nomination.objects.get()

    # Staff screen and shortlist, then schedule a visit.
    _sign_in(page, live_server, world.staff)
    manage = f"{live_server.url}/awards/manage/{world.programme.slug}/{world.cycle.number}/nominations/{nomination.pk}/"
    page.goto(manage)
    page.get_by_test_id("decision").select_option("eligible")
    page.get_by_test_id("screen").click()
    expect(page.get_by_test_id("stage")).to_have_text("اجتاز الفرز الأولي")
    page.get_by_test_id("shortlist").click()
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=9, minute=0)
    page.get_by_test_id("visit-start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("visit-end").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("visit-address").fill("الدمام، حي الشاطئ")
    page.get_by_test_id(f"assessor-{world.assessor.username}").check()
    page.get_by_test_id("schedule").click()
    # The page after shortlisting already had a message: wait for the visit itself.
    expect(page.locator(".card", has_text="الدمام، حي الشاطئ")).to_be_visible()

    # Two judges score from their dashboards.
    for judge, points in ((world.judges[0], "9"), (world.judges[1], "8")):
        _sign_in(page, live_server, judge)
        page.goto(f"{live_server.url}/awards/judge/{world.programme.slug}/{world.cycle.number}/")
        page.get_by_test_id("score-link").click()
        for criterion in world.criteria:
            page.get_by_test_id(f"score-criterion_{criterion.pk}").fill(points)
        page.get_by_test_id("save-scores").click()
        expect(page.locator(".message")).to_be_visible()

    # The assessor writes the visit report on a phone-sized page, with a photo.
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, world.assessor)
    page.goto(f"{live_server.url}/awards/visits/")
    page.get_by_test_id("visit-link").click()
    page.get_by_test_id("report").fill("طُبقت المعايير ميدانيًا")
    page.get_by_test_id("adjustment").fill("2")
    page.get_by_test_id("adjustment-reason").fill("تطبيق ميداني ممتاز")
    page.get_by_test_id("save-report").click()
    expect(page.get_by_test_id("visit-status")).to_have_text("كُتب التقرير")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg_upload().read())
    page.get_by_test_id("photo-file").set_input_files(str(photo))
    page.get_by_test_id("add-photo").click()
    expect(page.get_by_test_id("photo")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "awards-visit-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The chair finalizes and approves; the owner publishes.
    results = f"{live_server.url}/awards/manage/{world.programme.slug}/{world.cycle.number}/results/"
    _sign_in(page, live_server, world.chair)
    page.goto(results)
    page.get_by_test_id("finalize").click()
    expect(page.get_by_test_id("result-row")).to_have_count(1)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("results-state")).to_have_text("أقرّتها اللجنة")
    _sign_in(page, live_server, world.owner)
    page.goto(results)
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("results-state")).to_have_text("منشورة")
    assert Cycle.objects.get(pk=world.cycle.pk).results == Cycle.Results.PUBLISHED

    # The winner is on the ceremony session's honoring list and on the public pages.
    honoree = Honoree.objects.get(session=world.session)
    assert honoree.person_id == nomination.nominee_person_id and honoree.reason == Honoree.Reason.AWARD_WINNER
    schedule_publish(forum=world.forum)
    winner = nomination.nominee_person.full_name_ar
    page.context.clear_cookies()
    page.goto(cycle_url)
    expect(page.get_by_test_id("results")).to_contain_text(winner)
    page.goto(f"{live_server.url}/forums/{world.forum.slug}/sessions/{world.session.pk}/")
    expect(page.locator("main")).to_contain_text(winner)
    page.screenshot(path=str(artifacts_dir / "awards-ceremony-honorees.png"), full_page=True)
