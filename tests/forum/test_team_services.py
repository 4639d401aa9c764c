"""The team rules live in forum.services: the API and the admin's team inline both write through them."""

import pytest

from forum import services
from forum.errors import DomainError
from forum.models import Forum, OrganizationMember, TeamMember
from tests.factories import ForumFactory, OrganizationFactory, TeamMemberFactory, UserFactory


def test_team_member_update_refuses_to_demote_the_last_owner(forum, owner):
    member = TeamMember.objects.get(forum=forum, user=owner)
    with pytest.raises(DomainError) as refused:
        services.team_member_update(member=member, role=TeamMember.Role.EDITOR)
    assert "role" in refused.value.errors
    assert TeamMember.objects.get(pk=member.pk).role == TeamMember.Role.OWNER


def test_team_member_update_demotes_an_owner_when_another_remains(forum, owner):
    TeamMemberFactory(forum=forum, role=TeamMember.Role.OWNER)
    member = TeamMember.objects.get(forum=forum, user=owner)
    services.team_member_update(member=member, role=TeamMember.Role.VIEWER)
    assert TeamMember.objects.get(pk=member.pk).role == TeamMember.Role.VIEWER


def test_team_member_remove_refuses_the_last_owner_and_removes_others(forum, owner, editor):
    owner_row = TeamMember.objects.get(forum=forum, user=owner)
    with pytest.raises(DomainError):
        services.team_member_remove(member=owner_row)
    services.team_member_remove(member=TeamMember.objects.get(forum=forum, user=editor))
    assert list(TeamMember.objects.filter(forum=forum).values_list("user", flat=True)) == [owner.pk]


def test_team_roles_errors_for_a_whole_team_edited_at_once():
    owner, editor = TeamMember.Role.OWNER, TeamMember.Role.EDITOR
    assert services.team_roles_errors(roles_before=[owner, editor], roles_after=[editor, editor])
    assert not services.team_roles_errors(roles_before=[owner], roles_after=[editor, owner])
    assert not services.team_roles_errors(roles_before=[], roles_after=[])  # a superuser's forum with no team yet


@pytest.mark.django_db
def test_forum_create_saves_a_built_forum_and_makes_its_creator_owner():
    user = UserFactory()
    organizer = OrganizationFactory()
    OrganizationMember.objects.create(organization=organizer, user=user)  # it may be published in its name
    built = ForumFactory.build(slug="built-in-the-admin", organizer=organizer)
    forum = services.forum_create(forum=built, created_by=user)
    assert Forum.objects.get(slug="built-in-the-admin").pk == forum.pk == built.pk
    assert TeamMember.objects.get(forum=forum).user == user
    assert not TeamMember.objects.filter(forum=services.forum_create(forum=ForumFactory.build(organizer=organizer), created_by=None))
