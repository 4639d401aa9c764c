"""Eligibility for the attendance certificate follows the attendance recorded at check-in, edges included."""

from decimal import Decimal

import pytest
from django.utils import translation

from certificates import selectors, services
from certificates.models import CertificateSettings
from tests.factories import TeamMemberFactory
from tests.registration.badges.factories import RegistrationFactory

from .factories import admit_at_door, attend, forum_with_sessions

pytestmark = pytest.mark.django_db


def _rules(forum, **values):
    owner = TeamMemberFactory(forum=forum, role="owner").user
    return services.certificate_settings_update(forum=forum, by=owner, **values)


def _verdict(registration):
    with translation.override("en"):
        return selectors.eligibility_for_registration(registration=registration)


@pytest.mark.parametrize("attended, eligible", [(0, False), (2, False), (3, True), (4, True)])
def test_eligibility_by_sessions_at_and_around_the_threshold(attended, eligible):
    forum, sessions = forum_with_sessions(4)
    _rules(forum, rule=CertificateSettings.Rule.SESSIONS, min_sessions=3)
    registration = RegistrationFactory(forum=forum)
    attend(registration, sessions[:attended])
    verdict = _verdict(registration)
    assert verdict.eligible is eligible
    assert verdict.sessions == attended
    assert verdict.explanation == f"Attended {attended} of the required 3 sessions."


def test_eligibility_explained_in_arabic_with_arabic_digits():
    forum, sessions = forum_with_sessions(3)
    _rules(forum, rule=CertificateSettings.Rule.SESSIONS, min_sessions=3)
    registration = RegistrationFactory(forum=forum)
    attend(registration, sessions[:2])
    with translation.override("ar"):
        verdict = selectors.eligibility_for_registration(registration=registration)
    assert "٢" in verdict.explanation and "٣" in verdict.explanation
    assert not verdict.eligible


@pytest.mark.parametrize("attended, hours, eligible", [(1, "1.5", False), (2, "3", True)])
def test_eligibility_by_hours_exactly_at_the_threshold_qualifies(attended, hours, eligible):
    forum, sessions = forum_with_sessions(3, hours_each=1.5)
    _rules(forum, rule=CertificateSettings.Rule.HOURS, min_hours=Decimal("3.0"))
    registration = RegistrationFactory(forum=forum)
    attend(registration, sessions[:attended])
    verdict = _verdict(registration)
    assert verdict.hours == Decimal("1.5") * attended
    assert verdict.eligible is eligible
    assert verdict.explanation == f"Attended {hours} of the required 3 hours."


def test_admitted_rule_counts_the_door_as_well_as_sessions():
    forum, sessions = forum_with_sessions(1)
    at_door, absent = RegistrationFactory(forum=forum), RegistrationFactory(forum=forum)
    admit_at_door(at_door)
    assert _verdict(at_door).eligible
    verdict = _verdict(absent)
    assert not verdict.eligible
    assert verdict.explanation == "No attendance at the forum was recorded for you at check-in."


def test_training_hours_printed_are_the_forums_figure_or_else_the_hours_attended():
    forum, sessions = forum_with_sessions(2, hours_each=2)
    registration = RegistrationFactory(forum=forum)
    attend(registration, sessions)
    assert _verdict(registration).training_hours == Decimal("4.0")
    _rules(forum, training_hours=Decimal("12"))
    assert _verdict(registration).training_hours == Decimal("12.0")


def test_unconfirmed_registration_is_not_eligible():
    forum, _sessions = forum_with_sessions(1)
    registration = RegistrationFactory(forum=forum, status="cancelled")
    verdict = _verdict(registration)
    assert not verdict.eligible and verdict.explanation == "Your registration is not confirmed."


def test_eligibility_of_a_whole_forum_is_one_query_whatever_its_size(django_assert_num_queries):
    forum, sessions = forum_with_sessions(3)
    for i in range(6):
        attend(RegistrationFactory(forum=forum), sessions[: i % 4])
    with django_assert_num_queries(2):  # the settings, then the registrations with their attendance
        small = selectors.eligibility_for_forum(forum=forum)
    for i in range(20):
        attend(RegistrationFactory(forum=forum), sessions[: i % 4])
    with django_assert_num_queries(2):
        large = selectors.eligibility_for_forum(forum=forum)
    assert (len(small), len(large)) == (6, 26)


@pytest.mark.parametrize("values, field", [
    ({"min_sessions": 0}, "min_sessions"),
    ({"min_hours": "abc"}, "min_hours"),
    ({"training_hours": Decimal("-1")}, "training_hours"),
    ({"rule": "whenever"}, "rule"),
])
def test_settings_refuse_bad_values_with_the_field_named(values, field):
    from forum.errors import DomainError

    forum, _sessions = forum_with_sessions(1)
    with pytest.raises(DomainError) as caught:
        _rules(forum, **values)
    assert field in caught.value.errors
