"""Registration throughput on PostgreSQL: confirmed free registrations per second with 50 concurrent
clients on one forum, the oversell count (must be 0), and queries per registration, beside a baseline
(a trivial one-row insert by the same 50 clients) measured in the same run.

How: the registration *services* are called from 50 threads, each with its own PostgreSQL connection
(no HTTP layer). After-commit work (badge PDF, e-mail) is queued to a Redis broker as in production
(a private queue, purged afterwards), never run on the request path.

    make bench-registration            # DATABASE_URL defaults to a scratch database forum_bench_registration
    BENCH_SECONDS=10 BENCH_CLIENTS=50 .venv/bin/python benchmarks/registration.py

Then runs benchmarks/checkin_badges.py (check-in scans, bulk badges) when it exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", "20000"))
RACE_SEATS = int(os.environ.get("BENCH_RACE_SEATS", "100"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUE = "bench_registration"

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_bench_registration")
os.environ["CELERY_BROKER_URL"] = REDIS
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")


def ensure_database() -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    admin = psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
                            user=config["USER"] or "postgres", password=config["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def run_clients(work, seconds: float, clients: int) -> tuple[list[int], float]:
    """Run `work(index)` in a loop on each client until time is up or it returns False."""
    from django.db import connection

    counts = [0] * clients
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]
    last_success = [0.0]
    lock = threading.Lock()

    def loop(index: int) -> None:
        barrier.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                if not work(index, counts[index]):
                    break
                counts[index] += 1
                now = time.perf_counter()
                with lock:
                    last_success[0] = max(last_success[0], now)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    end = time.perf_counter()
    # When seats ran out early, the rate is over the time it took to fill them.
    elapsed = (last_success[0] - start) if sum(counts) and last_success[0] < stop_at[0] - 0.05 else end - start
    return counts, max(elapsed, 1e-6)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forum.celery import app as celery_app

    celery_app.conf.task_default_queue = QUEUE
    call_command("migrate", verbosity=0)

    from forum.models import Forum, Organization
    from registration import services
    from registration.models import Registration, RegistrationSettings, RegistrationType, StripeEvent

    run_id = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(name_ar=f"أمانة القياس {run_id}")

    def make_forum(capacity: int) -> tuple[Forum, RegistrationType]:
        from datetime import date

        forum = Forum.objects.create(slug=f"bench-{run_id}-{capacity}-{uuid.uuid4().hex[:4]}",
                                     title_ar="ملتقى القياس", organizer=organization, first_day=date(2030, 1, 1),
                                     last_day=date(2030, 1, 2), status=Forum.Status.PUBLISHED)
        RegistrationSettings.objects.create(forum=forum, capacity=capacity)
        rtype = RegistrationType.objects.create(forum=forum, code="general", name_ar="حضور عام", capacity=capacity)
        return forum, rtype

    # Baseline: a trivial one-row insert (autocommit), same clients, same time.
    def baseline(index: int, n: int) -> bool:
        StripeEvent.objects.create(event_id=f"bench-{run_id}-{index}-{n}", type="bench")
        return True

    base_counts, base_elapsed = run_clients(baseline, SECONDS, CLIENTS)
    base_rate = sum(base_counts) / base_elapsed

    # Registrations: capacity large enough not to run out in the time.
    forum, rtype = make_forum(CAPACITY)

    def register_on(forum, rtype):
        def work(index: int, n: int) -> bool:
            try:
                services.registration_create(
                    forum=forum, registration_type=rtype, full_name_ar=f"مشارك {index}-{n}",
                    email=f"c{index}-{n}-{run_id}@bench.example", language="ar",
                )
            except services.SeatsFull:
                return False
            return True
        return work

    reg_counts, reg_elapsed = run_clients(register_on(forum, rtype), SECONDS, CLIENTS)
    reg_rate = sum(reg_counts) / reg_elapsed
    confirmed = Registration.objects.filter(forum=forum, status=Registration.Status.CONFIRMED).count()

    # Race: 50 clients for RACE_SEATS seats, until no seat is left.
    race_forum, race_type = make_forum(RACE_SEATS)
    run_clients(register_on(race_forum, race_type), SECONDS, CLIENTS)
    race_held = Registration.objects.filter(forum=race_forum, status__in=Registration.SEAT_HOLDING).count()
    race_type.refresh_from_db()
    oversold = max(0, race_held - RACE_SEATS) + max(0, confirmed - CAPACITY)

    # Queries for one registration (settings row already there).
    with CaptureQueriesContext(connection) as queries:
        services.registration_create(forum=forum, registration_type=rtype, full_name_ar="استعلامات",
                                     email=f"queries-{run_id}@bench.example")
    query_count = len(queries.captured_queries)

    print()
    print("Registration benchmark — PostgreSQL, services called from threads (no HTTP),")
    print(f"{CLIENTS} concurrent clients, {SECONDS:.0f} s per measurement; after-commit tasks queued to Redis.")
    print()
    print(f"{'measurement':<52}{'per second':>12}{'vs baseline':>14}")
    print("-" * 78)
    print(f"{'baseline: trivial one-row insert':<52}{base_rate:>12.0f}{'1.00':>14}")
    print(f"{'confirmed free registrations, one forum':<52}{reg_rate:>12.0f}{reg_rate / base_rate:>14.2f}")
    print("-" * 78)
    print(f"confirmed registrations in the run: {confirmed} (counter {RegistrationType.objects.get(pk=rtype.pk).seats_taken})")
    print(f"race for {RACE_SEATS} seats by {CLIENTS} clients: {race_held} seats held, counter {race_type.seats_taken}")
    print(f"oversold: {oversold}  (must be 0)")
    print(f"SQL queries per registration: {query_count} (incl. transaction savepoints)")
    print("goal: > 200 confirmed registrations/s on one forum, 0 oversold")

    # Clean up this run's rows and queued tasks.
    StripeEvent.objects.filter(event_id__startswith=f"bench-{run_id}-").delete()
    for f in (forum, race_forum):
        Registration.objects.filter(forum=f).delete()
        f.delete()
    organization.delete()
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)
    except Exception as exc:  # the numbers above stand either way
        print(f"(could not purge the task queue: {exc})")

    if oversold:
        sys.exit(1)


if __name__ == "__main__":
    main()
    other = ROOT / "benchmarks" / "checkin_badges.py"
    if other.exists():
        print("\n— benchmarks/checkin_badges.py —", flush=True)
        subprocess.run([sys.executable, str(other)], check=False, timeout=900)
