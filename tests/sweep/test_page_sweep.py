"""Every public and organizer page, in Arabic and English, on a phone (390 px) and a desktop (1280 px).

Fails on: horizontal overflow; an English phrase left untranslated in an Arabic page; a digit in the
wrong script for the visitor's digit setting; a form control without a label; any axe-core violation
of the WCAG 2.1 A and AA rules. axe-core comes from the npm registry (tests/vendor, see AXE_VERSION
in the Makefile; the fixture installs it with npm when missing). No browser is downloaded.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from forum.models import Forum
from registration import services as registration_services
from registration.models import RegistrationType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = os.environ.get("AXE_VERSION", "4.10.2")
AXE = ROOT / "tests" / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)

# In the page: what the checks look at. Text inside these may legitimately hold Latin letters and digits.
PAGE_CHECKS = r"""
(digits) => {
  const exempt = (node) => node.closest('script, style, code, bdi, [dir=ltr], [lang=en], [translate=no], input, textarea, select, option, .digits-switch, .language-switch, time');
  // Titles and notes as organizers typed them keep their own digits («تجربة 940»); the digit check
  // covers what the product writes (dates, times, counts, numbers, sizes, prices).
  const typed = (node) => node.closest('.session__title, .session__papers, .items, .paper, .forum-notice, .my-agenda__list, .session-page h1, .user-text');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const english = [], wrongDigits = [];
  const lang = document.documentElement.lang;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (!text || !n.parentElement || exempt(n.parentElement)) continue;
    const style = getComputedStyle(n.parentElement);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (lang === 'ar' && /[A-Za-z]{3,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(text) && !/https?:|@|\.ics|\.xml|\.json/.test(text)) english.push(text.slice(0, 80));
    if (typed(n.parentElement)) continue;
    if (digits === 'arab' && /[0-9]/.test(text) && !/https?:|@|\.ics|\.xml|\.json|[A-Za-z][0-9]|[0-9][A-Za-z]/.test(text)) wrongDigits.push(text.slice(0, 80));
    if (digits === 'latn' && /[\u0660-\u0669]/.test(text)) wrongDigits.push(text.slice(0, 80));
  }
  const overflow = document.scrollingElement.scrollWidth - window.innerWidth;
  const unlabeled = [...document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea')]
    .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby') && !c.title)
    .map((c) => c.outerHTML.slice(0, 120));
  return { english, wrongDigits, overflow, unlabeled };
}
"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(AXE.parents[2]),
                        f"axe-core@{AXE_VERSION}"], check=True, cwd=ROOT, timeout=600)
    return AXE.read_text()


def _pages(forum: Forum, khobar: Forum, registration_token: str) -> dict[str, list[str]]:
    slug = forum.slug
    session = forum.sessions.filter(number=1).first()
    person = session.roles.first().person
    public = [
        "/", f"/forums/{slug}/", f"/forums/{slug}/agenda/", f"/forums/{slug}/sessions/{session.pk}/",
        f"/forums/{slug}/speakers/", f"/forums/{slug}/speakers/{person.pk}/", f"/forums/{slug}/changes/",
        f"/forums/{slug}/my-agenda/", f"/registration/{slug}/", f"/registration/{khobar.slug}/",
        f"/registration/r/{registration_token}/",
    ]
    organizer = [
        f"/organize/{slug}/builder/", f"/portal/manage/{slug}/", f"/portal/manage/{slug}/settings/",
        f"/registration/{slug}/manage/", f"/registration/{slug}/manage/settings/",
        f"/registration/badges/{slug}/scanner/",
    ]
    return {"public": public, "organizer": organizer}


def _sweep(page, base: str, paths: list[str], axe: str) -> list[str]:
    problems = []
    for digits in ("arab", "latn"):
        page.context.add_cookies([{"name": "digits", "value": digits, "url": base}])
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for prefix in ("", "/en"):
                for path in paths:
                    if prefix and digits == "arab" and width == 390:
                        continue  # English with Arabic-Indic digits is checked at desktop width
                    url = f"{base}{prefix}{path}"
                    response = page.goto(url)
                    where = f"{prefix}{path} @{width}px digits={digits}"
                    if response is None or response.status >= 400:
                        problems.append(f"{where}: HTTP {response.status if response else '?'}")
                        continue
                    found = page.evaluate(PAGE_CHECKS, digits)
                    if found["overflow"] > 1:
                        problems.append(f"{where}: horizontal overflow of {found['overflow']} px")
                    for text in found["english"]:
                        problems.append(f"{where}: untranslated? {text!r}")
                    for text in found["wrongDigits"]:
                        problems.append(f"{where}: digits not {digits}: {text!r}")
                    for control in found["unlabeled"]:
                        problems.append(f"{where}: control without a label: {control}")
                    if width == 1280:  # axe's rules do not depend on the width; once per page and language
                        page.add_script_tag(content=axe)
                        result = page.evaluate(
                            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
                            ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
                        )
                        problems.extend(f"{where}: axe {v}" for v in result)
    return problems


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    forum = Forum.objects.get(slug="makkah-quality-forum")
    khobar = Forum.objects.get(slug="khobar-directors-forum")
    # The demo forums lie in 1440/2018: reopen Makkah so its registration form can be swept too.
    Forum.objects.filter(pk=forum.pk).update(open_after_last_day=True)
    forum.refresh_from_db()
    registration = registration_services.registration_create(
        forum=forum, registration_type=RegistrationType.objects.get(forum=forum, code="general"),
        honorific="excellency", academic_title="doctor", full_name_ar="سعد المارق", full_name_en="Saad Almariq",
        email="saad@example.org",
    )
    return forum, khobar, registration.access_token


def test_public_pages_sweep(live_server, page, axe_source, demo):
    pages = _pages(*demo)["public"]
    problems = _sweep(page, live_server.url, pages, axe_source)
    assert not problems, "\n".join(problems)


def test_organizer_pages_sweep(live_server, page, axe_source, demo):
    from demo.loader import DEMO_ORGANIZER_DEFAULT_PASSWORD, DEMO_ORGANIZER_USERNAME

    client = Client()
    assert client.login(username=DEMO_ORGANIZER_USERNAME, password=DEMO_ORGANIZER_DEFAULT_PASSWORD)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    pages = _pages(*demo)["organizer"]
    problems = _sweep(page, live_server.url, pages, axe_source)
    assert not problems, "\n".join(problems)


def test_sweep_catches_what_it_looks_for(live_server, page, axe_source, db):
    """The checks themselves: a page with each fault is reported (so a clean sweep means something)."""
    page.goto(live_server.url + "/")
    page.set_content(
        '<html lang="ar" dir="rtl"><body><p>This was never translated</p><p>الساعة 10:30</p>'
        '<input type="text" name="x"><div style="width:3000px">wide</div></body></html>'
    )
    found = page.evaluate(PAGE_CHECKS, "arab")
    assert found["english"] and found["wrongDigits"] and found["unlabeled"] and found["overflow"] > 0
    page.add_script_tag(content=axe_source)
    ids = page.evaluate("async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => v.id)")
    assert "label" in ids
    assert json.dumps(ids)


