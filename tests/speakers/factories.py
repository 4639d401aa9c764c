import factory

from speakers.models import PaperFile, PaperSettings, ReviewCriterion
from tests.factories import ForumFactory, UserFactory, WorkingPaperFactory
from tests.speakers.files import pdf_bytes


class PaperSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperSettings
        django_get_or_create = ("forum",)

    forum = factory.SubFactory(ForumFactory)


class PaperFileFactory(factory.django.DjangoModelFactory):
    """A stored version; the content is a real one-page PDF unless given."""

    class Meta:
        model = PaperFile

    paper = factory.SubFactory(WorkingPaperFactory)
    role = PaperFile.Role.PAPER
    version = factory.Sequence(lambda n: n + 1)
    kind = "pdf"
    original_name = "paper.pdf"
    file = factory.django.FileField(filename="x.pdf", data=factory.LazyFunction(pdf_bytes))
    size = 100
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class ReviewCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCriterion

    forum = factory.SubFactory(ForumFactory)
    name_ar = factory.Sequence(lambda n: f"المعيار {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
