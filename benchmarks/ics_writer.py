"""Benchmark of the .ics writer: one render of the 300-session public agenda calendar, the icalendar
builder (`to_bytes(calendar_from_snapshot(...))`, the baseline) against the direct writer
(`calendar_bytes(...)`), in the same process.

    SECRET_KEY=x .venv/bin/python benchmarks/ics_writer.py [--rounds 15]

Builds the generated forum (3 days, 6 halls, 300 sessions, 900 people) in its own SQLite database,
renders once with each path (the first render of the writer makes the VTIMEZONE, printed apart),
then `gc.collect(); gc.freeze()` as a worker does (forum/wsgi.py), and times alternating renders.
Both outputs are checked equal.
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
    snapshot = big_agenda(days=3, halls=6, sessions=300, people=900)["version"].snapshot
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
    old_ms, new_ms = statistics.median(figures["old"]), statistics.median(figures["new"])
    print(f"\n.ics of 300 sessions ({len(text)} bytes), {args.rounds} renders each, after gc.freeze()\n")
    print(f"| {'figure':<52} | {'ms':>8} |")
    print(f"|{'-' * 54}|{'-' * 10}|")
    print(f"| {'baseline: icalendar builder, median':<52} | {old_ms:8.1f} |")
    print(f"| {'baseline: icalendar builder, best':<52} | {min(figures['old']):8.1f} |")
    print(f"| {'direct writer, median':<52} | {new_ms:8.1f} |")
    print(f"| {'direct writer, best':<52} | {min(figures['new']):8.1f} |")
    print(f"| {'direct writer, first in the process (VTIMEZONE made)':<52} | {first_new:8.1f} |")
    print(f"| {'icalendar builder, first in the process':<52} | {first_old:8.1f} |")
    print(f"\nratio writer / builder (median): {new_ms / old_ms:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
