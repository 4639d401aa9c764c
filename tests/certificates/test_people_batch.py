"""Issuing to a list of people from the organizers' certificates page: ticked or pasted, a kind, progress."""

import pytest
from django.urls import reverse
from django.utils import translation

from certificates import selectors, services
from certificates.models import Certificate, CertificateBatch, Kind
from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from tests.factories import HonoreeFactory, PersonFactory, SessionRoleFactory, TeamMemberFactory
from tests.registration.badges.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(forum):
    return TeamMemberFactory(forum=forum, role="editor").user


def _url(forum):
    return reverse("certificates:manage", args=[forum.slug])


def test_organizer_issues_to_ticked_and_pasted_people_and_sees_the_progress(
        forum, organizer, client, django_capture_on_commit_callbacks):
    volunteer = PersonFactory(created_by_forum=forum, email="Volunteer@Example.org")
    honoree = HonoreeFactory(forum=forum, person=PersonFactory()).person
    registrant = RegistrationFactory(forum=forum, person=PersonFactory(full_name_ar="هند بنت سعد الدوسري")).person
    client.force_login(organizer)
    page = client.get(_url(forum)).content.decode()
    assert 'data-testid="people-form"' in page and honoree.display_name_ar in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(forum), {
            "action": "people", "kind": "appreciation", "people": [str(honoree.pk)],
            "pasted": "Volunteer <volunteer@example.org>\n\n  هند   بنت سعد الدوسري \n",
            "role_ar": "لدعم الملتقى", "role_en": "for supporting the forum", "notify": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = CertificateBatch.objects.get(forum=forum)
    assert (batch.scope, batch.kind, batch.status, batch.done, batch.total) == ("team", "appreciation", "done", 3, 3)
    issued = Certificate.objects.filter(forum=forum)
    assert {c.person_id for c in issued} == {volunteer.pk, honoree.pk, registrant.pk}
    assert {c.kind for c in issued} == {Kind.APPRECIATION} and {c.role_ar for c in issued} == {"لدعم الملتقى"}
    assert OutgoingMessage.objects.filter(kind="certificate_issued").count() == 3
    page = client.get(_url(forum)).content.decode()
    assert 'data-testid="batch" data-status="done"' in page and "3 / 3" in page
    assert reverse("certificates:batch_download", args=[forum.slug, batch.pk]) in page


def test_unknown_and_ambiguous_lines_are_form_errors_in_arabic_and_nothing_is_issued(forum, organizer, client):
    PersonFactory(created_by_forum=forum, full_name_ar="محمد العتيبي", email="m1@example.org")
    SessionRoleFactory(session__forum=forum, person=PersonFactory(full_name_ar="محمد العتيبي", email="m2@example.org"))
    client.force_login(organizer)
    response = client.post(_url(forum), {"action": "people", "kind": "participation",
                                         "pasted": "nobody@example.org\nمحمد العتيبي"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "ليس من المشاركين في هذا الملتقى: «nobody@example.org»" in page
    assert "يحمل هذا الاسمَ أكثرُ من مشارك في الملتقى" in page and "«محمد العتيبي»" in page
    assert "nobody@example.org\nمحمد العتيبي" in page  # what was typed is kept
    assert not CertificateBatch.objects.exists()


@pytest.mark.parametrize("data, message_ar, message_en", [
    ({"kind": "participation"}, "اختر شخصًا واحدًا على الأقل أو الصق قائمة.",
     "Tick at least one person or paste a list."),
    ({"kind": "award", "pasted": "x@example.org"}, "Select a valid choice", "Select a valid choice"),
])
def test_empty_choice_or_bad_kind_is_a_form_error_in_the_users_language(forum, organizer, client, data,
                                                                        message_ar, message_en):
    PersonFactory(created_by_forum=forum, email="x@example.org")
    client.force_login(organizer)
    response = client.post(_url(forum), {"action": "people", **data})
    assert response.status_code == 400
    if message_ar != "Select a valid choice":
        assert message_ar in response.content.decode()
    with translation.override("en"):
        response = client.post(_url(forum), {"action": "people", **data}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and message_en in response.content.decode()
    assert not CertificateBatch.objects.exists()


def test_person_of_another_forum_cannot_be_ticked_or_sent_through_the_service(forum, organizer, client):
    stranger = PersonFactory(email="stranger@example.org")  # takes part in no forum of this team
    client.force_login(organizer)
    response = client.post(_url(forum), {"action": "people", "kind": "participation", "people": [str(stranger.pk)],
                                         "pasted": "stranger@example.org"})
    assert response.status_code == 400
    with pytest.raises(DomainError) as caught:
        services.batch_create(forum=forum, by=organizer, scope="team", person_ids=[stranger.pk])
    assert caught.value.code == "not_in_forum"
    assert not CertificateBatch.objects.exists()


def test_outsider_and_viewer_are_refused_the_people_batch(forum, outsider, viewer, client):
    volunteer = PersonFactory(created_by_forum=forum)
    data = {"action": "people", "kind": "participation", "people": [str(volunteer.pk)]}
    response = client.post(_url(forum), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in"))
    client.force_login(outsider)
    assert client.post(_url(forum), data).status_code == 404  # the page does not exist for them
    client.force_login(viewer)
    assert client.post(_url(forum), data).status_code == 403
    assert 'data-testid="people-form"' not in client.get(_url(forum)).content.decode()
    assert not CertificateBatch.objects.exists()


def test_pasted_list_is_read_in_one_query_whatever_its_length(forum, django_assert_num_queries):
    people = [PersonFactory(created_by_forum=forum) for _ in range(6)]
    for count in (2, 6):
        text = "\n".join(p.email for p in people[:count])
        with django_assert_num_queries(1):
            found = selectors.forum_people_from_lines(forum=forum, text=text)
        assert found.ids == [p.pk for p in people[:count]] and not found.unknown


def test_api_takes_the_kind_of_a_list_and_refuses_one_a_list_may_not_have(forum, client_for,
                                                                        django_capture_on_commit_callbacks):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    person = PersonFactory(created_by_forum=forum)
    api = client_for(owner)
    url = f"/api/v1/forums/{forum.slug}/certificates/batches/"
    refused = api.post(url, {"scope": "team", "person_ids": [person.pk], "kind": "attendance"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json(), refused.content
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, {"scope": "team", "person_ids": [person.pk], "kind": "appreciation",
                                 "role_ar": "لدعم الملتقى", "notify": False}, format="json")
    assert created.status_code == 202, created.content
    assert created.json()["kind"] == "appreciation"
    cert = Certificate.objects.get(forum=forum, person=person)
    assert (cert.kind, cert.role_ar) == (Kind.APPRECIATION, "لدعم الملتقى")
