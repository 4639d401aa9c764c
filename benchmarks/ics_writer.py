"""Benchmark of the .ics writer: one render of the 300-session public agenda calendar, the icalendar
builder (`to_bytes(calendar_from_snapshot(...))`, the baseline) against the direct writer
(`calendar_bytes(...)`), in the same process.

    SECRET_KEY=x .venv/bin/python benchmarks/ics_writer.py [--rounds 15]

Builds the generated forum (3 days, 6 halls, 300 sessions, 900 people) in its own SQLite database,
renders once with each path (the first render of the writer makes the VTIMEZONE, printed apart),
then `gc.collect(); gc.freeze()` as a worker does (forum/wsgi.py), and times alternating renders;
then the whole GET of the forum's agenda.ics (test client, page cache emptied before each) with the
view writing through one path or the other. Both texts are checked equal.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(function) -> tuple[float, bytes]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed renders of each path")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ics-"))
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    import django

    django.setup()
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.management import call_command

    from sessions import ics
    from tests.frontend.factories import big_agenda

    print("Preparing the generated forum ...", flush=True)
    call_command("migrate", verbosity=0)
    data = big_agenda(days=3, halls=6, sessions=300, people=900)
    forum, snapshot = data["forum"], data["version"].snapshot
    sessions = snapshot["sessions"]
    options = {"method": "PUBLISH", "sequences": {s["id"]: 1 for s in sessions}, "base_url": "http://127.0.0.1",
               "stamp": datetime.now(ZoneInfo("UTC"))}

    def old():
        return ics.to_bytes(ics.calendar_from_snapshot(snapshot, sessions, **options))

    def new():
        return ics.calendar_bytes(snapshot, sessions, **options)

    first_new, text = timed(new)  # the process's first: makes the VTIMEZONE
    first_old, reference = timed(old)
    assert text == reference, "the writer's text differs from the icalendar builder's"
    gc.collect()
    gc.freeze()
    figures: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        figures["old"].append(timed(old)[0])
        figures["new"].append(timed(new)[0])
    # The whole request for the forum's .ics with the page cache emptied before each, the view writing
    # with one path or the other.
    from django.core.cache import cache
    from django.test import Client

    client, writer = Client(HTTP_HOST="127.0.0.1"), ics.calendar_bytes
    url = f"/forums/{forum.slug}/agenda.ics"

    def request(path_of: str) -> float:
        ics.calendar_bytes = writer if path_of == "new" else (
            lambda *a, **k: ics.to_bytes(ics.calendar_from_snapshot(*a, **k)))
        try:
            cache.clear()
            elapsed, response = timed(lambda: client.get(url))
        finally:
            ics.calendar_bytes = writer
        assert response.status_code == 200, response.status_code
        return elapsed

    requests: dict[str, list[float]] = {"old": [], "new": []}
    request("old"), request("new")
    for _ in range(args.rounds):
        requests["old"].append(request("old"))
        requests["new"].append(request("new"))
    old_ms, new_ms = statistics.median(figures["old"]), statistics.median(figures["new"])
    print(f"\n.ics of 300 sessions ({len(text)} bytes), {args.rounds} renders each, after gc.freeze()\n")
    print(f"| {'figure':<56} | {'ms':>8} |")
    print(f"|{'-' * 58}|{'-' * 10}|")
    print(f"| {'baseline: icalendar builder, median':<56} | {old_ms:8.1f} |")
    print(f"| {'baseline: icalendar builder, best':<56} | {min(figures['old']):8.1f} |")
    print(f"| {'direct writer, median':<56} | {new_ms:8.1f} |")
    print(f"| {'direct writer, best':<56} | {min(figures['new']):8.1f} |")
    print(f"| {'direct writer, first in the process (VTIMEZONE made)':<56} | {first_new:8.1f} |")
    print(f"| {'icalendar builder, first in the process':<56} | {first_old:8.1f} |")
    old_rq, new_rq = statistics.median(requests["old"]), statistics.median(requests["new"])
    print(f"| {'GET agenda.ics, empty cache, builder (baseline), median':<56} | {old_rq:8.1f} |")
    print(f"| {'GET agenda.ics, empty cache, writer, median':<56} | {new_rq:8.1f} |")
    print(f"\nratio writer / builder (median): render {new_ms / old_ms:.2f}, request {new_rq / old_rq:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
