"""Benchmark: check-in scans and bulk badge printing, each beside a baseline measured in the same run.

    .venv/bin/python benchmarks/checkin_badges.py [--badges 2000] [--small-badges 500] [--scanners 8] [--scans 3000]

Runs on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/forum_bench_badges)
in a throw-away test database that is created and dropped here. Prints one table:

- check-in: scans per second and p50/p99 latency of `check_in_badge` with N
  scanner threads (each its own connection; every badge scanned once, and 20%
  scanned again to hit "already admitted"), beside a trivial one-row INSERT
  per transaction with the same threads;
- bulk badges: badges per second for the N-up A4 sheet of 2,000 badges, beside
  a bare `qrcode` PNG loop over the same tokens;
- bulk badges memory, for a small sheet (--small-badges, 500) and the full one
  (--badges, 2,000) side by side: the process's peak RSS (ru_maxrss, a
  high-water mark, so the small sheet runs first and the full sheet's figure
  is the peak of both) less the RSS before printing, and the Python heap peak
  (tracemalloc, separate runs); "flat" when the full sheet needs less than
  1.25× the small one's memory, "growing" otherwise.

Each phase is bounded in time, so the script ends in a few minutes at most.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_bench_badges")
os.environ.setdefault("CELERY_BROKER_URL", "")

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, when static files are not collected

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PHASE_SECONDS = 60


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_threads(workers: int, work) -> float:
    barrier = threading.Barrier(workers)
    started = []

    def target(index):
        try:
            barrier.wait()
            if index == 0:
                started.append(time.perf_counter())
            work(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(workers)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - (started[0] if started else begin)


def setup_data(badge_count: int):
    from django.contrib.auth import get_user_model

    from forum.models import Forum, Organization, TeamMember
    from registration.models import Registration, RegistrationType

    today = timezone.localdate()
    org = Organization.objects.create(name_ar="أمانة العاصمة المقدسة", name_en="Holy Capital Municipality")
    forum = Forum.objects.create(slug="bench", title_ar="ملتقى الجودة والتميز", title_en="Quality and Excellence Forum",
                                 organizer=org, first_day=today, last_day=today + timedelta(days=1), status="published")
    categories = ["general", "vip", "speaker", "media", "sponsor", "delegation"]
    types = [RegistrationType.objects.create(forum=forum, code=c, name_ar=f"فئة {c}", name_en=c.title(), category=c)
             for c in categories]
    now = timezone.now()
    orgs = ["وزارة الشؤون البلدية والقروية", "هيئة الاتصالات وتقنية المعلومات", "أمانة محافظة جدة", "أمانة منطقة الرياض"]
    Registration.objects.bulk_create([
        Registration(forum=forum, registration_type=types[i % len(types)], status="confirmed", confirmed_at=now,
                     honorific=random.choice(["engineer", "doctor", "saada", ""]),
                     full_name_ar=f"عبدالرحمن بن محمد القحطاني {i}", full_name_en=f"Abdulrahman Alqahtani {i}",
                     email=f"bench{i}@example.org", position="مدير إدارة الجودة", organization_name=orgs[i % len(orgs)])
        for i in range(badge_count)
    ], batch_size=1000)
    User = get_user_model()
    staff = []
    for i in range(16):
        user = User.objects.create(username=f"scanner{i}")
        TeamMember.objects.create(forum=forum, user=user, role="checkin")
        staff.append(user)
    return forum, staff


def bench_issue(forum):
    from registration.badges import services
    from registration.models import Registration

    registrations = list(Registration.objects.filter(forum=forum).select_related("registration_type", "forum"))
    begin = time.perf_counter()
    badges = [services.badge_issue(registration=r) for r in registrations]
    return badges, time.perf_counter() - begin


def bench_scans(forum, staff, badges, scanners: int, scans: int):
    from registration.badges import services
    from registration.badges.models import Checkpoint

    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.select_related("forum", "session").get(forum=forum, kind="door")
    tokens = [b.token for b in badges[:scans]]
    tokens += random.sample(tokens, len(tokens) // 5)  # some people come back: "already admitted"
    random.shuffle(tokens)
    latencies: list[list[float]] = [[] for _ in range(scanners)]
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + PHASE_SECONDS

    def work(index):
        user = staff[index]
        mine = tokens[index::scanners]
        for n, token in enumerate(mine):
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            scan = services.check_in_badge(token=token, checkpoint=door, staff=user, client_nonce=f"{index}-{n}")
            latencies[index].append(time.perf_counter() - t0)
            with lock:
                outcomes[scan.outcome] = outcomes.get(scan.outcome, 0) + 1

    elapsed = run_threads(scanners, work)
    flat = [x for per in latencies for x in per]
    return {"count": len(flat), "elapsed": elapsed, "p50": percentile(flat, 50), "p99": percentile(flat, 99),
            "outcomes": outcomes}


def bench_api_scans(forum, staff, badges):
    """The same scan through the REST API (in-process client: routing, auth, serializers), one scanner."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    from registration.badges.models import Checkpoint

    door = Checkpoint.objects.get(forum=forum, kind="door")
    client = APIClient()
    client.force_authenticate(staff[-1])
    url = reverse("badges-api:scan", kwargs={"forum_slug": forum.slug})
    latencies = []
    outcomes: dict[str, int] = {}
    deadline = time.perf_counter() + PHASE_SECONDS
    begin = time.perf_counter()
    for n, badge in enumerate(badges):
        if time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        response = client.post(url, {"token": badge.token, "checkpoint": door.pk, "client_nonce": f"api-{n}"},
                               format="json")
        latencies.append(time.perf_counter() - t0)
        outcome = response.json().get("outcome", str(response.status_code))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"count": len(latencies), "elapsed": time.perf_counter() - begin, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "outcomes": outcomes}


def bench_baseline_insert(scanners: int, count: int):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_noop (id bigserial PRIMARY KEY, payload text)")
    connection.close()
    latencies: list[list[float]] = [[] for _ in range(scanners)]
    per = count // scanners
    deadline = time.perf_counter() + PHASE_SECONDS

    def work(index):
        for n in range(per):
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_noop (payload) VALUES (%s)", [f"{index}-{n}"])
            latencies[index].append(time.perf_counter() - t0)

    elapsed = run_threads(scanners, work)
    flat = [x for per_thread in latencies for x in per_thread]
    return {"count": len(flat), "elapsed": elapsed, "p50": percentile(flat, 50), "p99": percentile(flat, 99)}


def bench_bulk(forum, limit: int | None = None, trace: bool = False):
    from registration.badges import services
    from registration.badges.selectors import print_registrations

    registrations = print_registrations(forum=forum, order_by="organization")
    if limit:
        registrations = registrations[:limit]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        if trace:
            tracemalloc.start()
        begin = time.perf_counter()
        count = services.badges_sheet_write(forum=forum, registrations=registrations, out=out)
        out.flush()
        elapsed = time.perf_counter() - begin
        heap_peak = 0
        if trace:
            _current, heap_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        size = os.path.getsize(out.name)
    return {"count": count, "elapsed": elapsed, "heap_peak_mb": heap_peak / 2**20, "rss_mb": rss_mb(),
            "size_mb": size / 2**20}


def bench_qrcode_baseline(tokens):
    import qrcode

    begin = time.perf_counter()
    deadline = begin + PHASE_SECONDS
    count = 0
    for token in tokens:
        if time.perf_counter() > deadline:
            break
        buffer = io.BytesIO()
        qrcode.make(token).save(buffer)
        count += 1
    return {"count": count, "elapsed": time.perf_counter() - begin}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--badges", type=int, default=2000)
    parser.add_argument("--small-badges", type=int, default=500, help="the smaller sheet of the memory comparison")
    parser.add_argument("--scanners", type=int, default=8)
    parser.add_argument("--scans", type=int, default=2000, help="distinct badges scanned (plus 20%% repeats)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; the numbers are for", connection.vendor, file=sys.stderr)

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        random.seed(6)
        forum, staff = setup_data(args.badges)
        badges, issue_elapsed = bench_issue(forum)
        rss_before = rss_mb()
        # Timed without tracemalloc; ru_maxrss is the process's peak so far, so the small sheet goes first.
        bulk_small = bench_bulk(forum, limit=min(args.small_badges, args.badges))
        bulk = bench_bulk(forum)
        # Heap peak of the same two sheets, each its own traced run.
        small = bench_bulk(forum, limit=min(args.small_badges, args.badges), trace=True)
        traced = bench_bulk(forum, trace=True)
        qr = bench_qrcode_baseline([b.token for b in badges])
        api_count = max(1, min(300, len(badges) // 5))
        service_badges, api_badges = badges[:-api_count], badges[-api_count:]
        scans = bench_scans(forum, staff, service_badges, args.scanners, min(args.scans, len(service_badges)))
        api = bench_api_scans(forum, staff, api_badges)
        baseline = bench_baseline_insert(args.scanners, scans["count"] or 1000)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    def rate(result):
        return result["count"] / result["elapsed"] if result["elapsed"] else 0.0

    rows = [
        ("badge issue (sign + 2 inserts), 1 thread", f"{len(badges) / issue_elapsed:,.0f}/s", "", "", ""),
        (f"check-in scans, {args.scanners} scanners", f"{rate(scans):,.0f}/s",
         f"{scans['p50'] * 1000:.1f} ms", f"{scans['p99'] * 1000:.1f} ms", f"{rate(scans) / rate(baseline):.2f}×"),
        ("check-in scans via REST API, 1 client", f"{rate(api):,.0f}/s",
         f"{api['p50'] * 1000:.1f} ms", f"{api['p99'] * 1000:.1f} ms", f"{rate(api) / rate(baseline):.2f}×"),
        (f"  baseline: trivial INSERT, {args.scanners} threads", f"{rate(baseline):,.0f}/s",
         f"{baseline['p50'] * 1000:.1f} ms", f"{baseline['p99'] * 1000:.1f} ms", "1.00×"),
        (f"bulk badges, {bulk['count']} N-up A4", f"{rate(bulk):,.1f}/s", "", "", f"{rate(bulk) / rate(qr):.2f}×"),
        ("  baseline: bare qrcode PNG loop", f"{rate(qr):,.1f}/s", "", "", "1.00×"),
    ]
    print()
    print(f"{'measure':<44} {'rate':>12} {'p50':>10} {'p99':>10} {'vs baseline':>12}")
    print("-" * 92)
    for row in rows:
        print(f"{row[0]:<44} {row[1]:>12} {row[2]:>10} {row[3]:>10} {row[4]:>12}")
    print()
    print(f"scan outcomes: {dict((str(k), v) for k, v in scans['outcomes'].items())}; via API: {api['outcomes']}")
    print(f"bulk {bulk['count']:>5} badges: process peak RSS {bulk['rss_mb']:6.1f} MB (before bulk {rss_before:.1f} MB; "
          f"limit 300 MB: {'OK' if bulk['rss_mb'] < 300 else 'OVER'}), file {bulk['size_mb']:.1f} MB")

    def verdict(small_mb, large_mb):
        ratio = large_mb / small_mb if small_mb > 0 else float("inf")
        return f"{ratio:.2f}×", "flat" if ratio < 1.25 else "growing"

    size_ratio = f"×{traced['count'] / small['count']:.1f} badges" if small["count"] else ""
    small_rss, large_rss = bulk_small["rss_mb"] - rss_before, bulk["rss_mb"] - rss_before
    memory_rows = [
        ("process peak RSS over before-bulk", small_rss, large_rss, *verdict(small_rss, large_rss)),
        ("Python heap peak (tracemalloc)", small["heap_peak_mb"], traced["heap_peak_mb"],
         *verdict(small["heap_peak_mb"], traced["heap_peak_mb"])),
    ]
    print()
    print(f"{'bulk badges memory ' + size_ratio:<44} {str(bulk_small['count']) + ' badges':>14} "
          f"{str(bulk['count']) + ' badges':>14} {'large/small':>12} {'':>8}")
    print("-" * 96)
    for label, small_mb, large_mb, ratio, word in memory_rows:
        print(f"{label:<44} {small_mb:>11.1f} MB {large_mb:>11.1f} MB {ratio:>12} {word:>8}")


if __name__ == "__main__":
    main()
