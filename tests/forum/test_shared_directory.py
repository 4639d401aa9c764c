"""People and organizations are shared by all forums: one forum's team never takes over another's.

Each rule is tried by an outsider (another forum's organizer who linked the victim into their
own forum), who is refused, and the victim's record is proven unchanged.
"""

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from forum import permissions
from forum.models import Organization, OrganizationMember, Person
from registration.models import Registration
from speakers import services as speaker_services
from tests.factories import (
    ForumFactory,
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
    SessionRoleFactory,
    SponsorshipFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.registration.badges.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_forums(settings, tmp_path):
    """Forum A created its speaker (who accepted A's invitation); forum B's owner links them into B."""
    settings.SPEAKERS_PRIVATE_ROOT = tmp_path / "private"
    a, b = ForumFactory(), ForumFactory()
    owner_a = TeamMemberFactory(forum=a, role="owner").user
    owner_b = TeamMemberFactory(forum=b, role="owner").user
    speaker = PersonFactory(created_by_forum=a, email="speaker@example.org", phone="0500000001",
                            full_name_ar="سعاد المتحدثة")
    invitation = speaker_services.invitation_create(
        forum=a, session=SessionFactory(forum=a), person=speaker, invited_by=owner_a
    )
    user = speaker_services.portal_user_for_invitation(invitation=invitation)
    speaker_services.invitation_respond(invitation=invitation, person=speaker, accept=True)
    speaker.refresh_from_db()
    return {"a": a, "b": b, "owner_a": owner_a, "owner_b": owner_b, "speaker": speaker, "speaker_user": user}


def _api(client_for, user):
    return client_for(user)


def _link_into_b(client_for, w):
    session = SessionFactory(forum=w["b"])
    response = client_for(w["owner_b"]).post(
        f"/api/v1/forums/{w['b'].slug}/session-roles/", {"session": session.pk, "person": w["speaker"].pk,
                                                           "role": "speaker"}, format="json")
    assert response.status_code == 201, response.content  # linking is allowed…
    return session


def _unchanged(person: Person, **expected):
    fresh = Person.objects.get(pk=person.pk)
    for name, value in expected.items():
        assert getattr(fresh, name) == value, name


# ---- e-mail -------------------------------------------------------------------------------------


def test_team_that_linked_a_person_cannot_change_their_email_or_record(client_for, two_forums):
    w = two_forums
    _link_into_b(client_for, w)
    b = client_for(w["owner_b"])
    for change in ({"email": "thief@example.org"}, {"full_name_ar": "اسم آخر"}, {"phone": "0"}):
        response = b.patch(f"/api/v1/people/{w['speaker'].pk}/", change, format="json")
        assert response.status_code == 403, response.content
    _unchanged(w["speaker"], email="speaker@example.org", full_name_ar="سعاد المتحدثة", phone="0500000001")
    w["speaker_user"].refresh_from_db()
    assert w["speaker_user"].email == "speaker@example.org"


def test_creating_team_changes_email_only_while_the_person_is_in_no_other_teams_forum(client_for, two_forums):
    w = two_forums
    a = client_for(w["owner_a"])
    ok = a.patch(f"/api/v1/people/{w['speaker'].pk}/", {"email": "corrected@example.org"}, format="json")
    assert ok.status_code == 200, ok.content
    w["speaker_user"].refresh_from_db()
    assert w["speaker_user"].email == "corrected@example.org"  # the sign-in address follows
    _link_into_b(client_for, w)
    refused = a.patch(f"/api/v1/people/{w['speaker'].pk}/", {"email": "again@example.org"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "email_not_yours"
    assert "لفريق آخر" in refused.json()["email"][0]  # a field-level message, in Arabic first
    _unchanged(w["speaker"], email="corrected@example.org")


def test_email_taken_by_another_person_is_a_field_error(client_for, two_forums):
    w = two_forums
    PersonFactory(email="taken@example.org")
    response = client_for(w["owner_a"]).patch(f"/api/v1/people/{w['speaker'].pk}/", {"email": "Taken@example.org"},
                                               format="json")
    assert response.status_code == 400 and "email" in response.json()
    _unchanged(w["speaker"], email="speaker@example.org")


def test_admin_refuses_another_teams_email_change_and_hides_their_contact(client_for, two_forums):
    w = two_forums
    _link_into_b(client_for, w)
    w["owner_a"].is_staff = True
    w["owner_a"].save()
    client = Client()
    client.force_login(w["owner_a"])
    url = f"/en/admin/forum/person/{w['speaker'].pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "speaker@example.org" in page.content.decode()
    form = {"honorific": "doctor", "academic_title": "", "full_name_ar": "سعاد المتحدثة", "full_name_en": "",
            "position_ar": "", "position_en": "", "organization": "", "email": "moved@example.org",
            "phone": "0500000001", "preferred_language": "ar", "bio_ar": "", "bio_en": "",
            "photo_thumbnail-TOTAL_FORMS": "0", "photo_thumbnail-INITIAL_FORMS": "0"}
    response = client.post(url, form)
    assert response.status_code in (200, 403)  # a form error (or the whole change refused)
    _unchanged(w["speaker"], email="speaker@example.org")
    w["owner_b"].is_staff = True
    w["owner_b"].save()
    client.force_login(w["owner_b"])
    assert client.post(url, form).status_code == 403
    b_page = client.get(url).content.decode()
    assert "speaker@example.org" not in b_page and "0500000001" not in b_page
    _unchanged(w["speaker"], email="speaker@example.org")


# ---- contact data -------------------------------------------------------------------------------


def test_linking_someone_into_your_session_shows_none_of_their_contact_data(client_for, two_forums):
    w = two_forums
    _link_into_b(client_for, w)
    b = client_for(w["owner_b"])
    one = b.get(f"/api/v1/people/{w['speaker'].pk}/").json()
    assert one["full_name_ar"] == "سعاد المتحدثة"
    assert "email" not in one and "phone" not in one
    listed = {p["id"]: p for p in b.get("/api/v1/people/", {"page_size": 500}).json()["results"]}
    assert "email" not in listed[w["speaker"].pk]
    # Forum A took the person in by their own act: A sees it.
    assert client_for(w["owner_a"]).get(f"/api/v1/people/{w['speaker'].pk}/").json()["email"] == "speaker@example.org"


def test_contact_shows_where_the_person_took_part_by_their_own_act(client_for, two_forums):
    w = two_forums
    session = _link_into_b(client_for, w)
    invitation = speaker_services.invitation_create(forum=w["b"], session=session, person=w["speaker"],
                                                    invited_by=w["owner_b"])
    b = client_for(w["owner_b"])
    assert "email" not in b.get(f"/api/v1/people/{w['speaker'].pk}/").json()  # invited is not taking part
    speaker_services.invitation_respond(invitation=invitation, person=w["speaker"], accept=True)
    assert b.get(f"/api/v1/people/{w['speaker'].pk}/").json()["email"] == "speaker@example.org"


def test_registration_is_an_own_act(client_for, two_forums):
    w = two_forums
    RegistrationFactory(forum=w["b"], person=w["speaker"])
    assert Registration.objects.filter(forum=w["b"]).exists()
    assert permissions.can_see_contact(w["owner_b"], w["speaker"])
    assert not permissions.can_see_contact(UserFactory(), w["speaker"])


def test_speakers_dashboard_shows_only_visible_contacts(client_for, two_forums, client):
    w = two_forums
    _link_into_b(client_for, w)
    client.force_login(w["owner_b"])
    page = client.get(f"/portal/manage/{w['b'].slug}/").content.decode()
    assert "سعاد المتحدثة" in page and "speaker@example.org" not in page
    client.force_login(w["owner_a"])
    assert "speaker@example.org" in client.get(f"/portal/manage/{w['a'].slug}/").content.decode()


# ---- the directory ------------------------------------------------------------------------------


def test_directory_lists_only_the_teams_people_and_those_already_public(client_for, two_forums):
    w = two_forums
    draft = ForumFactory(status="draft")
    hidden = SessionRoleFactory(session__forum=draft, person__full_name_ar="مخفي").person
    loose = PersonFactory(full_name_ar="غير مرتبط")
    mine = PersonFactory(created_by_forum=w["b"], full_name_ar="من فريق ب")
    b = client_for(w["owner_b"])
    ids = {p["id"] for p in b.get("/api/v1/people/", {"page_size": 500}).json()["results"]}
    assert mine.pk in ids and hidden.pk not in ids and loose.pk not in ids
    assert b.get(f"/api/v1/people/{hidden.pk}/").status_code == 404
    assert b.patch(f"/api/v1/people/{hidden.pk}/", {"full_name_ar": "x"}, format="json").status_code == 404
    _unchanged(hidden, full_name_ar="مخفي")


def test_lookup_by_exact_email_reveals_only_the_id(client_for, two_forums):
    w = two_forums
    b = client_for(w["owner_b"])
    found = b.get("/api/v1/people/lookup/", {"email": "SPEAKER@example.org"})
    assert found.status_code == 200 and found.json() == {"id": w["speaker"].pk}
    assert b.get("/api/v1/people/lookup/", {"email": "speaker@example"}).status_code == 404
    assert b.get("/api/v1/people/lookup/", {"email": "speaker"}).status_code == 404
    assert client_for(UserFactory()).get("/api/v1/people/lookup/", {"email": "speaker@example.org"}).status_code == 403


def test_person_created_through_the_api_belongs_to_the_team(client_for, two_forums):
    w = two_forums
    created = client_for(w["owner_b"]).post("/api/v1/people/", {"full_name_ar": "جديد", "email": "new@example.org"},
                                            format="json")
    assert created.status_code == 201, created.content
    assert Person.objects.get(pk=created.json()["id"]).created_by_forum == w["b"]
    assert created.json()["email"] == "new@example.org"
    two = UserFactory()
    for forum in (w["a"], w["b"]):
        TeamMemberFactory(forum=forum, user=two, role="editor")
    unsure = client_for(two).post("/api/v1/people/", {"full_name_ar": "آخر"}, format="json")
    assert unsure.status_code == 400 and "forum" in unsure.json()
    chosen = client_for(two).post("/api/v1/people/", {"full_name_ar": "آخر", "forum": w["a"].slug}, format="json")
    assert chosen.status_code == 201
    foreign = client_for(w["owner_b"]).post("/api/v1/people/", {"full_name_ar": "دخيل", "forum": w["a"].slug},
                                            format="json")
    assert foreign.status_code == 403 and not Person.objects.filter(full_name_ar="دخيل").exists()


# ---- organizations ------------------------------------------------------------------------------


def test_organization_used_by_another_forum_is_changed_only_by_who_edits_all_its_forums(client_for, two_forums):
    w = two_forums
    org = w["a"].organizer
    name = org.name_ar
    b = client_for(w["owner_b"])
    assert b.patch(f"/api/v1/organizations/{org.pk}/", {"name_ar": "اسم مسروق"}, format="json").status_code == 403
    assert Organization.objects.get(pk=org.pk).name_ar == name
    a = client_for(w["owner_a"])
    assert a.patch(f"/api/v1/organizations/{org.pk}/", {"name_en": "Renamed"}, format="json").status_code == 200
    SponsorshipFactory(forum=w["b"], organization=org)  # now B lists it too
    assert a.patch(f"/api/v1/organizations/{org.pk}/", {"name_ar": "تغيير"}, format="json").status_code == 403
    assert Organization.objects.get(pk=org.pk).name_ar == name
    superuser = UserFactory(is_superuser=True)
    assert client_for(superuser).patch(f"/api/v1/organizations/{org.pk}/", {"name_ar": "تغيير"},
                                       format="json").status_code == 200


def test_admin_refuses_changing_another_forums_organization(two_forums):
    w = two_forums
    w["owner_b"].is_staff = True
    w["owner_b"].save()
    client = Client()
    client.force_login(w["owner_b"])
    org = w["a"].organizer
    url = f"/en/admin/forum/organization/{org.pk}/change/"
    response = client.post(url, {"name_ar": "اسم مسروق", "name_en": "", "kind": "other", "website": "",
                                 "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=org.pk).name_ar != "اسم مسروق"


def test_members_are_granted_by_a_superuser_or_an_existing_member(client_for, two_forums):
    w = two_forums
    org = OrganizationFactory()
    url = f"/api/v1/organizations/{org.pk}/members/"
    outsider = client_for(w["owner_b"])
    assert outsider.post(url, {"user": w["owner_b"].pk}, format="json").status_code == 403
    assert outsider.get(url).status_code == 403
    assert not OrganizationMember.objects.filter(organization=org).exists()
    superuser = client_for(UserFactory(is_superuser=True))
    assert superuser.post(url, {"user": w["owner_a"].pk}, format="json").status_code == 200
    member = client_for(w["owner_a"])
    granted = member.post(url, {"user": w["owner_b"].pk}, format="json")
    assert granted.status_code == 200 and {m["user"] for m in granted.json()} == {w["owner_a"].pk, w["owner_b"].pk}
    assert member.delete(f"{url}{w['owner_b'].pk}/").status_code == 204
    assert list(org.members.values_list("user", flat=True)) == [w["owner_a"].pk]


def test_self_served_forum_stays_draft_under_an_organization_not_granted(client_for, two_forums):
    w = two_forums
    victim_body = w["a"].organizer
    newcomer = UserFactory()
    client = client_for(newcomer)
    payload = {"slug": "mine", "title_ar": "ملتقاي", "first_day": "2027-01-01", "last_day": "2027-01-02",
               "organizer": victim_body.pk, "status": "published"}
    refused = client.post("/api/v1/forums/", payload, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "organization_not_granted"
    assert victim_body.name in refused.json()["status"][0]
    created = client.post("/api/v1/forums/", {**payload, "status": "draft"}, format="json")
    assert created.status_code == 201
    publish = client.patch("/api/v1/forums/mine/", {"status": "published"}, format="json")
    assert publish.status_code == 400 and "status" in publish.json()
    from forum.models import Forum

    assert Forum.objects.get(slug="mine").status == "draft"
    OrganizationMember.objects.create(organization=victim_body, user=newcomer)
    assert client.patch("/api/v1/forums/mine/", {"status": "published"}, format="json").status_code == 200


def test_public_forum_cannot_switch_to_an_organization_not_granted(client_for, two_forums):
    w = two_forums
    other = OrganizationFactory()
    response = client_for(w["owner_b"]).patch(f"/api/v1/forums/{w['b'].slug}/", {"organizer": other.pk},
                                               format="json")
    assert response.status_code == 400
    w["b"].refresh_from_db()
    assert w["b"].organizer_id != other.pk


def test_admin_keeps_a_forum_draft_under_an_organization_not_granted(rf):
    from forum.admin import ForumAdminForm
    from forum.models import Forum

    draft = ForumFactory(status="draft")
    owner = TeamMemberFactory(forum=draft, role="owner", user__is_staff=True).user
    request = rf.get("/")
    request.user = owner
    form_class = site._registry[Forum].get_form(request, draft, change=True)
    data = {f: getattr(draft, f) for f in ("slug", "title_ar", "title_en", "edition", "venue_name_ar",
                                            "venue_name_en", "venue_address_ar", "venue_address_en", "time_zone",
                                            "first_day", "last_day", "description_ar", "description_en",
                                            "prayer_method")}
    data.update(organizer=draft.organizer_id, status="published")
    form = form_class(data=data, instance=Forum.objects.get(pk=draft.pk))
    assert not form.is_valid() and "status" in form.errors
    assert Forum.objects.get(pk=draft.pk).status == "draft"
    assert site._registry[Forum].form is ForumAdminForm
