"""Benchmark: issuing and printing attendance certificates in bulk, beside a bare fpdf2 loop in the same run.

    .venv/bin/python benchmarks/certificates.py [--certificates 2000] [--small 500]

Uses the database of DATABASE_URL (SQLite by default) in a throw-away test database created and dropped
here. Makes a forum whose N attendees were all admitted at the door, then prints one table:

- the bulk job (services.batch_run): eligibility, issuing (rows in chunks), storing each holder's e-mail in
  the outbox, drawing every certificate (A4 landscape, HarfBuzz-shaped Arabic, Hijri and Gregorian dates,
  vector QR code) in parts and joining them in a stream into one PDF, certificates per second, for the small
  and the full run, and the SQL statements each ran;
- drawing alone (rendering.certificates_write over the issued rows), certificates per second;
- the baseline: a bare fpdf2 loop, one A4 page per certificate with the same embedded fonts and text
  shaping and only the holder's name on it, written to one file;
- memory: the process's peak RSS over what it held before printing, for a small run (--small) and the full
  one; "flat" when the full run's peak grows by less than FLAT_KB_PER_CERTIFICATE per certificate more than
  the small one's (the deltas are a few MB, so their ratio is mostly noise: 1.07× to 1.32× in runs of the same
  code); keeping every page would grow by at least its 2.3 KB in the file per certificate.

Goal (issue 15): at least 100 certificates per second, and within 3× the bare loop. Each phase is bounded by
the number of certificates; the whole script takes a few minutes at most.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
os.environ.setdefault("CELERY_BROKER_URL", "")

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

FLAT_KB_PER_CERTIFICATE = 2


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def setup_data(count: int):
    """A forum running today and `count` confirmed attendees, each admitted once at the door."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from forum.models import Forum, Organization, TeamMember
    from registration.badges import services as badge_services
    from registration.badges.models import Admission, Badge, Checkpoint
    from registration.models import Registration, RegistrationType

    today = timezone.localdate()
    organizer = Organization.objects.create(name_ar="أمانة العاصمة المقدسة", name_en="Makkah Municipality")
    forum = Forum.objects.create(slug="bench", title_ar="ملتقى الجودة والتميز في الخدمات البلدية",
                                 title_en="Forum of Quality and Excellence in Municipal Services", organizer=organizer,
                                 first_day=today, last_day=today + timedelta(days=1), status="published")
    owner = get_user_model().objects.create(username="bench-owner")
    TeamMember.objects.create(forum=forum, user=owner, role="owner")
    rtype = RegistrationType.objects.create(forum=forum, code="general", name_ar="حضور عام", name_en="General")
    names = ["عبدالرحمن بن محمد القحطاني", "سارة بنت عبدالله الغامدي", "طارق بن حسن العمري", "وائل بن صالح حلواني"]
    Registration.objects.bulk_create([
        Registration(forum=forum, registration_type=rtype, status="confirmed", confirmed_at=timezone.now(),
                     honorific=("engineer", "doctor", "", "ustadh")[i % 4], full_name_ar=f"{names[i % 4]} {i}",
                     full_name_en=f"Attendee Number {i}", email=f"a{i}@example.org", reference=f"B{i:07d}",
                     access_token=f"bench-{i:08d}")
        for i in range(count)
    ], batch_size=500)
    key = badge_services.signing_key_active(forum=forum)
    valid_from, valid_until = badge_services.badge_validity(forum=forum)
    registrations = list(Registration.objects.filter(forum=forum).values_list("pk", flat=True))
    Badge.objects.bulk_create([
        Badge(registration_id=pk, forum=forum, signing_key=key, token=f"bench-{pk}", category="general",
              valid_from=valid_from, valid_until=valid_until) for pk in registrations
    ], batch_size=500)
    badge_services.checkpoints_ensure(forum=forum)
    door = Checkpoint.objects.get(forum=forum, kind="door")
    now = timezone.now()
    Admission.objects.bulk_create([
        Admission(registration_id=b.registration_id, badge=b, checkpoint=door, day=today, admitted_at=now)
        for b in Badge.objects.filter(forum=forum)
    ], batch_size=500)
    return forum, owner


def bench_batch(forum, owner, *, limit: int | None = None) -> dict:
    """The whole bulk job, as the worker runs it, e-mails to the holders included: each is stored in the
    outbox with its certificate and handed to the sender after the commit. Sending them is the mail worker's
    own job (make bench-messages), so here the hand-over only counts the messages."""
    from certificates import services
    from certificates.models import Certificate, CertificateBatch
    from forum.mailing import tasks as mailing_tasks
    from forum.mailing.models import OutgoingMessage
    from registration.models import Registration

    Certificate.objects.filter(forum=forum).delete()
    OutgoingMessage.objects.all().delete()
    handed: list[int] = []
    mailing_tasks.messages_send_batch_task.delay = lambda ids, *args, **kwargs: handed.extend(ids)
    if limit is not None:  # a smaller forum: only the first `limit` attendees stay confirmed
        keep = list(Registration.objects.filter(forum=forum).order_by("pk").values_list("pk", flat=True)[:limit])
        Registration.objects.filter(forum=forum).exclude(pk__in=keep).update(status="cancelled")
    batch = CertificateBatch.objects.create(forum=forum, requested_by=owner, scope="attendees", notify=True,
                                            total=limit or Registration.objects.filter(forum=forum).count())
    before = rss_mb()
    statements = 0

    def counting(execute, sql, params, many, context):  # counts without keeping the SQL (it holds the e-mails)
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        batch = services.batch_run(batch_id=batch.pk)
        elapsed = time.perf_counter() - started
    assert batch.status == "done", batch.error
    assert len(handed) == batch.done == OutgoingMessage.objects.filter(kind="certificate_issued").count()
    size = batch.file.size
    batch.file.delete(save=False)
    Registration.objects.filter(forum=forum).update(status="confirmed")
    return {"count": batch.done, "elapsed": elapsed, "parts": batch.parts, "rss_mb": rss_mb(), "before": before,
            "size_mb": size / 2**20, "queries": statements, "emails": len(handed)}


def bench_draw(forum) -> dict:
    """Drawing and joining only, over the certificates issued by the full batch."""
    from certificates import rendering
    from certificates.models import Certificate, Kind

    look = rendering.look_for(forum=forum, kind=Kind.ATTENDANCE)
    certificates = Certificate.objects.filter(forum=forum, revoked_at__isnull=True).order_by("pk")
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        count, _parts = rendering.certificates_write(forum=forum, certificates=certificates.iterator(chunk_size=500),
                                                     out=out, look_of=lambda _kind: look)
        elapsed = time.perf_counter() - started
    return {"count": count, "elapsed": elapsed}


def bench_fpdf_loop(names: list[str]) -> dict:
    """The baseline: fpdf2 alone, one A4 landscape page per certificate with one shaped line (the name)."""
    from fpdf import FPDF

    from forum import fonts

    started = time.perf_counter()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("naskh", "B", str(fonts.arabic_font(bold=True)))
    pdf.set_text_shaping(True)
    pdf.set_font("naskh", "B", 28)
    for name in names:
        pdf.add_page()
        pdf.set_xy(30, 62)
        pdf.cell(237, 15, name, align="C")
    with tempfile.TemporaryFile() as out:
        out.write(pdf.output())
    return {"count": len(names), "elapsed": time.perf_counter() - started}


def bench_fpdf_loop_apart(names: list[str]) -> dict:
    """The baseline in a forked child, so that its memory does not count in this process's peak."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(bench_fpdf_loop, (names,))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=2000)
    parser.add_argument("--small", type=int, default=500, help="the smaller run of the memory comparison")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from django.conf import settings

        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-certificates-")
        forum, owner = setup_data(args.certificates)
        # The baseline runs before and after the certificates and counts for their mean, so that a machine
        # whose load changes during the run does not favour either side.
        baseline_names = [f"عبدالرحمن بن محمد القحطاني {i}" for i in range(args.certificates)]
        loop_before = bench_fpdf_loop_apart(baseline_names)
        rss_before = rss_mb()
        # ru_maxrss is the process's peak so far: the small run goes first.
        small = bench_batch(forum, owner, limit=min(args.small, args.certificates))
        full = bench_batch(forum, owner)
        draw = bench_draw(forum)
        from certificates.models import Certificate

        names = list(Certificate.objects.filter(forum=forum, revoked_at__isnull=True)
                     .values_list("name_ar", flat=True))
        loop_after = bench_fpdf_loop_apart(names)
        loop = {"count": loop_before["count"] + loop_after["count"],
                "elapsed": loop_before["elapsed"] + loop_after["elapsed"]}
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    from certificates import rendering, services

    def rate(result):
        return result["count"] / result["elapsed"] if result["elapsed"] else 0.0

    rows = [
        (f"bulk job: issue + e-mail + draw + join, {full['count']}", rate(full), rate(full) / rate(loop)),
        (f"  the same, {small['count']} certificates", rate(small), rate(small) / rate(loop)),
        (f"  drawing and joining only, {draw['count']}", rate(draw), rate(draw) / rate(loop)),
        (f"  baseline: bare fpdf2 one-page loop, {loop_before['count']} before + {loop_after['count']} after",
         rate(loop), 1.0),
    ]
    print()
    print(f"database: {connection.vendor}")
    print(f"{'measure':<58} {'per second':>12} {'vs baseline':>12}")
    print("-" * 84)
    for label, per_second, ratio in rows:
        print(f"{label:<58} {per_second:>12,.1f} {ratio:>11.2f}×")
    print()
    goal_rate = rate(full) >= 100
    goal_ratio = rate(loop) / rate(full) <= 3
    print(f"goal ≥100/s: {'met' if goal_rate else 'NOT met'} ({rate(full):.1f}/s); "
          f"within 3× the bare loop: {'met' if goal_ratio else 'NOT met'} "
          f"(the loop is {rate(loop) / rate(full):.2f}× faster)")
    small_delta = small["rss_mb"] - rss_before
    full_delta = full["rss_mb"] - rss_before
    ratio = full_delta / small_delta if small_delta > 0 else float("inf")
    extra = full["count"] - small["count"]
    per_extra_kb = (full_delta - small_delta) * 1024 / extra if extra > 0 else 0.0
    flat = per_extra_kb < FLAT_KB_PER_CERTIFICATE
    print(f"memory: process peak RSS {full['rss_mb']:.1f} MB (limit 300 MB: {'OK' if full['rss_mb'] < 300 else 'OVER'}); "
          f"over the {rss_before:.1f} MB before printing: {small['count']} certificates +{small_delta:.1f} MB, "
          f"{full['count']} +{full_delta:.1f} MB ({ratio:.2f}×; {per_extra_kb:.1f} KB per extra certificate: "
          f"{'flat' if flat else 'growing'})")
    print(f"file: {full['size_mb']:.1f} MB in {full['parts']} parts joined; e-mails stored in the outbox: "
          f"{full['emails']}; SQL statements per job: {small['queries']} for {small['count']}, "
          f"{full['queries']} for {full['count']} (a fixed number per chunk of "
          f"{services.BATCH_CHUNK} certificates and per part of {rendering.PART_CERTIFICATES})")


if __name__ == "__main__":
    main()
