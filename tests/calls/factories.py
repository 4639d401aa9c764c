from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from calls.models import Call, CoAuthor, Submission, SubmissionType
from tests.factories import ForumFactory, PersonFactory, TrackFactory

RIYADH = ZoneInfo("Asia/Riyadh")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    forum = factory.SubFactory(ForumFactory)
    rules_ar = "تُقبل الأوراق في محاور الملتقى."
    rules_en = "Papers are accepted in the forum's themes."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    confirm_by = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    reviewers_per_submission = 2


class SubmissionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionType

    call = factory.SubFactory(CallFactory)
    name_ar = factory.Sequence(lambda n: f"ورقة عمل {n}")
    name_en = factory.Sequence(lambda n: f"Working paper {n}")
    abstract_max_words = 50


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    call = factory.SubFactory(CallFactory)
    type = factory.LazyAttribute(lambda s: SubmissionTypeFactory(call=s.call))
    theme = factory.LazyAttribute(lambda s: TrackFactory(forum=s.call.forum))
    submitter = factory.SubFactory(PersonFactory)
    title_ar = factory.Sequence(lambda n: f"تحسين الجودة في الخدمات البلدية {n}")
    title_en = factory.Sequence(lambda n: f"Quality in municipal services {n}")
    abstract_ar = "ملخص قصير للورقة عن التميز المؤسسي."


class CoAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoAuthor

    submission = factory.SubFactory(SubmissionFactory)
    honorific = "engineer"
    full_name_ar = factory.Sequence(lambda n: f"سارة أحمد {n}")
    full_name_en = factory.Sequence(lambda n: f"Sara Ahmed {n}")
    organization = "جامعة الملك سعود"
    email = factory.Sequence(lambda n: f"coauthor{n}@example.org")


def riyadh(*args) -> datetime:
    return datetime(*args, tzinfo=RIYADH)
