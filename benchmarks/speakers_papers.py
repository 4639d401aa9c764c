"""Benchmark of paper uploads and the proceedings book.

Builds a forum with N PDF papers (each P pages) in a throw-away SQLite
database and private directory, then measures, each beside a baseline of the
same run:

- upload inspection (content sniffing, pypdf open, SHA-256) of a PDF and of a
  DOCX, against the baseline of hashing the same bytes only;
- the proceedings book (front matter drawn with fpdf2 + HarfBuzz, papers
  copied in one at a time by forum.pdfjoin), time and peak Python memory
  (tracemalloc), against the baseline of a bare pypdf concatenation of the
  same files (PdfWriter keeps every page until it writes). The book's memory
  should stay flat as papers are added; the baseline's grows with them.

    .venv/bin/python benchmarks/speakers_papers.py [--papers 10 60] [--pages 20] [--repeat 20]

Every loop is bounded; the database and files are deleted at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
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


def peak(fn) -> tuple[float, float]:
    """(seconds, peak MB of Python allocations) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, top / 1048576


def bench_inspection(repeat: int) -> list[tuple[str, float, float]]:
    from speakers.uploads import inspect_upload
    from tests.speakers.files import docx_bytes, pdf_bytes

    rows = []
    for label, data, name in (("PDF 20 pages", pdf_bytes(pages=20), "p.pdf"), ("DOCX", docx_bytes(), "p.docx")):
        def baseline(data=data):
            hashlib.sha256(data).hexdigest()

        def inspect(data=data, name=name):
            inspect_upload(io.BytesIO(data), name=name, size=len(data), accepted_kinds=["pdf", "docx", "pptx"],
                           max_bytes=25 * 1048576)

        rows.append((label, timed(baseline, repeat), timed(inspect, repeat)))
    return rows


def build_forum(papers: int, pages: int):
    from django.utils import timezone

    from speakers.models import PaperFile
    from tests.factories import ForumFactory, PersonFactory, SessionFactory, WorkingPaperFactory, at
    from tests.speakers.factories import PaperFileFactory
    from tests.speakers.files import pdf_bytes

    forum = ForumFactory()
    sessions = [SessionFactory(forum=forum, number=n + 1, starts_at=at(8 + n), ends_at=at(9 + n)) for n in range(4)]
    content = pdf_bytes(pages=pages, marker="BENCH")
    for n in range(papers):
        paper = WorkingPaperFactory(forum=forum, session=sessions[n % 4], status="accepted", decided_at=timezone.now())
        paper.speakers.add(PersonFactory())
        PaperFileFactory(paper=paper, version=1, file__data=content)
    return forum, [f.file.path for f in PaperFile.objects.filter(paper__forum=forum)]


def bench_book(papers: int, pages: int) -> tuple[int, float, float, float, float]:
    from pypdf import PdfWriter

    from speakers.proceedings import build_book

    forum, paths = build_forum(papers, pages)

    def baseline():
        writer = PdfWriter()
        for path in paths:
            writer.append(path)
        with tempfile.TemporaryFile() as out:
            writer.write(out)

    def book():
        result = build_book(forum=forum)
        result.path.unlink()

    base_s, base_mb = peak(baseline)
    book_s, book_mb = peak(book)
    return papers, base_s, book_s, base_mb, book_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, nargs="+", default=[10, 60])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        print(f"{'upload':<14} | {'sha256 only ms':>14} | {'full inspection ms':>18} | {'ratio':>7}")
        print("-" * 62)
        for label, base, full in bench_inspection(args.repeat):
            print(f"{label:<14} | {base:>14.2f} | {full:>18.2f} | {full / base:>6.1f}x")
        print()
        print(f"{'papers':>6} | {'bare concat s':>13} | {'book s':>7} | {'concat peak MB':>14} | {'book peak MB':>12}")
        print("-" * 66)
        for papers in args.papers:
            n, base_s, book_s, base_mb, book_mb = bench_book(papers, args.pages)
            print(f"{n:>6} | {base_s:>13.2f} | {book_s:>7.2f} | {base_mb:>14.1f} | {book_mb:>12.1f}")


if __name__ == "__main__":
    main()
