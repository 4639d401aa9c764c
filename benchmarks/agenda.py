"""Benchmark of the public agenda under gunicorn on loopback.

Loads a generated forum (3 days, 6 halls, 300 sessions, 900 people) into its
own SQLite database (or the one in DATABASE_URL), starts gunicorn on
127.0.0.1, and measures requests per second and p50/p99 latency of the agenda
page, the agenda API, the forum .ics, schedule.xml and schedule.json, beside a trivial view
of the same app measured in the same run. Prints a table with the ratios.

    make bench-agenda            # or: .venv/bin/python benchmarks/agenda.py [--seconds 8] [--concurrency 16]

Also the first render with a cold cache (ar and en page, .ics), in a fresh worker and in one that has
served other pages. The load comes from wrk (-t2) when installed, else from two Python processes.

Every request loop is bounded in count and in time, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
# wrk when installed (as in the issue: wrk -t2 -c16); else the same load from two Python processes.
WRK = shutil.which("wrk")


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


def _load_process(port: int, request: bytes, connections: int, seconds: float, max_requests: int,
                  expect: int, out) -> None:
    """One load process: `connections` requests in flight at once over non-blocking sockets.

    Like wrk against gunicorn's sync workers (which close the connection after each
    answer): connect, send, read to the end, record the latency, connect again.
    """
    import selectors

    sel = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.monotonic() + seconds

    def start():
        nonlocal sent
        sent += 1
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        sel.register(sock, selectors.EVENT_WRITE, [time.perf_counter(), bytearray()])

    for _ in range(connections):
        start()
    while sel.get_map():
        for key, events in sel.select(timeout=1):
            sock, state = key.fileobj, key.data
            if events & selectors.EVENT_WRITE:
                try:
                    sock.sendall(request)
                except OSError:
                    errors += 1
                    sel.unregister(sock)
                    sock.close()
                    if time.monotonic() < stop_at and sent < max_requests:
                        start()
                    continue
                sel.modify(sock, selectors.EVENT_READ, state)
                continue
            try:
                chunk = sock.recv(262144)
            except OSError:
                chunk = b""
                state[1] = bytearray(b"HTTP/1.1 599")
            if chunk:
                if len(state[1]) < 12:  # only the status line is read; the rest is received and dropped
                    state[1] += chunk[:12]
                continue
            sel.unregister(sock)
            sock.close()
            head = bytes(state[1][:12])
            if head[9:12] == str(expect).encode():
                latencies.append(time.perf_counter() - state[0])
            else:
                errors += 1
            if time.monotonic() < stop_at and sent < max_requests:
                start()
    out.put((latencies, errors))


def measure(port: int, path: str, *, seconds: float, concurrency: int, max_requests: int,
            headers: dict | None = None, expect: int = 200, processes: int = 2, gzip: bool = True) -> dict:
    """`processes` clients with `concurrency` requests in flight in all (wrk -t2 -c16 by default).

    With `gzip`, like a browser (the client does not inflate; it only receives); without, like wrk's
    default requests, which name no encoding and so get the plain bytes.
    """
    import multiprocessing

    headers = {"Host": "127.0.0.1", **({"Accept-Encoding": "gzip"} if gzip else {}), "Connection": "close",
               **(headers or {})}
    request = (f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    queue = multiprocessing.Queue()
    per = max(1, concurrency // processes)
    began = time.perf_counter()
    procs = [multiprocessing.Process(target=_load_process,
                                     args=(port, request, per, seconds, max_requests // processes, expect, queue))
             for _ in range(processes)]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        part, errs = queue.get(timeout=seconds + 60)
        latencies.extend(part)
        errors += errs
    for proc in procs:
        proc.join(timeout=10)
    wall = time.perf_counter() - began
    latencies.sort()
    count = len(latencies)

    def pct(p):
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    return {
        "requests": count,
        "errors": errors,
        "rps": count / wall if wall else 0.0,
        "p50": statistics.median(latencies) * 1000 if count else float("nan"),
        "p99": pct(0.99),
    }


def measure_wrk(port: int, path: str, *, seconds: float, concurrency: int, headers: dict | None = None,
                gzip: bool = True) -> dict:
    """The same with wrk (-t2), when it is installed: its own figures, non-2xx/3xx answers as errors."""
    headers = {**({"Accept-Encoding": "gzip"} if gzip else {}), **(headers or {})}
    cmd = [WRK, "-t2", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout

    def ms(text):
        value = float(re.match(r"[\d.]+", text).group())
        return value / 1000 if text.endswith("us") else value * 1000 if text.endswith("s") and not text.endswith("ms") else value

    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(int(x) for x in errors.groups()) if errors else 0),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(p50),
        "p99": ms(p99),
    }


def start_server(env: dict, workdir: Path, workers: int):
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "forum.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "/dev/null", "--error-logfile", str(workdir / "gunicorn.log"),
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    wait_ready(port)
    return server, port


def stop_server(server) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def timed_get(port: int, path: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    return elapsed, response.status


def first_renders(env: dict, workdir: Path, slug: str, paths: list[tuple[str, str]]) -> list[tuple[str, float, float]]:
    """Cold cache (each server starts with an empty one): the first request for each path in a fresh
    worker, and in a worker that has already served other pages (not of the agenda)."""
    other_pages = ["/", "/en/", f"/forums/{slug}/", f"/en/forums/{slug}/", "/forums/ping"]
    rows = []
    for label, path in paths:
        server, port = start_server(env, workdir, 1)
        try:
            fresh, status = timed_get(port, path)
            assert status == 200, (path, status)
        finally:
            stop_server(server)
        server, port = start_server(env, workdir, 1)
        try:
            for page in other_pages * 2:
                timed_get(port, page)
            warmed, status = timed_get(port, path)
            assert status == 200, (path, status)
        finally:
            stop_server(server)
        rows.append((label, fresh, warmed))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="time limit per endpoint")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (wrk -c)")
    parser.add_argument("--max-requests", type=int, default=50000, help="request cap per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-first-render", action="store_true", help="skip the cold-cache first renders")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-agenda-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "forum.settings", "DEBUG": "0", "LOG_LEVEL": "ERROR",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    server = None
    try:
        print(f"Preparing the generated forum in {env['DATABASE_URL'].split('@')[-1]} ...", flush=True)
        slug = prepare_database(env)
        server, port = start_server(env, workdir, args.workers)
        endpoints = [
            ("trivial view (/forums/ping)", "/forums/ping"),
            ("agenda page (ar)", f"/forums/{slug}/agenda/"),
            ("agenda page (en)", f"/en/forums/{slug}/agenda/"),
            ("agenda API", f"/api/v1/forums/{slug}/agenda/"),
            ("forum .ics", f"/forums/{slug}/agenda.ics"),
            ("schedule.xml", f"/forums/{slug}/schedule.xml"),
            ("schedule.json", f"/forums/{slug}/schedule.json"),
        ]
        # Warm every worker's cache (the first render of each is measured apart, below).
        for _, path in endpoints:
            measure(port, path, seconds=5, concurrency=args.workers * 2, max_requests=args.workers * 6)

        def run(path, **kw):
            if WRK:
                return measure_wrk(port, path, seconds=args.seconds, concurrency=args.concurrency, **kw)
            return measure(port, path, seconds=args.seconds, concurrency=args.concurrency,
                           max_requests=args.max_requests, **kw)

        # A repeat visit: the browser sends the ETag it has and gets 304 without any rendering.
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        probe.request("GET", endpoints[1][1], headers={"Accept-Encoding": "gzip"})
        answer = probe.getresponse()
        answer.read()
        etag = answer.getheader("ETag")
        probe.close()
        tables = []
        for gzip in (False, True):
            results = [(label, run(path, gzip=gzip)) for label, path in endpoints]
            results.append(("agenda page, repeat (304)", run(endpoints[1][1], headers={"If-None-Match": etag},
                                                             gzip=gzip, **({} if WRK else {"expect": 304}))))
            tables.append((gzip, results))
        stop_server(server)
        server = None
        client = "wrk -t2" if WRK else "2 Python client processes (wrk is not installed)"
        print()
        print(f"Forum {slug}: 3 days, 6 halls, 300 sessions, 900 people; gunicorn {args.workers} sync workers; "
              f"{client}, {args.concurrency} requests in flight, {args.seconds:g}s per endpoint")
        for gzip, results in tables:
            base = results[0][1]
            print("\nAs browsers ask (Accept-Encoding: gzip):" if gzip else
                  "\nAs wrk asks by default (no Accept-Encoding: the plain bytes, 750 KB for the page):")
            header = f"{'endpoint':32} {'requests':>8} {'errors':>6} {'req/s':>9} {'rate ×':>7} {'p50 ms':>8} " \
                     f"{'p99 ms':>8} {'p50 ×':>7}"
            print(header)
            print("-" * len(header))
            for label, r in results:
                print(f"{label:32} {r['requests']:8d} {r['errors']:6d} {r['rps']:9.1f} {r['rps'] / base['rps']:7.2f} "
                      f"{r['p50']:8.2f} {r['p99']:8.2f} {r['p50'] / base['p50']:7.2f}")
        print("(rate × = req/s of the endpoint / req/s of the trivial view; goal: at least 0.5 for each cached endpoint)")

        if not args.no_first_render:
            print("\nFirst render with a cold cache (one gunicorn worker, started anew for each figure) ...", flush=True)
            rows = first_renders(env, workdir, slug, [endpoints[1], endpoints[2], endpoints[4]])
            header = f"{'first request of':32} {'fresh worker ms':>16} {'warmed worker ms':>17}"
            print(header)
            print("-" * len(header))
            for label, fresh, warmed in rows:
                print(f"{label:32} {fresh:16.0f} {warmed:17.0f}")
            print("(warmed: the worker has served the forum list and home first; goal: under 150 ms for each)")
        return 0
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
