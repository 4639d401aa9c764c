"""The session admin writes through sessions.services: the same checks and lock_version as the builder and the API,
a refusal shown as a form error (never a 500)."""

from datetime import timedelta

import pytest
from django.forms import MultiWidget
from django.utils import translation
from django.utils.translation import gettext

from sessions.models import Honoree, Session, SessionRole
from tests.factories import (
    PersonFactory,
    SessionFactory,
    SessionRoleFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_owner():
    member = TeamMemberFactory(role="owner", user=UserFactory(is_staff=True))
    return member.user, member.forum


def _field_data(prefix: str, form) -> dict:
    data = {}
    for name, field in form.fields.items():
        key = f"{prefix}{name}"
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif value is None:
            data[key] = ""
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    return data


def change_page_data(response) -> dict:
    """What the change page would post back unchanged: the session's form and every inline formset."""
    data = _field_data("", response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(f"{formset.management_form.prefix}-", formset.management_form))
        for form in formset.forms:
            data.update(_field_data(f"{form.prefix}-", form))
    return data


def in_arabic(message: str) -> str:
    """The admin speaks Arabic first: a message as the page shows it."""
    with translation.override("ar"):
        return gettext(message)


def url(session) -> str:
    return f"/admin/forum_sessions/session/{session.pk}/change/"


def test_admin_change_goes_through_the_service_and_counts_the_version(client, staff_owner):
    user, forum = staff_owner
    session = SessionFactory(forum=forum, title_en="Before")
    client.force_login(user)
    data = change_page_data(client.get(url(session)))
    data["title_en"] = "After"
    response = client.post(url(session), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.title_en == "After" and session.lock_version == 1


def test_admin_save_over_someone_elses_later_change_is_a_form_error(client, staff_owner):
    from sessions import services

    user, forum = staff_owner
    session = SessionFactory(forum=forum, title_en="Read")
    client.force_login(user)
    data = change_page_data(client.get(url(session)))
    services.session_update(session=session, title_en="Someone else's")  # after the page was read
    data["title_en"] = "Mine"
    response = client.post(url(session), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [in_arabic(
        "Someone else changed this session while you were editing it. Reload it and apply your change again.")]
    session.refresh_from_db()
    assert session.title_en == "Someone else's"


def test_admin_session_clashing_with_another_in_its_hall_is_a_form_error(client, staff_owner):
    user, forum = staff_owner
    first = SessionFactory(forum=forum)
    second = SessionFactory(forum=forum, hall=first.hall, starts_at=first.ends_at,
                            ends_at=first.ends_at + timedelta(hours=1))
    client.force_login(user)
    data = change_page_data(client.get(url(second)))
    data["starts_at_1"] = str(first.starts_at.astimezone(forum.tzinfo).time())
    response = client.post(url(second), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    second.refresh_from_db()
    assert second.starts_at == first.ends_at


def test_admin_second_chair_is_a_form_error_and_nothing_is_saved(client, staff_owner):
    user, forum = staff_owner
    chair = SessionRoleFactory(session__forum=forum, role="chair")
    session = chair.session
    client.force_login(user)
    data = change_page_data(client.get(url(session)))
    data.update({"roles-TOTAL_FORMS": "2", "roles-1-person": str(PersonFactory().pk), "roles-1-role": "chair",
                 "roles-1-order": "1", "roles-1-session": str(session.pk)})
    response = client.post(url(session), data)
    assert response.status_code == 200
    [roles] = [inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "roles"]
    assert roles.non_form_errors() == [in_arabic("This session already has a chair; add a co-chair instead.")]
    assert SessionRole.objects.filter(session=session).count() == 1


def test_admin_parts_and_honoree_are_added_through_the_services(client, staff_owner):
    user, forum = staff_owner
    session = SessionFactory(forum=forum)
    speaker, honoree = PersonFactory(), PersonFactory()
    client.force_login(user)
    data = change_page_data(client.get(url(session)))
    data.update({
        "roles-TOTAL_FORMS": "1", "roles-0-person": str(speaker.pk), "roles-0-role": "speaker", "roles-0-order": "0",
        "roles-0-session": str(session.pk),
        "honorees-TOTAL_FORMS": "1", "honorees-0-person": str(honoree.pk), "honorees-0-reason": "other",
        "honorees-0-gift": "gift", "honorees-0-order": "1", "honorees-0-status": "done",
        "honorees-0-session": str(session.pk),
    })
    response = client.post(url(session), data)
    assert response.status_code == 302, response.context and [
        f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms]
    assert SessionRole.objects.get(session=session).person == speaker
    made = Honoree.objects.get(session=session)
    assert made.forum == forum and made.person == honoree
    assert made.status == Honoree.Status.DONE and made.done_by == user  # marked by who marked it


def test_admin_adds_a_session_through_the_service(client, staff_owner):
    user, forum = staff_owner
    model = SessionFactory.build(forum=forum)
    client.force_login(user)
    local_start = model.starts_at.astimezone(forum.tzinfo)
    local_end = model.ends_at.astimezone(forum.tzinfo)
    response = client.post("/admin/forum_sessions/session/add/", {
        "forum": str(forum.pk), "kind": "papers", "title_ar": "جلسة من لوحة الإدارة", "status": "scheduled",
        "starts_at_0": str(local_start.date()), "starts_at_1": str(local_start.time()),
        "ends_at_0": str(local_end.date()), "ends_at_1": str(local_end.time()),
        "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0",
        "honorees-TOTAL_FORMS": "0", "honorees-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Session.objects.get(title_ar="جلسة من لوحة الإدارة").forum == forum
