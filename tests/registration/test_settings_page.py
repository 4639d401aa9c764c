"""The organizers' registration settings page: owners and editors change capacity, seat hold and waiting list."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from forum.errors import DomainError
from registration import services
from registration.models import RegistrationSettings
from registration.services import registration_settings_update
from tests.factories import ForumFactory, TeamMemberFactory
from tests.registration.factories import RegistrationSettingsFactory, RegistrationTypeFactory, person

pytestmark = pytest.mark.django_db

VALID = {"is_open": "on", "capacity": "300", "hold_minutes": "45", "waitlist_enabled": "on", "claim_hours": "12"}


def settings_url(forum):
    return reverse("registration:settings", args=[forum.slug])


def take_seats(forum, count):
    rtype = RegistrationTypeFactory(forum=forum)
    for _ in range(count):
        services.registration_create(forum=forum, registration_type=rtype, **person())


def row_values(forum):
    return RegistrationSettings.objects.filter(forum=forum).values(
        "is_open", "capacity", "hold_minutes", "waitlist_enabled", "claim_hours", "seats_taken"
    ).first()


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_settings_page_organizer_saves_settings(client, forum, role):
    RegistrationSettingsFactory(forum=forum)
    client.force_login(TeamMemberFactory(forum=forum, role=role).user)
    response = client.post(settings_url(forum), {**VALID, "is_open": "", "waitlist_enabled": ""})
    assert response.status_code == 302 and response["Location"] == settings_url(forum)
    assert row_values(forum) == {"is_open": False, "capacity": 300, "hold_minutes": 45, "waitlist_enabled": False,
                                 "claim_hours": 12, "seats_taken": 0}
    page = client.get(response["Location"]).content.decode()
    assert "حُفظت إعدادات التسجيل." in page


def test_settings_page_empty_capacity_means_no_limit(client, forum, owner):
    RegistrationSettingsFactory(forum=forum, capacity=50)
    client.force_login(owner)
    assert client.post(settings_url(forum), {**VALID, "capacity": ""}).status_code == 302
    assert row_values(forum)["capacity"] is None


def test_settings_page_shows_current_values_in_arabic_and_english(client, forum, owner):
    RegistrationSettingsFactory(forum=forum, capacity=120, hold_minutes=25)
    client.force_login(owner)
    arabic = client.get(settings_url(forum))
    page = arabic.content.decode()
    assert arabic.status_code == 200
    assert "إعدادات التسجيل" in page and "دقائق احتفاظ التسجيل غير المدفوع بمقعده" in page and 'dir="rtl"' in page
    assert 'value="120"' in page and 'value="25"' in page
    english = client.get("/en" + settings_url(forum)).content.decode()
    assert "Registration settings" in english and "Minutes an unpaid registration holds its seat" in english


def test_settings_page_first_save_creates_the_row_a_view_does_not(client, forum, owner):
    client.force_login(owner)
    assert client.get(settings_url(forum)).status_code == 200
    assert not RegistrationSettings.objects.filter(forum=forum).exists()
    assert client.post(settings_url(forum), VALID).status_code == 302
    assert row_values(forum)["capacity"] == 300


def test_settings_page_capacity_below_seats_taken_refused_in_arabic(client, forum, owner):
    RegistrationSettingsFactory(forum=forum, capacity=10)
    take_seats(forum, 3)
    before = row_values(forum)
    client.force_login(owner)
    response = client.post(settings_url(forum), {**VALID, "capacity": "2"})
    assert response.status_code == 400
    assert "حُجز 3 مقعدًا بالفعل؛ لا يمكن أن تقل السعة عن ذلك." in response.content.decode()
    assert 'data-testid="error-capacity"' in response.content.decode()
    assert row_values(forum) == before


def test_settings_page_capacity_below_seats_taken_refused_in_english(client, forum, owner):
    RegistrationSettingsFactory(forum=forum, capacity=10)
    take_seats(forum, 3)
    client.force_login(owner)
    response = client.post("/en" + settings_url(forum), {**VALID, "capacity": "2"})
    assert response.status_code == 400
    assert "3 seats are already taken; the capacity cannot be lower." in response.content.decode()
    assert row_values(forum)["capacity"] == 10


def test_settings_page_capacity_equal_to_seats_taken_accepted(client, forum, owner):
    RegistrationSettingsFactory(forum=forum, capacity=10)
    take_seats(forum, 3)
    client.force_login(owner)
    assert client.post(settings_url(forum), {**VALID, "capacity": "3"}).status_code == 302
    assert row_values(forum)["capacity"] == 3 and row_values(forum)["seats_taken"] == 3


BAD = [
    ("capacity", "0", "السعة عدد صحيح من 1 إلى 1000000"),
    ("capacity", "-5", "السعة عدد صحيح من 1 إلى 1000000"),
    ("capacity", "many", "السعة عدد صحيح من 1 إلى 1000000"),
    ("capacity", str(10**20), "السعة عدد صحيح من 1 إلى 1000000"),
    ("capacity", "2.5", "السعة عدد صحيح من 1 إلى 1000000"),
    ("hold_minutes", "0", "يحتفظ التسجيل غير المدفوع بمقعده من 1 إلى 1440 دقيقة"),
    ("hold_minutes", "-30", "يحتفظ التسجيل غير المدفوع بمقعده من 1 إلى 1440 دقيقة"),
    ("hold_minutes", "1441", "يحتفظ التسجيل غير المدفوع بمقعده من 1 إلى 1440 دقيقة"),
    ("hold_minutes", "نصف ساعة", "يحتفظ التسجيل غير المدفوع بمقعده من 1 إلى 1440 دقيقة"),
    ("hold_minutes", "", "يرجى إدخال رقم."),
    ("claim_hours", "0", "ينتظر المقعد المعروض المطالبة به من 1 إلى 168 ساعة"),
    ("claim_hours", "169", "ينتظر المقعد المعروض المطالبة به من 1 إلى 168 ساعة"),
    ("claim_hours", "", "يرجى إدخال رقم."),
]


@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{f}={v[:12]}" for f, v, _m in BAD])
def test_settings_page_bad_input_gets_field_error_and_changes_nothing(client, forum, owner, field, value, message):
    RegistrationSettingsFactory(forum=forum, capacity=100, hold_minutes=30, claim_hours=24)
    before = row_values(forum)
    client.force_login(owner)
    response = client.post(settings_url(forum), {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in page and message in page
    assert row_values(forum) == before


def test_settings_page_bad_input_in_english(client, forum, owner):
    RegistrationSettingsFactory(forum=forum)
    client.force_login(owner)
    response = client.post("/en" + settings_url(forum), {**VALID, "hold_minutes": "0"})
    assert response.status_code == 400
    assert "An unpaid registration holds its seat from 1 to 1440 minutes (one day)." in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "checkin"])
def test_settings_page_team_member_without_edit_rights_refused(client, forum, role):
    RegistrationSettingsFactory(forum=forum, capacity=100)
    before = row_values(forum)
    client.force_login(TeamMemberFactory(forum=forum, role=role).user)
    assert client.get(settings_url(forum)).status_code == 404
    assert client.post(settings_url(forum), {**VALID, "capacity": "5"}).status_code == 404
    assert row_values(forum) == before


def test_settings_page_other_forums_owner_and_outsider_refused(client, forum, outsider):
    RegistrationSettingsFactory(forum=forum, capacity=100)
    before = row_values(forum)
    for user in (TeamMemberFactory(forum=ForumFactory(), role="owner").user, outsider):
        client.force_login(user)
        assert client.get(settings_url(forum)).status_code == 404
        assert client.post(settings_url(forum), {**VALID, "capacity": "5"}).status_code == 404
    assert row_values(forum) == before


def test_settings_page_anonymous_sent_to_sign_in(client, forum):
    RegistrationSettingsFactory(forum=forum, capacity=100)
    response = client.post(settings_url(forum), {**VALID, "capacity": "5"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert row_values(forum)["capacity"] == 100


def test_manage_page_links_settings_for_editors_only(client, forum, editor, viewer):
    link = f'href="{settings_url(forum)}"'
    client.force_login(editor)
    assert link in client.get(reverse("registration:manage", args=[forum.slug])).content.decode()
    client.force_login(viewer)
    assert link not in client.get(reverse("registration:manage", args=[forum.slug])).content.decode()


def test_closing_registration_on_the_page_closes_the_public_form(client, forum, owner):
    RegistrationTypeFactory(forum=forum)
    client.force_login(owner)
    client.post(settings_url(forum), {**VALID, "is_open": ""})
    page = client.get(reverse("registration:register", args=[forum.slug])).content.decode()
    assert 'data-testid="registration-closed"' in page


# ---- the service -------------------------------------------------------------------------------


def test_settings_update_capacity_below_seats_taken_raises_naming_capacity(forum):
    RegistrationSettingsFactory(forum=forum, capacity=10)
    take_seats(forum, 4)
    with pytest.raises(DomainError) as refused:
        registration_settings_update(forum=forum, capacity=3)
    assert set(refused.value.errors) == {"capacity"}
    assert row_values(forum)["capacity"] == 10


def test_settings_update_never_writes_the_seat_counter(forum):
    RegistrationSettingsFactory(forum=forum, capacity=10)
    take_seats(forum, 2)
    returned = registration_settings_update(forum=forum, capacity=20, hold_minutes=15)
    values = row_values(forum)
    assert (values["capacity"], values["hold_minutes"], values["seats_taken"]) == (20, 15, 2)
    assert returned.seats_taken == 2


@pytest.mark.parametrize("fields", [{"hold_minutes": True}, {"claim_hours": 10**6}, {"is_open": "yes"},
                                    {"capacity": 0}])
def test_settings_update_refuses_wrong_values(forum, fields):
    RegistrationSettingsFactory(forum=forum)
    before = row_values(forum)
    with pytest.raises(DomainError) as refused:
        registration_settings_update(forum=forum, **fields)
    assert set(refused.value.errors) == set(fields)
    assert row_values(forum) == before


def test_settings_update_unknown_field_is_a_programming_error(forum):
    with pytest.raises(TypeError):
        registration_settings_update(forum=forum, seats_taken=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_settings_update_waits_for_a_seat_being_taken_then_refuses(postgres_only):
    """A registration takes a seat while the capacity is being lowered to the old count: the change waits for
    the registration's row lock, sees the new count and is refused (no constraint error, no oversold forum)."""
    forum = ForumFactory()
    RegistrationSettingsFactory(forum=forum, capacity=5)
    rtype = RegistrationTypeFactory(forum=forum)
    services.registration_create(forum=forum, registration_type=rtype, **person())
    seat_taken = threading.Event()

    def register_slowly():
        try:
            with transaction.atomic():
                services._seat_take(forum_id=forum.pk, type_id=rtype.pk)  # the registration's seat UPDATE
                seat_taken.set()
                time.sleep(0.5)  # still holding the forum's settings row
        finally:
            connection.close()

    thread = threading.Thread(target=register_slowly)
    thread.start()
    assert seat_taken.wait(timeout=10)
    with pytest.raises(DomainError) as refused:
        registration_settings_update(forum=forum, capacity=1)
    thread.join(timeout=10)
    assert "2" in refused.value.errors["capacity"][0]
    assert row_values(forum)["capacity"] == 5 and row_values(forum)["seats_taken"] == 2
