"""Benchmark: a message to 5,000 attendees through the outbox, beside a bare smtplib loop in the same run.

    .venv/bin/python benchmarks/messages.py [--attendees 5000] [--small 1000] [--rate 20]

Runs in a throw-away test database (DATABASE_URL, default a SQLite file in a
temporary folder; e.g. postgres://postgres@127.0.0.1:5432/forum_bench_messages)
with a local SMTP sink (aiosmtpd on loopback) that counts what arrives. Prints one table:

- baseline: a bare `smtplib` loop sending 5,000 ready-made messages of the same
  size over one connection (the fastest the sink can take mail);
- outbox: `announcement_send` of one bilingual message with placeholders to a
  segment of 5,000 confirmed attendees, from the click to the last message
  accepted by the sink: rendering per recipient, one outbox row and one history
  row each, sending in batches over one SMTP connection (no rate limit);
- rate limit: 200 messages with OUTBOX_BULK_PER_SECOND=--rate, to show the
  limiter holds;
- memory: the Python heap peak (tracemalloc) while sending to --small and to
  --attendees recipients, in separate runs; "flat" when 5x the recipients needs
  less than 1.5x the memory. Delivery holds one chunk of rendered messages at a
  time, so --small must be at least a chunk (500) for the comparison to mean
  anything: below it the peak grows with the recipients up to the chunk.

The sink runs in a process of its own, as a mail server would, so it neither
competes with the sender for the interpreter lock nor counts in its memory.

Every phase ends on its own (bounded by the number of messages); the whole run takes a minute or two.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="bench-messages-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR / 'bench.sqlite3'}")
os.environ["CELERY_BROKER_URL"] = ""  # tasks in-process, as without a broker
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BODY_AR = ("السلام عليكم {name}،\nيسرنا تذكيركم بموعد {forum} صباح الغد في القاعة الكبرى.\n"
           "بطاقة الدخول: {badge_link}\nنرجو الحضور قبل الموعد بنصف ساعة.")
BODY_EN = ("Dear {name},\nA reminder that {forum} opens tomorrow morning in the main hall.\n"
           "Your badge: {badge_link}\nPlease arrive half an hour early.")


class Sink:
    """A local SMTP server in its own process that counts accepted messages and keeps nothing.

    In a process of its own, as a real mail server is: in a thread of the
    benchmark it would compete for the interpreter lock with the sender and
    its memory would be counted as the sender's.
    """

    def __init__(self, port: int):
        # Forked before the benchmark opens a database connection: the child does not import this script
        # again (spawn would, with its Django set-up and a temporary folder of its own).
        context = multiprocessing.get_context("fork")
        self.port = port
        self._count = context.Value("q", 0)
        self._bytes = context.Value("q", 0)
        self._expect = context.Value("q", 0)
        self._done = context.Event()
        self._ready = context.Event()
        self._process = context.Process(
            target=_serve_sink, args=(port, self._count, self._bytes, self._expect, self._done, self._ready),
            daemon=True)

    def start(self) -> None:
        self._process.start()
        if not self._ready.wait(timeout=60):
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(timeout=10)

    @property
    def count(self) -> int:
        return self._count.value

    @property
    def bytes(self) -> int:
        return self._bytes.value

    def reset(self, expect: int) -> None:
        with self._count.get_lock():
            self._count.value, self._bytes.value, self._expect.value = 0, 0, expect
            self._done.clear()

    def wait(self, timeout: float) -> bool:
        return self._done.wait(timeout=timeout)


class _CountingHandler:
    def __init__(self, count, size, expect, done):
        self.count, self.size, self.expect, self.done = count, size, expect, done

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
            self.size.value += len(envelope.content)
            if self.count.value >= self.expect.value:
                self.done.set()
        return "250 OK"


def _serve_sink(port, count, size, expect, done, ready) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_CountingHandler(count, size, expect, done), hostname="127.0.0.1", port=port,
                            data_size_limit=0)
    controller.start()
    ready.set()
    threading.Event().wait()  # until terminated


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_forum(n: int, tag: str):
    from forum.models import Forum, Organization
    from registration.models import Registration, RegistrationType

    org = Organization.objects.create(name_ar=f"أمانة {tag}")
    forum = Forum.objects.create(slug=f"bench-{tag}", title_ar="ملتقى الجودة والتميز", title_en="Quality Forum",
                                 organizer=org, first_day=timezone.localdate(), last_day=timezone.localdate(),
                                 status="published")
    rtype = RegistrationType.objects.create(forum=forum, code="general", name_ar="حضور عام")
    honorifics = ["doctor", "engineer", "ustadh", "excellency", ""]
    now = timezone.now()
    Registration.objects.bulk_create(
        [Registration(forum=forum, registration_type=rtype, status="confirmed", confirmed_at=now,
                      honorific=honorifics[i % 5], full_name_ar=f"عبدالله بن محمد الحربي {i}",
                      full_name_en=f"Abdullah Alharbi {i}", email=f"a{i}-{tag}@example.org",
                      language="en" if i % 4 == 0 else "ar") for i in range(n)],
        batch_size=1000)
    return forum


def outbox_send(forum, sink: Sink, n: int, *, trace: bool = False) -> tuple[float, int]:
    from announcements import services

    announcement = services.announcement_save(forum=forum, user=None, data={
        "subject_ar": "تذكير: {forum}", "subject_en": "Reminder: {forum}", "body_ar": BODY_AR, "body_en": BODY_EN,
        "segment": "confirmed"})
    sink.reset(n)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with transaction.atomic():
        services.announcement_send(announcement=announcement)
    if not sink.wait(timeout=float(os.environ.get("BENCH_WAIT", "600"))):
        from django.db.models import Count

        from announcements.models import Announcement
        from forum.mailing.models import OutgoingMessage
        print("stuck:", Announcement.objects.values_list("status", flat=True)[:5],
              list(OutgoingMessage.objects.values("status", "last_error").annotate(n=Count("id"))), sink.count)
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert sink.count == n, f"the sink received {sink.count} of {n}"
    return elapsed, peak


def smtplib_loop(port: int, sink: Sink, n: int, size: int) -> float:
    body = ("ن" * (size // 2))
    sink.reset(n)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            message = EmailMessage()
            message["From"] = settings.DEFAULT_FROM_EMAIL
            message["To"] = f"b{i}@example.org"
            message["Subject"] = "تذكير"
            message.set_content(body)
            smtp.send_message(message)
    sink.wait(timeout=60)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=5000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()

    from announcements.services import CHUNK

    if args.small < CHUNK:
        parser.error(f"--small must be at least one delivery chunk ({CHUNK}) for the memory comparison to mean anything")
    port = free_port()
    sink = Sink(port)
    sink.start()
    setup_test_environment()  # (it swaps the e-mail backend for locmem: the real one is set after)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.OUTBOX_BULK_PER_SECOND = 0
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}; preparing {args.attendees:,} and {args.small:,} attendees ...",
              flush=True)
        big, small, again, rated = (make_forum(args.attendees, "big"), make_forum(args.small, "small"),
                                    make_forum(args.attendees, "again"), make_forum(200, "rated"))
        outbox_seconds, _ = outbox_send(big, sink, args.attendees)
        average = sink.bytes // max(sink.count, 1)
        baseline_seconds = smtplib_loop(port, sink, args.attendees, average)

        settings.OUTBOX_BULK_PER_SECOND = args.rate
        rated_seconds, _ = outbox_send(rated, sink, 200)
        settings.OUTBOX_BULK_PER_SECOND = 0

        _, small_peak = outbox_send(small, sink, args.small, trace=True)
        _, big_peak = outbox_send(again, sink, args.attendees, trace=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        sink.stop()

    rows = [
        ("bare smtplib loop, one connection", args.attendees, baseline_seconds, args.attendees / baseline_seconds),
        ("outbox: message to a segment", args.attendees, outbox_seconds, args.attendees / outbox_seconds),
        (f"outbox, limited to {args.rate:g}/s", 200, rated_seconds, 200 / rated_seconds),
    ]
    print()
    print(f"{'what':40} {'messages':>9} {'seconds':>8} {'messages/s':>11}")
    for label, n, seconds, rate in rows:
        print(f"{label:40} {n:>9,} {seconds:>8.1f} {rate:>11.0f}")
    print(f"outbox vs bare smtplib: {rows[1][3] / rows[0][3]:.0%} of the bare loop's rate "
          f"(average message {average:,} bytes, Arabic and English parts, HTML and text)")
    ratio = big_peak / small_peak if small_peak else 0
    extra = args.attendees - args.small
    per_recipient = (big_peak - small_peak) / extra if extra > 0 else 0
    print(f"memory (Python heap peak while sending): {args.small:,} recipients {small_peak / 2**20:.1f} MB, "
          f"{args.attendees:,} recipients {big_peak / 2**20:.1f} MB -> {ratio:.2f}x "
          f"({'flat' if ratio < 1.5 else 'growing'}; {per_recipient:,.0f} bytes per further recipient: "
          f"the addresses already sent; rendered messages are held one chunk of {CHUNK} at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
