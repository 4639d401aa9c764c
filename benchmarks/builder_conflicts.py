"""Benchmark of the agenda builder's conflict checks.

Every write to a session checks it against the whole live agenda of its forum,
so the cost of a save grows with the forum. This builds forums of growing size
(3 days, 6 halls, 2 people a session) in a throw-away SQLite database and
measures, beside a baseline of a plain save of the same row in the same run:

- a full conflict report of the forum (GET conflicts/),
- a move of one session through services.session_update (checks + save),
- the same save without the checks (the baseline).

    .venv/bin/python benchmarks/builder_conflicts.py [--sizes 50 150 300] [--repeat 20]

Every loop is bounded; the database is deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def build_forum(size: int):
    from tests.factories import ForumFactory, HallFactory, PersonFactory, SessionFactory, SessionRoleFactory, at

    forum = ForumFactory()
    forum.last_day = forum.first_day + timedelta(days=2)
    forum.save()
    halls = [HallFactory(forum=forum) for _ in range(6)]
    people = [PersonFactory() for _ in range(max(10, size // 2))]
    per_day = -(-size // 3)
    for n in range(size):
        day = forum.first_day + timedelta(days=n // per_day)
        slot = (n % per_day) // len(halls)
        start = at(8, 0, day=day) + timedelta(minutes=30 * slot)
        session = SessionFactory(forum=forum, hall=halls[n % len(halls)], kind="papers", starts_at=start,
                                 ends_at=start + timedelta(minutes=30))
        SessionRoleFactory(session=session, person=people[n % len(people)], role="chair")
        SessionRoleFactory(session=session, person=people[(n * 7 + 3) % len(people)], role="speaker")
    return forum


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(forum, repeat: int) -> tuple[float, float, float]:
    """Median milliseconds of: a plain save, a full conflict report, a checked move."""
    from sessions import services
    from sessions.conflicts import forum_conflicts
    from sessions.models import Session

    session = Session.objects.filter(forum=forum).order_by("starts_at").first()
    original = (session.starts_at, session.ends_at)
    shifted = (original[0] - timedelta(minutes=1), original[1] - timedelta(minutes=1))  # the first slot: free before it
    flip = {"i": 0}

    def next_times():
        flip["i"] ^= 1
        return shifted if flip["i"] else original

    def plain_save():
        start, end = next_times()
        Session.objects.filter(pk=session.pk).update(starts_at=start, ends_at=end)

    def move():
        start, end = next_times()
        services.session_update(session=session, starts_at=start, ends_at=end)

    baseline = timed(plain_save, repeat)
    report = timed(lambda: forum_conflicts(forum=forum), repeat)
    checked = timed(move, repeat)
    return baseline, report, checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 150, 300])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        rows = []
        for size in args.sizes:
            rows.append((size, *measure(build_forum(size), args.repeat)))
        print(f"{'sessions':>9} | {'plain save ms':>13} | {'conflict report ms':>18} | {'checked move ms':>15} | {'move/plain':>10}")
        print("-" * 78)
        for size, baseline, report, checked in rows:
            print(f"{size:>9} | {baseline:>13.2f} | {report:>18.2f} | {checked:>15.2f} | {checked / baseline:>10.1f}x")


if __name__ == "__main__":
    main()
