"""The award demo from seeds 001 and 004: what the reports state is there, the rest is marked, reruns change nothing."""

from datetime import date

import pytest

from awards.demo import awards_demo_load
from awards.models import Category, Cycle, Nomination, Result, ScoreSheet
from demo.loader import demo_load

pytestmark = pytest.mark.django_db


def test_award_demo_holds_the_seed_facts_and_is_idempotent():
    demo_load(password="pw-demo-1")
    awards_demo_load(password="pw-demo-1")
    counts = (Nomination.objects.count(), ScoreSheet.objects.count(), Result.objects.count())
    awards_demo_load(password="pw-demo-1")
    assert (Nomination.objects.count(), ScoreSheet.objects.count(), Result.objects.count()) == counts

    amin = Cycle.objects.get(programme__slug="amin-award")
    assert amin.number == 2 and amin.ceremony_date == date(2021, 11, 11)
    assert amin.nominations_open.date() == date(2021, 8, 15)
    categories = Category.objects.filter(cycle=amin)
    assert categories.count() == 7
    assert set(categories.values_list("group_ar", flat=True)) == {"التميز المؤسسي", "التميز الوظيفي"}
    assert "توضيحي" in amin.illustrative_note

    taqyeem = Cycle.objects.get(programme__slug="taqyeem")
    assert taqyeem.results == Cycle.Results.PUBLISHED
    criteria = list(Category.objects.get(cycle=taqyeem).criteria.values_list("name_ar", flat=True))
    assert len(criteria) == 5 and "سهولة الوصول إلى المركز" in criteria
    hamad = Result.objects.get(cycle=taqyeem, nomination__nominee_organization__name_ar="مركز خدمة العملاء في مدينة حمد")
    assert hamad.tier.name_ar == "الفئة الذهبية" and hamad.is_winner
    assert taqyeem.nominations.filter(visits__status="reported").exists()
    assert amin.nominations.filter(visits__status="reported").exists()
