"""One honorific model for speakers and attendees: compound titles, protocol wording, shown with every name."""

import pytest
from django.urls import reverse

from forum.mailing.models import OutgoingMessage
from forum.models import Person
from registration import services
from registration.badges import services as badge_services
from registration.badges.models import Checkpoint
from registration.mail import CONFIRMATION_KIND, confirmation_enqueue
from registration.models import Registration
from tests.factories import TeamMemberFactory
from tests.registration.badges.factories import forum_today
from tests.registration.factories import RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db


def test_speakers_and_attendees_share_one_honorific_model():
    fields = {f.name for f in Person._meta.get_fields()} & {f.name for f in Registration._meta.get_fields()}
    assert {"honorific", "academic_title"} <= fields
    speaker = Person(honorific="excellency", academic_title="doctor", full_name_ar="أسامة البار")
    attendee = Registration(honorific="excellency", academic_title="doctor", full_name_ar="أسامة البار")
    assert speaker.display_name_ar == attendee.display_name_ar == "معالي الدكتور أسامة البار"


@pytest.mark.parametrize("honorific,second,arabic,english", [
    ("excellency", "doctor", "معالي الدكتور سعد المارق المحترم", "Dear H.E. Dr. Saad Almariq"),
    ("saada", "engineer", "سعادة المهندس سعد المارق المحترم", "Dear H.E. Eng. Saad Almariq"),
    ("hrh", "", "صاحب السمو الملكي سعد المارق حفظه الله", "Your Royal Highness Saad Almariq"),
    ("ustadha", "", "الأستاذة سعد المارق المحترمة", "Dear Ms. Saad Almariq"),
    ("", "", "السيد/السيدة سعد المارق", "Dear Saad Almariq"),
])
def test_protocol_salutation(honorific, second, arabic, english):
    someone = Registration(honorific=honorific, academic_title=second, full_name_ar="سعد المارق",
                           full_name_en="Saad Almariq")
    assert someone.salutation_ar == arabic and someone.salutation_en == english


def test_compound_honorific_through_the_form_shown_on_the_confirmation_page_and_e_mail(client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    form_page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert 'name="honorific"' in form_page and 'name="academic_title"' in form_page
    response = client.post(reverse("registration:register", args=[forum.slug]), {
        "registration_type": rtype.pk, "honorific": "excellency", "academic_title": "doctor",
        "full_name_ar": "أسامة بن جعفر البار", "full_name_en": "Osama Albar", "email": "osama@example.org",
    })
    registration = Registration.objects.get(email="osama@example.org")
    assert (registration.honorific, registration.academic_title) == ("excellency", "doctor")
    page = client.get(response["Location"]).content.decode()
    assert "معالي الدكتور أسامة بن جعفر البار" in page
    OutgoingMessage.objects.all().delete()
    confirmation_enqueue(registration_id=registration.pk)
    body = OutgoingMessage.objects.get(kind=CONFIRMATION_KIND).text_body
    assert "معالي الدكتور أسامة بن جعفر البار المحترم،" in body and "Dear H.E. Dr. Osama Albar," in body
    assert "السيد/السيدة" not in body


def test_api_registration_takes_the_second_title(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum)
    response = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/", {
        "registration_type": rtype.pk, "honorific": "saada", "academic_title": "engineer", **person()}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["academic_title"] == "engineer"


def test_attendee_list_and_scanner_show_the_honorific(client, client_for):
    forum = forum_today()
    rtype = RegistrationTypeFactory(forum=forum)
    registration = services.registration_create(forum=forum, registration_type=rtype, honorific="saada",
                                                academic_title="engineer", **person(full_name_ar="زكي العمران"))
    owner = TeamMemberFactory(forum=forum, role="owner").user
    client.force_login(owner)
    listing = client.get(reverse("registration:manage", args=[forum.slug])).content.decode()
    assert "سعادة المهندس زكي العمران" in listing
    badge = badge_services.badge_issue(registration=registration)
    badge_services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    staff = TeamMemberFactory(forum=forum, role="checkin").user
    scan = client_for(staff).post(reverse("badges-api:scan", kwargs={"forum_slug": forum.slug}),
                                  {"token": badge.token, "checkpoint": door.pk}, format="json")
    assert scan.json()["registration"]["name_ar"] == "سعادة المهندس زكي العمران"
    roster = client_for(staff).get(reverse("badges-api:roster", kwargs={"forum_slug": forum.slug})).json()
    assert "سعادة المهندس زكي العمران" in str(roster)
