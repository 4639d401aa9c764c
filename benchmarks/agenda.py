"""Benchmark of the public agenda under gunicorn on loopback.

Loads a generated forum (3 days, 6 halls, 300 sessions, 900 people) into its
own SQLite database (or the one in DATABASE_URL), starts gunicorn on
127.0.0.1, and measures requests per second and p50/p99 latency of the agenda
page, the agenda API, the forum .ics and schedule.xml, beside a trivial view
of the same app measured in the same run. Prints a table with the ratios.

    make bench-agenda            # or: .venv/bin/python benchmarks/agenda.py [--seconds 8] [--concurrency 4]

Every request loop is bounded in count and in time, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> str:
    """Migrate, build and publish the generated forum; return its slug."""
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = (
        "from tests.frontend.factories import big_agenda\n"
        "from forum.models import Forum\n"
        "forum = Forum.objects.filter(slug__startswith='bench-').first()\n"
        "if forum is None:\n"
        "    forum = big_agenda(days=3, halls=6, sessions=300, people=900)['forum']\n"
        "    Forum.objects.filter(pk=forum.pk).update(slug='bench-' + forum.slug)\n"
        "    forum.refresh_from_db()\n"
        "print(forum.slug)\n"
    )
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/forums/ping")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def measure(port: int, path: str, *, seconds: float, concurrency: int, max_requests: int,
            headers: dict | None = None, expect: int = 200) -> dict:
    """Keep-alive clients hammer one path; stop at the time limit or the request cap."""
    # Like a browser: gzip accepted (the client does not inflate; it only receives).
    headers = {"Accept-Encoding": "gzip", **(headers or {})}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    budget = [max_requests]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        local = []
        while time.monotonic() < stop_at:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expect
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            elapsed = time.perf_counter() - start
            if ok:
                local.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(local)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    count = len(latencies)

    def pct(p):
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    return {
        "requests": count,
        "errors": errors[0],
        "rps": count / wall if wall else 0.0,
        "p50": statistics.median(latencies) * 1000 if count else float("nan"),
        "p99": pct(0.99),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="time limit per endpoint")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=5000, help="request cap per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-agenda-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "forum.settings", "DEBUG": "0", "LOG_LEVEL": "ERROR",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    server = None
    try:
        print(f"Preparing the generated forum in {env['DATABASE_URL'].split('@')[-1]} ...", flush=True)
        slug = prepare_database(env)
        port = free_port()
        server = subprocess.Popen(
            [GUNICORN, "forum.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--access-logfile", "/dev/null", "--error-logfile", str(workdir / "gunicorn.log"),
             "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        wait_ready(port)
        endpoints = [
            ("trivial view (/forums/ping)", "/forums/ping"),
            ("agenda page (ar)", f"/forums/{slug}/agenda/"),
            ("agenda page (en)", f"/en/forums/{slug}/agenda/"),
            ("agenda API", f"/api/v1/forums/{slug}/agenda/"),
            ("forum .ics", f"/forums/{slug}/agenda.ics"),
            ("schedule.xml", f"/forums/{slug}/schedule.xml"),
        ]
        # Warm every worker's cache (the first render of each is not what visitors see).
        for _, path in endpoints:
            measure(port, path, seconds=5, concurrency=args.workers * 2, max_requests=args.workers * 6)
        results = []
        for label, path in endpoints:
            results.append((label, measure(port, path, seconds=args.seconds, concurrency=args.concurrency,
                                           max_requests=args.max_requests)))
        # A repeat visit: the browser sends the ETag it has and gets 304 without any rendering.
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        probe.request("GET", endpoints[1][1], headers={"Accept-Encoding": "gzip"})
        answer = probe.getresponse()
        answer.read()
        etag = answer.getheader("ETag")
        probe.close()
        results.append(("agenda page, repeat (304)", measure(
            port, endpoints[1][1], seconds=args.seconds, concurrency=args.concurrency,
            max_requests=args.max_requests, headers={"If-None-Match": etag}, expect=304)))
        base = results[0][1]
        print()
        print(f"Forum {slug}: 3 days, 6 halls, 300 sessions, 900 people; gunicorn {args.workers} workers, "
              f"{args.concurrency} keep-alive clients, {args.seconds:g}s per endpoint")
        header = f"{'endpoint':32} {'requests':>8} {'errors':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} " \
                 f"{'p50 ×':>7} {'p99 ×':>7}"
        print(header)
        print("-" * len(header))
        for label, r in results:
            print(f"{label:32} {r['requests']:8d} {r['errors']:6d} {r['rps']:9.1f} {r['p50']:8.2f} {r['p99']:8.2f} "
                  f"{r['p50'] / base['p50']:7.2f} {r['p99'] / base['p99']:7.2f}")
        agenda = results[1][1]
        verdict = "within" if agenda["p50"] <= 2 * base["p50"] else "NOT within"
        print(f"\nCached agenda page p50 is {agenda['p50'] / base['p50']:.2f}× the trivial view: {verdict} the 2× goal.")
        return 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
