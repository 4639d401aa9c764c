"""Benchmark: check-in scans and bulk badge printing, each beside a baseline measured in the same run.

    make bench-checkin
    .venv/bin/python benchmarks/checkin_badges.py [--badges 1000] [--small-badges 250] [--rates 50,100] [--seconds 10] [--repeats 3]

Runs on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/forum_bench_badges)
in a throw-away test database that is created and dropped here. Prints:

- check-in scans over HTTP: gunicorn as the README deploys it (gthread, 3 workers x 8 threads; the
  helpers of benchmarks/registration.py) on this run's database; scans posted as the scanner page
  posts them (session cookie, CSRF header, JSON), every badge once and one scan in six a repeat
  ("already admitted"). Load is open loop on a fixed timetable: request i is due at
  start + i / rate (50 and 100 scans/s), sent over 48 keep-alive connections, and its latency is
  measured from the time it was due, so a late send and the server's queue count. Beside it
  GET /healthz on the same timetable at each rate, the two taking turns (--repeats phases each,
  pooled). For each: p50, p99, and the server's CPU
  per request (all gunicorn processes, from /proc) with its ratio to a healthz's, and PostgreSQL's;
- bulk badges: badges per second for the N-up A4 sheet (--badges), beside a bare `qrcode` PNG
  loop over the same tokens (qrcode.make, PNG), and the ratio;
- bulk badges memory, for a small sheet (--small-badges) and the full one side by side: the
  process's peak RSS (ru_maxrss, a high-water mark, so the small sheet runs first and the full
  sheet's figure is the peak of both) less the RSS before printing, and the Python heap peak
  (tracemalloc, separate runs); "flat" when the full sheet needs less than 1.25x the small one's
  memory, "growing" otherwise (--no-memory skips the traced runs).

Each phase is bounded, so the script ends in a few minutes.
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

from django.db import connection, connections  # noqa: E402
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


def _registration_bench():
    """benchmarks/registration.py's gunicorn and /proc helpers (one copy of them), loaded by path: run as
    a module its file name would shadow the registration app. It sets a few environment defaults on
    import; they are put back."""
    import importlib.util

    saved = dict(os.environ)
    spec = importlib.util.spec_from_file_location("bench_registration", ROOT / "benchmarks" / "registration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.environ.clear()
    os.environ.update(saved)
    return module


def scanner_headers(staff) -> list[dict]:
    """Per scanner: the headers of a signed-in browser (session cookie, CSRF cookie and header), as the
    scanner page sends them."""
    from django.conf import settings
    from django.test import Client
    from django.utils.crypto import get_random_string

    headers = []
    for user in staff:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        csrf = get_random_string(32)
        headers.append({
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json",
            "Accept-Language": "ar",
        })
    return headers


def open_loop(port: int, rate: float, seconds: float, request, connections_count: int = 48) -> dict:
    """Requests on a fixed timetable: request i is due at start + i / rate, whatever happened to the
    earlier ones (open loop). Each goes over one of `connections_count` keep-alive connections, and its
    latency is measured from the time it was due, so a late send (no free connection, a busy
    machine) and the server's queue both count. `request(i)` gives (method, path, body, headers)."""
    import http.client
    import json

    total = max(1, int(rate * seconds))
    latencies: list[float | None] = [None] * total
    lags: list[float] = [0.0] * total
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    start = time.perf_counter() + 0.3

    def worker(first: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(first, total, connections_count):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            lags[i] = max(0.0, time.perf_counter() - due)
            method, path, body, headers = request(i)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                outcome = type(exc).__name__
            else:
                latencies[i] = time.perf_counter() - due
                outcome = str(response.status)
                if response.status == 200 and data.startswith(b'{"scan_id"'):
                    outcome = json.loads(data)["outcome"]
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(j,)) for j in range(min(connections_count, total))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [x for x in latencies if x is not None]
    return {"count": len(done), "rate": rate, "p50": percentile(done, 50), "p99": percentile(done, 99),
            "lag_p99": percentile(lags, 99), "outcomes": outcomes, "latencies": done, "lags": lags}


def pooled(rounds: list[dict]) -> dict:
    """Several phases of one kind as one: CPU per request over all their requests, percentiles over all
    their latencies, outcomes added up."""
    done = [x for r in rounds for x in r["latencies"]]
    outcomes: dict[str, int] = {}
    for r in rounds:
        for key, n in r["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + n
    count = sum(r["count"] for r in rounds)
    return {"count": count, "rate": rounds[0]["rate"], "p50": percentile(done, 50), "p99": percentile(done, 99),
            "lag_p99": percentile([x for r in rounds for x in r["lags"]], 99), "outcomes": outcomes,
            "cpu": sum(r["cpu"] * r["count"] for r in rounds) / max(1, count),
            "db_cpu": sum(r["db_cpu"] * r["count"] for r in rounds) / max(1, count)}


def bench_http(forum, staff, badges, *, rates: list[float], seconds: float, repeats: int) -> dict:
    """Scans through the REST API of gunicorn as the README deploys it, beside GET /healthz, each on
    a fixed timetable; the server's CPU per request from /proc. At each rate the two take turns,
    `repeats` phases each, so a passing disturbance of the machine falls on both."""
    import json
    from urllib.parse import urlsplit, urlunsplit

    from django.urls import reverse

    from registration.badges import services
    from registration.badges.models import Checkpoint

    helpers = _registration_bench()
    services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    headers = scanner_headers(staff)
    path = reverse("badges-api:scan", kwargs={"forum_slug": forum.slug})
    # Every badge once, shuffled, and one scan in six a badge scanned before ("already admitted").
    queue = [b.token for b in badges]
    random.shuffle(queue)
    position = [0]
    seen: list[str] = []

    def next_token() -> str:
        if seen and random.random() < 1 / 6:
            return random.choice(seen)
        token = queue[position[0] % len(queue)]
        position[0] += 1
        seen.append(token)
        return token

    def scan_requests(count: int, tag: str):
        prepared = [json.dumps({"token": next_token(), "checkpoint": door.pk, "client_nonce": f"{tag}-{n}"})
                    for n in range(count)]
        return lambda i: ("POST", path, prepared[i], headers[i % len(headers)])

    def health(i):
        return "GET", "/healthz", None, {}

    # The server reads this run's throw-away database.
    saved_url = os.environ["DATABASE_URL"]
    parts = urlsplit(saved_url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    connections.close_all()
    server, port = helpers.start_gunicorn()
    os.environ["DATABASE_URL"] = saved_url
    results: dict = {"server": helpers.GUNICORN}
    try:
        # Warm up every worker and thread (imports, URL patterns, prepared statements): closed loop, not measured.
        open_loop(port, 500, 1.0, health, connections_count=24)
        open_loop(port, 500, 0.3, scan_requests(150, "warm"), connections_count=24)

        def measured(rate: float, request) -> dict:
            cpu = helpers.server_cpu_seconds(server.pid)
            db_cpu = helpers.named_cpu_seconds(("postgres",))
            result = open_loop(port, rate, seconds, request)
            result["cpu"] = (helpers.server_cpu_seconds(server.pid) - cpu) / max(1, result["count"])
            result["db_cpu"] = (helpers.named_cpu_seconds(("postgres",)) - db_cpu) / max(1, result["count"])
            return result

        # The floor at each rate: a server's CPU per request is higher at a lower rate (its threads wake
        # for fewer requests), so a scan is compared with a healthz sent at the same rate.
        for rate in rates:
            rounds = [(measured(rate, health),
                       measured(rate, scan_requests(int(rate * seconds), f"r{rate:g}-{n}")))
                      for n in range(repeats)]
            results[f"healthz@{rate:g}"] = pooled([h for h, _ in rounds])
            results[f"scan@{rate:g}"] = pooled([s for _, s in rounds])
            results[f"ratios@{rate:g}"] = [s["cpu"] / h["cpu"] if h["cpu"] else 0.0 for h, s in rounds]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


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
    parser.add_argument("--badges", type=int, default=1000, help="badges on the bulk sheet")
    parser.add_argument("--small-badges", type=int, default=250, help="the smaller sheet of the memory comparison")
    parser.add_argument("--rates", default="50,100", help="scans per second, one timed phase each")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed HTTP phase")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed phases of each kind at each rate, taking turns (figures pooled)")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced (heap peak) sheets")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; the numbers are for", connection.vendor, file=sys.stderr)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    scans_needed = int(sum(rates) * args.seconds * args.repeats) + 150

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    load_before = os.getloadavg()[0]
    try:
        random.seed(6)
        forum, staff = setup_data(max(args.badges, scans_needed))
        badges, issue_elapsed = bench_issue(forum)
        http = bench_http(forum, staff[:8], badges, rates=rates, seconds=args.seconds, repeats=args.repeats)
        rss_before = rss_mb()
        # Timed without tracemalloc; ru_maxrss is the process's peak so far, so the small sheet goes first.
        bulk_small = bench_bulk(forum, limit=min(args.small_badges, args.badges))
        bulk = bench_bulk(forum, limit=args.badges)
        if not args.no_memory:
            # Heap peak of the same two sheets, each its own traced run.
            small = bench_bulk(forum, limit=min(args.small_badges, args.badges), trace=True)
            traced = bench_bulk(forum, limit=args.badges, trace=True)
        qr = bench_qrcode_baseline([b.token for b in badges[:args.badges]])
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    def rate(result):
        return result["count"] / result["elapsed"] if result["elapsed"] else 0.0

    print()
    print(f"Check-in scans through the REST API: {http['server']}, PostgreSQL; requests sent on a fixed")
    print(f"timetable ({args.seconds:g} s a phase, {args.repeats} phases of each kind at each rate, taking turns;")
    print("figures over all of a kind's phases), latency from the time each was due (queueing counts).")
    print()
    print(f"{'measure':<40} {'sent/s':>7} {'p50':>9} {'p99':>9} {'server CPU':>11} {'× healthz':>10} {'PG CPU':>9}")
    print("-" * 101)
    for r in rates:
        health, scan = http[f"healthz@{r:g}"], http[f"scan@{r:g}"]
        print(f"{'baseline: GET /healthz':<40} {r:>7g} {health['p50'] * 1000:>6.1f} ms "
              f"{health['p99'] * 1000:>6.1f} ms {health['cpu'] * 1000:>8.2f} ms {'1.00×':>10} "
              f"{health['db_cpu'] * 1000:>6.2f} ms")
        print(f"{'check-in scan (session + CSRF)':<40} {r:>7g} {scan['p50'] * 1000:>6.1f} ms "
              f"{scan['p99'] * 1000:>6.1f} ms {scan['cpu'] * 1000:>8.2f} ms "
              f"{scan['cpu'] / health['cpu'] if health['cpu'] else 0:>9.2f}× {scan['db_cpu'] * 1000:>6.2f} ms")
    for r in rates:
        ratios = ", ".join(f"{x:.2f}×" for x in http[f"ratios@{r:g}"])
        print(f"scan ÷ healthz CPU phase by phase at {r:g}/s: {ratios}")
    print()
    for name in [name for r in rates for name in (f"healthz@{r:g}", f"scan@{r:g}")]:
        result = http[name]
        print(f"{name}: {result['count']} answered, outcomes {result['outcomes']}, "
              f"p99 send lag {result['lag_p99'] * 1000:.1f} ms")
    print("goals: server CPU per scan ≤ 2× a healthz sent at the same rate; p99 ≤ 25 ms at 100 scans/s")
    print()
    print(f"{'measure':<44} {'rate':>12} {'vs baseline':>12}")
    print("-" * 70)
    print(f"{'badge issue (sign + 2 inserts), 1 thread':<44} {len(badges) / issue_elapsed:>10,.0f}/s {'':>12}")
    label = f"bulk badges, {bulk['count']} N-up A4"
    print(f"{label:<44} "
          f"{rate(bulk):>10,.1f}/s {rate(bulk) / rate(qr):>11.2f}×")
    print(f"{'  baseline: bare qrcode PNG loop':<44} {rate(qr):>10,.1f}/s {'1.00×':>12}")
    print("goal: bulk badges ≥ 100/s and ≥ 0.5× the bare qrcode loop")
    print()
    print(f"bulk {bulk['count']:>5} badges: process peak RSS {bulk['rss_mb']:6.1f} MB (before bulk {rss_before:.1f} MB; "
          f"limit 300 MB: {'OK' if bulk['rss_mb'] < 300 else 'OVER'}), file {bulk['size_mb']:.1f} MB")
    print(f"machine load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
    if args.no_memory:
        return

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
