"""Small things a newcomer notices: browser titles, halls in exports, sponsor headings, e-mail buttons, digits."""

import re

import pytest
from django.urls import reverse
from lxml import etree

from forum.mailing.models import OutgoingMessage
from forum.models import Sponsorship
from sessions.models import Session
from sessions.services import schedule_publish
from tests.factories import OrganizationFactory, PersonFactory, SessionFactory, TeamMemberFactory, at

from .factories import small_agenda

pytestmark = pytest.mark.django_db


def test_session_page_browser_title_is_the_sessions_name(client):
    d = small_agenda()
    page = client.get(reverse("frontend:session", args=[d["forum"].slug, d["first"].pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("الجودة في الخدمات البلدية") and d["forum"].title_ar in title


def test_schedule_xml_puts_a_hall_less_prayer_break_in_all_halls_not_an_invented_one(client):
    d = small_agenda(publish=False)
    forum = d["forum"]
    SessionFactory(forum=forum, hall=None, kind=Session.Kind.PRAYER, title_ar="صلاة الظهر", title_en="Dhuhr prayer",
                   starts_at=at(12, 0, day=forum.first_day), ends_at=at(12, 20, day=forum.first_day))
    schedule_publish(forum=forum)
    document = etree.fromstring(client.get(f"/forums/{forum.slug}/schedule.xml").content)
    rooms = {room.get("name") for room in document.findall("day/room")}
    assert "القاعة الرئيسية" not in rooms
    assert rooms <= {"القاعة الكبرى", "قاعة الياسمين", "كل القاعات"} and "كل القاعات" in rooms


def test_forum_home_participating_bodies_under_their_own_heading_without_a_disagreeing_tag(client, forum):
    Sponsorship.objects.create(forum=forum, organization=OrganizationFactory(name_ar="البريد السعودي"),
                               kind=Sponsorship.Kind.PARTICIPANT)
    Sponsorship.objects.create(forum=forum, organization=OrganizationFactory(name_ar="شركة الراعي"),
                               kind=Sponsorship.Kind.SPONSOR, tier=Sponsorship.Tier.GOLD)
    page = client.get(reverse("frontend:forum_home", args=[forum.slug])).content.decode()
    section = page[page.index('id="sponsors"'):]
    assert "<h3>الجهات المشاركة</h3>" in section and "شركة الراعي" in section
    participants = section[section.index("<h3>الجهات المشاركة</h3>"):]
    assert "البريد السعودي" in participants.split("</ul>")[0]
    assert '<span class="badge">' not in participants.split("</ul>")[0]
    assert "داعم" not in section.split("<h3>الجهات المشاركة</h3>")[1].split("</ul>")[0]


def test_invitation_e_mail_shows_the_personal_link_as_a_button(forum):
    from speakers import services

    session = SessionFactory(forum=forum)
    person = PersonFactory(honorific="engineer", full_name_ar="وائل حلواني", email="wael@example.org")
    services.invitation_create(forum=forum, session=session, person=person)
    message = OutgoingMessage.objects.get(kind="speakers.invitation")
    buttons = re.findall(r'<a href="(http[^"]+/portal/invitation/[^"]+)" style="[^"]*background:#14532d[^"]*">([^<]+)</a>',
                         message.html_body)
    assert [label for _url, label in buttons] == ["فتح رابطكم الشخصي", "Open your personal link"]
    assert "/portal/invitation/" in message.text_body  # the plain part keeps the link


def test_confirmation_page_reference_code_isolated_left_to_right_beside_its_label(client, forum):
    from registration import services
    from tests.registration.factories import RegistrationTypeFactory, person

    registration = services.registration_create(forum=forum, registration_type=RegistrationTypeFactory(forum=forum),
                                                **person())
    page = client.get(reverse("registration:detail", args=[registration.access_token])).content.decode()
    assert f'<dd data-testid="reference"><bdi dir="ltr">{registration.reference}</bdi></dd>' in page


@pytest.mark.parametrize("cookie,expected", [("arab", "٢٩"), ("latn", "29")])
def test_builder_gets_the_digit_choice_and_day_labels_in_it(client, forum, cookie, expected):
    import json

    client.force_login(TeamMemberFactory(forum=forum, role="owner").user)
    client.cookies["digits"] = cookie
    page = client.get(reverse("sessions:builder", args=[forum.slug])).content.decode()
    config = json.loads(re.search(r'id="builder-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert config["digits"] == cookie
    assert expected in config["day_labels"][forum.first_day.isoformat()]
