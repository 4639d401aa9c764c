"""Surveys, questions and attendance for the surveys and announcements tests."""

import factory
from django.utils import timezone

from registration.badges import services as badge_services
from registration.badges.models import Admission, Checkpoint, SessionAttendance
from surveys.models import Question, Survey
from tests.factories import ForumFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    forum = factory.SubFactory(ForumFactory)
    title_ar = factory.Sequence(lambda n: f"استبانة رضا الحضور {n}")
    title_en = factory.Sequence(lambda n: f"Attendee satisfaction {n}")
    status = Survey.Status.OPEN


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = Question.Kind.RATING
    text_ar = factory.Sequence(lambda n: f"ما مدى رضاك عن الجلسة؟ {n}")
    text_en = factory.Sequence(lambda n: f"How satisfied were you? {n}")
    order = factory.Sequence(lambda n: n)


def attend(registration, session=None, at=None):
    """Record the registration as admitted: at the forum's door, or at a session (with its attendance)."""
    at = at or timezone.now()
    badge = registration.badges.filter(revoked_at__isnull=True).first() or badge_services.badge_issue(
        registration=registration)
    if session is None:
        checkpoint, _ = Checkpoint.objects.get_or_create(forum=registration.forum, kind=Checkpoint.Kind.DOOR,
                                                         name_ar="المدخل الرئيسي")
        return Admission.objects.create(registration=registration, badge=badge, checkpoint=checkpoint,
                                        day=at.date(), admitted_at=at)
    checkpoint, _ = Checkpoint.objects.get_or_create(forum=registration.forum, kind=Checkpoint.Kind.SESSION,
                                                     session=session, defaults={"name_ar": session.title_ar})
    admission = Admission.objects.create(registration=registration, badge=badge, checkpoint=checkpoint,
                                         session=session, day=at.date(), admitted_at=at)
    SessionAttendance.objects.create(registration=registration, session=session, admission=admission,
                                     attended_at=at)
    return admission

