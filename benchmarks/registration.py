"""Registration throughput on PostgreSQL: confirmed free registrations per second with 50 concurrent
clients on one forum, the oversell count (must be 0), and queries per registration, beside a baseline
(a trivial one-row insert by the same 50 clients) measured in the same run.

How: first the registration *services* are called by 50 client threads spread over a few processes (so
the GIL of one Python process is not what is measured), each with its own PostgreSQL connection; then
the same 50 clients register through the REST API of a gunicorn server this script starts on loopback
(gthread, BENCH_WORKERS x BENCH_THREADS; BENCH_WORKER_CLASS=sync to compare), beside GET /healthz as the
HTTP baseline. It prints the CPU spent per registration by the server, the load generator, and
PostgreSQL with Redis, which together explain the rate on a machine whose cores they share.
After-commit work (badge PDF, e-mail) is queued to a Redis broker as in production (a private
Redis database, purged afterwards), never run on the request path.

    make bench-registration            # DATABASE_URL defaults to a scratch database forum_bench_registration
    BENCH_SECONDS=10 BENCH_CLIENTS=50 .venv/bin/python benchmarks/registration.py

With BENCH_COMPANION=1 it then runs benchmarks/checkin_badges.py (check-in scans, bulk badges).
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
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", "20000"))
RACE_SEATS = int(os.environ.get("BENCH_RACE_SEATS", "100"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUE = "bench_registration"

ORIGINAL_ENV = dict(os.environ)  # for the companion script, untouched by what follows
HTTP = os.environ.get("BENCH_HTTP", "1") != "0"
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


def _client_threads(work, threads: int, first_index: int, start_at: float, stop_at: float, results) -> None:
    """One client process: `threads` clients, each looping on `work` until time is up or it says stop."""
    from django.db import connection

    counts = [0] * threads
    last = [0.0] * threads
    cpu_start = time.process_time()

    def loop(slot: int) -> None:
        index = first_index + slot
        time.sleep(max(0.0, start_at - time.time()))
        try:
            while time.time() < stop_at:
                if not work(index, counts[slot]):
                    break
                counts[slot] += 1
                last[slot] = time.time()
        finally:
            connection.close()

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put((sum(counts), max(last), time.process_time() - cpu_start))


def run_clients(work, seconds: float, clients: int, processes: int) -> tuple[int, float]:
    """`clients` concurrent clients spread over `processes` OS processes (so Python's GIL is not the limit).

    Returns (successes, elapsed seconds); the clients' own CPU seconds are left in LAST_CLIENT_CPU.
    """
    import multiprocessing

    from django.db import connections

    connections.close_all()  # children must not share the parent's socket
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0
    stop_at = start_at + seconds
    per, extra = divmod(clients, processes)
    children, first = [], 0
    for p in range(processes):
        n = per + (1 if p < extra else 0)
        child = context.Process(target=_client_threads, args=(work, n, first, start_at, stop_at, results))
        child.start()
        children.append(child)
        first += n
    outcomes = [results.get(timeout=seconds + 120) for _ in children]
    for child in children:
        child.join()
    total = sum(count for count, _last, _cpu in outcomes)
    last_success = max(last for _count, last, _cpu in outcomes)
    LAST_CLIENT_CPU[0] = sum(cpu for _count, _last, cpu in outcomes)
    # When seats ran out early, the rate is over the time it took to fill them.
    end = last_success if total and last_success < stop_at - 0.05 else stop_at
    return total, max(end - start_at, 1e-6)


LAST_CLIENT_CPU = [0.0]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
GUNICORN = (f"gunicorn gthread, {WORKERS} workers x {THREADS} threads, keep-alive, DEBUG=0" if WORKER_CLASS == "gthread"
            else f"gunicorn {WORKER_CLASS}, {WORKERS} workers, DEBUG=0")


def start_gunicorn():
    """The project under gunicorn on a loopback port, same database and broker as this run.

    gthread workers: a thread waiting on PostgreSQL or Redis lets another one run, so a few
    processes (about one per core, plus one) with a handful of threads keep both cores busy.
    """
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "forum.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(WORKERS), "-k", WORKER_CLASS, "--threads", str(THREADS), "--keep-alive", "5",
         "--backlog", "2048", "--log-level", "error"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import urllib.request

    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def server_cpu_seconds(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid ... utime (field 14) stime (15) in the full line
        if int(entry) == master_pid or int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def named_cpu_seconds(names: tuple[str, ...]) -> float:
    """CPU seconds used so far by every process whose command name is one of `names` (PostgreSQL, Redis)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                line = f.read()
        except OSError:
            continue
        name = line[line.index("(") + 1:line.rindex(")")]
        if name.startswith(names):
            fields = line.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def http_health_work(port: int):
    """The cheapest request the server answers (full middleware, one SELECT 1): the load generator's
    and the HTTP stack's ceiling, measured with the very same clients."""
    import http.client

    local = threading.local()

    def work(index: int, n: int) -> bool:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            local.conn = None
            return True
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return True

    return work


def http_register_work(port: int, slug: str, type_id: int, run_id: str):
    import http.client
    import json

    local = threading.local()
    path = f"/api/v1/forums/{slug}/registrations/"

    def work(index: int, n: int) -> bool:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"registration_type": type_id, "full_name_ar": f"مشارك {index}-{n}",
                           "email": f"h{index}-{n}-{run_id}@bench.example"})
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            local.conn = None
            return True  # counted as not done; try again
        if response.status == 409:
            return False
        if response.status != 201:
            raise RuntimeError(f"HTTP {response.status}")
        return True

    return work


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
    load_before = os.getloadavg()[0]
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

    base_total, base_elapsed = run_clients(baseline, SECONDS, CLIENTS, PROCESSES)
    base_rate = base_total / base_elapsed

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

    reg_total, reg_elapsed = run_clients(register_on(forum, rtype), SECONDS, CLIENTS, PROCESSES)
    reg_rate = reg_total / reg_elapsed
    # Queries for one registration (settings row already there).
    with CaptureQueriesContext(connection) as queries:
        services.registration_create(forum=forum, registration_type=rtype, full_name_ar="استعلامات",
                                     email=f"queries-{run_id}@bench.example")
    query_count = len(queries.captured_queries)

    confirmed = Registration.objects.filter(forum=forum, status=Registration.Status.CONFIRMED).count()

    http_rate = health_rate = None
    if HTTP:
        http_forum, http_type = make_forum(CAPACITY)
        # Statements on the API's request path for one registration (tasks go to the broker, after commit).
        from django.test import Client

        api = Client()
        with CaptureQueriesContext(connection) as queries:
            response = api.post(f"/api/v1/forums/{http_forum.slug}/registrations/", content_type="application/json",
                                data={"registration_type": http_type.pk, "full_name_ar": "استعلامات",
                                      "email": f"api-queries-{run_id}@bench.example"})
        assert response.status_code == 201, response.content
        http_query_count = len(queries.captured_queries)
        server, port = start_gunicorn()
        try:
            health_done, health_elapsed = run_clients(http_health_work(port), SECONDS, CLIENTS, PROCESSES)
            health_rate = health_done / health_elapsed
            cpu_before = server_cpu_seconds(server.pid)
            services_cpu_before = named_cpu_seconds(("postgres", "redis-server"))
            _sent, http_elapsed = run_clients(http_register_work(port, http_forum.slug, http_type.pk, run_id),
                                              SECONDS, CLIENTS, PROCESSES)
            server_cpu = server_cpu_seconds(server.pid) - cpu_before
            services_cpu = named_cpu_seconds(("postgres", "redis-server")) - services_cpu_before
            client_cpu = LAST_CLIENT_CPU[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
        http_confirmed = Registration.objects.filter(forum=http_forum, status=Registration.Status.CONFIRMED).count()
        http_rate = (http_confirmed - 1) / http_elapsed  # less the one counted for queries
        http_overlimit = max(0, http_confirmed - CAPACITY)

    # Race: 50 clients for RACE_SEATS seats, until no seat is left.
    race_forum, race_type = make_forum(RACE_SEATS)
    run_clients(register_on(race_forum, race_type), SECONDS, CLIENTS, PROCESSES)
    race_held = Registration.objects.filter(forum=race_forum, status__in=Registration.SEAT_HOLDING).count()
    race_type.refresh_from_db()
    oversold = max(0, race_held - RACE_SEATS) + max(0, confirmed - CAPACITY) + (http_overlimit if HTTP else 0)

    print()
    print("Registration benchmark — PostgreSQL; the registration services are called directly (no HTTP), and")
    print("then the same through the REST API of a gunicorn server this script starts on loopback, by")
    print(f"{CLIENTS} concurrent clients (threads in {PROCESSES} processes, one DB connection or one keep-alive")
    print(f"HTTP connection each), {SECONDS:.0f} s per measurement; after-commit tasks queued to Redis.")
    if HTTP:
        print(f"server: {GUNICORN}; clients, server, PostgreSQL and Redis share the machine's {os.cpu_count()} cores.")
    print()
    print(f"{'measurement':<52}{'per second':>12}{'vs baseline':>14}")
    print("-" * 78)
    print(f"{'baseline: trivial one-row insert':<52}{base_rate:>12.0f}{'1.00':>14}")
    print(f"{'confirmed free registrations, one forum (services)':<52}{reg_rate:>12.0f}{reg_rate / base_rate:>14.2f}")
    if http_rate is not None:
        label = "baseline over HTTP: GET /healthz (SELECT 1)"
        print(f"{label:<52}{health_rate:>12.0f}{health_rate / base_rate:>14.2f}")
        label = "same registrations over HTTP: REST API, gunicorn"
        print(f"{label:<52}{http_rate:>12.0f}{http_rate / base_rate:>14.2f}")
    print("-" * 78)
    if http_rate is not None:
        print(f"over HTTP: registrations / healthz = {http_rate / health_rate:.2f}; "
              f"registrations over HTTP / via services = {http_rate / reg_rate:.2f}")
        done = max(http_rate * http_elapsed, 1)
        print(f"CPU per registration over HTTP: server (all gunicorn workers) {server_cpu / done * 1000:.1f} ms, "
              f"load generator {client_cpu / done * 1000:.1f} ms, "
              f"PostgreSQL and Redis {services_cpu / done * 1000:.1f} ms")
    print(f"confirmed registrations in the run: {confirmed} (counter {RegistrationType.objects.get(pk=rtype.pk).seats_taken})")
    print(f"race for {RACE_SEATS} seats by {CLIENTS} clients: {race_held} seats held, counter {race_type.seats_taken}")
    print(f"oversold: {oversold}  (must be 0)")
    print(f"SQL statements per registration: {query_count} in the service"
          + (f", {http_query_count} for the whole API request" if HTTP else "")
          + " (BEGIN and COMMIT included)")
    print(f"machine load average (1 min) before / after the run: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
          "(anything else running on the 2 cores lowers every figure above)")
    print("goal: > 200 confirmed registrations/s on one forum, 0 oversold")

    # Clean up this run's rows and queued tasks.
    StripeEvent.objects.filter(event_id__startswith=f"bench-{run_id}-").delete()
    for f in (forum, race_forum, *([http_forum] if HTTP else [])):
        Registration.objects.filter(forum=f).delete()
        f.delete()
    organization.delete()
    try:
        with celery_app.connection_for_write() as conn:
            for queue in (QUEUE, "celery"):  # the gunicorn run queues to the default name, same private Redis DB
                conn.default_channel.queue_purge(queue)
    except Exception as exc:  # the numbers above stand either way
        print(f"(could not purge the task queue: {exc})")

    if oversold:
        sys.exit(1)


if __name__ == "__main__":
    main()
    other = ROOT / "benchmarks" / "checkin_badges.py"
    # `make bench` runs it on its own; BENCH_COMPANION=1 prints it after this table.
    if other.exists() and os.environ.get("BENCH_COMPANION", "0") == "1":
        print("\n— benchmarks/checkin_badges.py —", flush=True)
        subprocess.run([sys.executable, str(other)], check=False, timeout=900, env=ORIGINAL_ENV)
