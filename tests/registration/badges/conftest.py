"""Fixtures the check-in tests share: a forum running today, a member of its check-in team, its door."""

import pytest

from registration.badges import services
from registration.badges.models import Checkpoint
from tests.factories import TeamMemberFactory

from .factories import forum_today


@pytest.fixture
def today_forum():
    return forum_today()


@pytest.fixture
def staff(today_forum):
    return TeamMemberFactory(forum=today_forum, role="checkin").user


@pytest.fixture
def door(today_forum):
    services.checkpoints_ensure(forum=today_forum)
    return Checkpoint.objects.get(forum=today_forum, kind="door")
