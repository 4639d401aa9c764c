"""Benchmark of computing an award cycle's results.

Builds, in a throw-away database (SQLite unless DATABASE_URL points elsewhere),
one cycle with 1,000 nominations in 7 categories, 5 judges per category and
10 weighted criteria per category: 50,000 score sheets. Then measures, side
by side in the same run:

- baseline: a bare SQL aggregate of the same scores, the weighted mean per
  entry (one GROUP BY over the sheets, read into Python);
- awards.services.results_compute: per-judge weighted totals, only complete
  judges counted, mean or trimmed mean, divergence flags, visit adjustments,
  ranking with ties per category and tiers by thresholds;
- the same with the trimmed mean.

The goal: results_compute within 3× the bare aggregate.

    .venv/bin/python benchmarks/awards.py [--nominations 1000] [--categories 7] [--judges 5] [--criteria 10]
                                          [--repeat 5]

Every loop is bounded; the database is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["SPEAKERS_PRIVATE_ROOT"] = str(tmp / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def build(*, nominations: int, categories: int, judges: int, criteria: int, seed: int = 1446):
    """Rows written in bulk (the benchmark measures reading, not writing)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from awards.models import (
        Category,
        Criterion,
        Cycle,
        JudgeAssignment,
        Nomination,
        Programme,
        ScoreSheet,
        Tier,
    )
    from forum.models import Organization, Person

    rng = random.Random(seed)
    with transaction.atomic():
        owner = Organization.objects.create(name_ar="أمانة القياس", name_en="Benchmark Municipality")
        programme = Programme.objects.create(slug=f"bench-{seed}", name_ar="جائزة القياس", owner=owner)
        now = timezone.now()
        cycle = Cycle.objects.create(programme=programme, number=1, nominations_open=now - timedelta(days=30),
                                     nominations_close=now - timedelta(days=1))
        for name, minimum in (("ذهبية", 85), ("فضية", 70), ("برونزية", 55)):
            Tier.objects.create(cycle=cycle, name_ar=name, min_score=minimum)
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench-judge-{i}") for i in range(categories * judges)]
        )
        applicant = Person.objects.create(full_name_ar="مقدّم", email="bench@example.org")
        cats, crits = [], {}
        for c in range(categories):
            category = Category.objects.create(cycle=cycle, kind="individual", name_ar=f"فئة {c}", winners=3, order=c)
            cats.append(category)
            crits[category.pk] = Criterion.objects.bulk_create([
                Criterion(category=category, name_ar=f"معيار {k}", weight=rng.choice([1, 2, 3]), max_score=10,
                          order=k)
                for k in range(criteria)
            ])
            JudgeAssignment.objects.bulk_create([
                JudgeAssignment(category=category, judge=users[c * judges + j]) for j in range(judges)
            ])
        people = Person.objects.bulk_create(
            [Person(full_name_ar=f"مرشح {n}", email=f"nominee-{n}@example.org") for n in range(nominations)]
        )
        rows = Nomination.objects.bulk_create([
            Nomination(cycle=cycle, category=cats[n % categories], applicant=applicant, nominee_person=people[n],
                       status="eligible", submitted_at=now)
            for n in range(nominations)
        ])
        sheets = []
        for nomination in rows:
            c = cats.index(next(cat for cat in cats if cat.pk == nomination.category_id))
            for j in range(judges):
                judge = users[c * judges + j]
                for criterion in crits[nomination.category_id]:
                    sheets.append(ScoreSheet(
                        nomination=nomination, judge=judge, criterion=criterion,
                        points=Decimal(rng.randint(0, 20)) / 2, max_points=criterion.max_score, weight=criterion.weight,
                    ))
        ScoreSheet.objects.bulk_create(sheets, batch_size=5000)
    return cycle, len(sheets)


def bare_aggregate(cycle) -> dict:
    """The baseline: one SQL statement, the weighted mean of all sheets per entry."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.nomination_id, SUM(CAST(s.points AS REAL) * CAST(s.weight AS REAL) / CAST(s.max_points AS REAL))"
            " / SUM(CAST(s.weight AS REAL)) FROM awards_scoresheet s"
            " JOIN awards_nomination n ON n.id = s.nomination_id WHERE n.cycle_id = %s GROUP BY s.nomination_id",
            [cycle.pk],
        )
        return dict(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nominations", type=int, default=1000)
    parser.add_argument("--categories", type=int, default=7)
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from awards.models import Programme
        from awards.services import results_compute

        started = time.perf_counter()
        cycle, sheets = build(nominations=args.nominations, categories=args.categories, judges=args.judges,
                              criteria=args.criteria)
        build_s = time.perf_counter() - started
        programme = cycle.programme
        check = bare_aggregate(cycle)
        computed = results_compute(cycle=cycle, programme=programme)
        assert len(computed) == len(check) == args.nominations, (len(computed), len(check))
        # The same numbers: every judge scored every criterion, so the mean of the judges' weighted means
        # equals the weighted mean of all sheets.
        worst = max(abs(float(c.judged_score) - 100 * check[c.nomination_id]) for c in computed)
        assert worst <= 0.006, worst

        baseline = timed(lambda: bare_aggregate(cycle), args.repeat)
        mean_ms = timed(lambda: results_compute(cycle=cycle, programme=programme), args.repeat)
        programme.aggregation = Programme.Aggregation.TRIMMED
        trimmed_ms = timed(lambda: results_compute(cycle=cycle, programme=programme), args.repeat)

        print(f"awards results: {args.nominations} nominations, {args.categories} categories, {args.judges} judges "
              f"each, {args.criteria} criteria: {sheets} score sheets (built in {build_s:.1f} s)")
        print(f"{'what':<52}{'median ms':>12}{'× baseline':>12}")
        print(f"{'baseline: bare SQL weighted mean per entry':<52}{baseline:>12.1f}{1:>12.2f}")
        print(f"{'results_compute (mean, ranks, ties, tiers, flags)':<52}{mean_ms:>12.1f}{mean_ms / baseline:>12.2f}")
        print(f"{'results_compute (trimmed mean)':<52}{trimmed_ms:>12.1f}{trimmed_ms / baseline:>12.2f}")
        goal = max(mean_ms, trimmed_ms) / baseline
        print(f"goal: within 3× the bare aggregate — {'met' if goal <= 3 else 'NOT met'} ({goal:.2f}×)")


if __name__ == "__main__":
    main()
