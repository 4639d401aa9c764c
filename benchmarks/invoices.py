"""Benchmark: 1,000 tax invoices with their PDFs, beside the badge PDF rate measured in the same run.

    .venv/bin/python benchmarks/invoices.py [--invoices 1000] [--threads 8] [--processes N] [--badges 300]

Runs on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/forum_bench_invoices)
in a throw-away test database created and dropped here. Prints one table:

- issue: invoices per second through `invoice_issue` (lock the seller's counter,
  number, hash the canonical UBL XML, QR, insert the invoice and its line), one
  thread, then N threads for one seller (they queue on the counter row: the rate
  the numbering rule allows);
- PDF: invoice PDFs per second (`document_pdf`, A4, shaped Arabic, vector QR),
  every invoice issued, drawn by N forked processes (default: one per core),
  as the e-mail workers draw them;
- invoices with PDFs: the two together, the figure the issue asks for;
- baseline: single badge PDFs per second (`badge_pdf`, the same fpdf2/HarfBuzz
  stack), drawn the same way by the same N processes, in the same run (a
  sample of --badges registrations: a rate needs no more).

Each phase stops after PHASE_SECONDS, so the script ends in a few minutes at most;
the count a phase reached is printed beside its rate.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_bench_invoices")
os.environ.setdefault("CELERY_BROKER_URL", "")

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, when static files are not collected

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PHASE_SECONDS = 300  # per phase; a PDF costs about half a second of one core (fonts parsed and subset)


def setup_data(count: int):
    from forum.models import Forum, Organization
    from invoicing import services as invoicing
    from registration.models import Registration, RegistrationType

    today = timezone.localdate()
    org = Organization.objects.create(name_ar="أمانة العاصمة المقدسة", name_en="Holy Capital Municipality")
    forum = Forum.objects.create(slug="bench", title_ar="ملتقى الجودة والتميز", title_en="Quality and Excellence Forum",
                                 organizer=org, first_day=today, last_day=today + timedelta(days=1), status="published")
    seller = invoicing.billing_settings_save(
        organization=org, legal_name_ar="أمانة العاصمة المقدسة", legal_name_en="Holy Capital Municipality",
        vat_number="310122393500003", cr_number="4031012345", street="طريق الملك عبدالعزيز", building_number="7421",
        district="العزيزية", city="مكة المكرمة", postal_code="24243", invoice_prefix="BENCH",
    )
    rtype = RegistrationType.objects.create(forum=forum, code="paid", name_ar="حضور مدفوع", name_en="Paid attendee",
                                            pricing="paid", price=Decimal("500.00"), vat_rate=Decimal("15"))
    now = timezone.now()
    Registration.objects.bulk_create([
        Registration(forum=forum, registration_type=rtype, status="confirmed", confirmed_at=now,
                     full_name_ar=f"عبدالرحمن بن محمد القحطاني {i}", full_name_en=f"Abdulrahman Alqahtani {i}",
                     email=f"bench{i}@example.org", organization_name="أمانة محافظة جدة",
                     amount_minor=rtype.total_minor, currency="SAR")
        for i in range(count)
    ], batch_size=1000)
    registrations = list(Registration.objects.filter(forum=forum).select_related("registration_type", "forum"))
    return forum, seller, registrations


def _issue(seller, forum, registration, key: str):
    from django.db import transaction

    from invoicing import services as invoicing

    line = invoicing.Line.from_gross(description_ar=f"{registration.registration_type.name_ar} — {forum.title_ar}",
                                     description_en="Paid attendee", gross_minor=registration.amount_minor,
                                     vat_rate=registration.registration_type.vat_rate)
    with transaction.atomic():
        return invoicing.invoice_issue(
            seller=seller, forum=forum, currency="SAR", source_key=key, order_reference=registration.reference,
            buyer=invoicing.Buyer(name=registration.full_name_ar, name_en=registration.full_name_en,
                                  email=registration.email), lines=[line])


def bench_issue(seller, forum, registrations):
    begin, invoices = time.perf_counter(), []
    for registration in registrations:
        invoices.append(_issue(seller, forum, registration, f"one:{registration.pk}"))
        if time.perf_counter() - begin > PHASE_SECONDS:
            break
    return invoices, time.perf_counter() - begin


def bench_issue_threads(seller, forum, registrations, threads: int):
    chunks = [registrations[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)
    done, errors = [0] * threads, []
    deadline = [0.0]

    def work(index):
        try:
            barrier.wait()
            for registration in chunks[index]:
                if time.perf_counter() > deadline[0]:
                    break
                _issue(seller, forum, registration, f"many:{registration.pk}")
                done[index] += 1
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    begin = time.perf_counter()
    deadline[0] = begin + PHASE_SECONDS
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done), time.perf_counter() - begin, errors


# What the forked workers draw: set in the parent before the pool forks, so children inherit it.
_WORK: dict = {}


def _draw_chunk(indices):
    """In a worker: draw the documents (or badges) at these indices until the phase's deadline."""
    items, deadline = _WORK["items"], _WORK["deadline"]
    count, size = 0, 0
    for index in indices:
        if time.perf_counter() > deadline:
            break
        size += len(_WORK["draw"](items[index]))
        count += 1
    connections.close_all()
    return count, size


def _pool_run(kind: str, items: list, draw, processes: int):
    """Draw every item with `processes` forked workers (one per core by default); (count, seconds, bytes)."""
    connections.close_all()  # each child opens its own connection when it needs one
    begin = time.perf_counter()
    _WORK.update(kind=kind, items=items, draw=draw, deadline=begin + PHASE_SECONDS)
    chunks = [list(range(i, len(items), processes * 4)) for i in range(processes * 4)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        results = pool.map(_draw_chunk, chunks, chunksize=1)
    elapsed = time.perf_counter() - begin
    return sum(c for c, _s in results), elapsed, sum(s for _c, s in results)


def _invoice_pdf(document):
    from invoicing.rendering import document_pdf

    return document_pdf(invoice=document)


def _badge_pdf(registration):
    try:  # the badge services issue then draw (after the layering work); before it, rendering did both
        from registration.badges.services import badge_pdf
    except ImportError:
        from registration.badges.rendering import badge_pdf
    return badge_pdf(registration=registration)


def bench_pdfs(invoices, processes: int):
    from invoicing.models import Invoice

    documents = list(Invoice.objects.filter(pk__in=[i.pk for i in invoices]).select_related(
        "related", "reverses", "replaces", "seller").prefetch_related("lines"))
    _invoice_pdf(documents[0])  # fonts parsed before the fork, as a long-running worker has them
    count, elapsed, size = _pool_run("invoice", documents, _invoice_pdf, processes)
    return count, elapsed, size / max(count, 1)


def bench_badges(registrations, limit: int, processes: int):
    _badge_pdf(registrations[0])
    count, elapsed, _size = _pool_run("badge", registrations[1:limit + 1], _badge_pdf, processes)
    return count, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="forked processes drawing PDFs, the same for invoices and badges (default: cores)")
    parser.add_argument("--badges", type=int, default=300, help="badge PDFs drawn for the baseline rate")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: not PostgreSQL; the numbers are for", connection.vendor, file=sys.stderr)

    from invoicing import selectors
    from invoicing import services as invoicing

    invoicing._task_email = lambda invoice_id: None  # the e-mail (a second PDF) is measured by the PDF phase
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        forum, seller, registrations = setup_data(args.invoices)
        invoices, issue_elapsed = bench_issue(seller, forum, registrations)
        threaded, threaded_elapsed, errors = bench_issue_threads(seller, forum, registrations, args.threads)
        pdf_count, pdf_elapsed, pdf_size = bench_pdfs(invoices, args.processes)
        badge_count, badge_elapsed = bench_badges(registrations, args.badges, args.processes)
        chain = selectors.chain_errors(seller=seller)
        numbers = sorted(seller.invoices.values_list("sequence", flat=True))
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    issue_rate = len(invoices) / issue_elapsed
    pdf_rate = pdf_count / pdf_elapsed
    both_rate = 1 / (1 / issue_rate + 1 / pdf_rate)
    badge_rate = badge_count / badge_elapsed
    rows = [
        ("invoices issued, 1 thread", len(invoices), f"{issue_rate:,.0f}/s", ""),
        (f"invoices issued, {args.threads} threads, one seller", threaded, f"{threaded / threaded_elapsed:,.0f}/s", ""),
        (f"invoice PDFs (A4, {pdf_size / 1024:.0f} KB, {args.processes} proc.)", pdf_count, f"{pdf_rate:,.1f}/s",
         f"{pdf_rate / badge_rate:.2f}×"),
        ("invoices with PDFs (issue + PDF)", pdf_count, f"{both_rate:,.1f}/s", f"{both_rate / badge_rate:.2f}×"),
        (f"  baseline: badge PDFs (one card, {args.processes} proc.)", badge_count, f"{badge_rate:,.1f}/s", "1.00×"),
    ]
    print()
    print(f"{'measure':<48} {'count':>7} {'rate':>10} {'vs badges':>10}")
    print("-" * 79)
    for label, count, rate, ratio in rows:
        print(f"{label:<48} {count:>7} {rate:>10} {ratio:>10}")
    print()
    gaps = numbers != list(range(1, len(numbers) + 1))
    print(f"{len(numbers)} numbers issued: {'GAPS/DUPLICATES' if gaps else 'consecutive, no gap or duplicate'}; "
          f"hash chain: {'BROKEN ' + '; '.join(chain[:3]) if chain else 'valid'}; thread errors: {len(errors)}")


if __name__ == "__main__":
    main()
