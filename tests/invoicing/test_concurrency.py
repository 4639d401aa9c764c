"""50 paid confirmations at once for one seller, on PostgreSQL with real row locks: 50 consecutive numbers,
no gap, no duplicate, and every document chained to the one before."""

import threading

import pytest
from django.db import connection

from invoicing import selectors
from invoicing.models import Invoice
from registration import services
from registration.models import Payment, Registration
from tests.factories import ForumFactory
from tests.invoicing.factories import seller_for_forum
from tests.registration.factories import RegistrationTypeFactory, person

CLIENTS = 50


def race(target, count: int) -> list:
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = target(index)
        except Exception as exc:  # the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_paid_confirmations_get_consecutive_numbers_and_a_valid_chain(postgres_only, monkeypatch):
    from invoicing import services as invoicing_services

    monkeypatch.setattr(invoicing_services, "_task_email", lambda invoice_id: None)  # mail has its own tests
    forum = ForumFactory()
    seller = seller_for_forum(forum)
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    other_forum = ForumFactory(organizer=forum.organizer)  # the same seller sells another forum's seats too
    other_type = RegistrationTypeFactory(forum=other_forum, paid=True)
    payments = []
    for index in range(CLIENTS):
        kind = rtype if index % 5 else other_type
        registration = services.registration_create(forum=kind.forum, registration_type=kind,
                                                    **person(email=f"payer{index}@example.org"))
        payments.append(Payment.objects.create(
            registration=registration, stripe_payment_intent_id=f"pi_race_{index}", client_secret="s",
            amount_minor=registration.amount_minor, currency=registration.currency))

    def pay(index):
        payment = payments[index]
        return services.payment_succeeded(intent_id=payment.stripe_payment_intent_id, amount=payment.amount_minor,
                                          currency=payment.currency)

    outcomes = race(pay, CLIENTS)
    failures = [repr(o) for o in outcomes if not isinstance(o, Payment)]
    assert not failures, failures
    assert Registration.objects.filter(status=Registration.Status.CONFIRMED).count() == CLIENTS
    numbers = sorted(Invoice.objects.filter(seller=seller).values_list("sequence", flat=True))
    assert numbers == list(range(1, CLIENTS + 1))
    assert Invoice.objects.filter(seller=seller).values("source_key").distinct().count() == CLIENTS
    assert selectors.chain_errors(seller=seller) == []
    seller.counter.refresh_from_db()
    assert seller.counter.last_number == CLIENTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_corrections_never_credit_more_than_the_invoice(postgres_only, monkeypatch):
    """Ten organizers correct one invoice of 575.00 at once, 100.00 each: five notes fit, five are refused;
    then two deliveries of a refund failure at once reverse one credit note once."""
    from decimal import Decimal

    from forum.errors import DomainError
    from invoicing import services as invoicing_services

    monkeypatch.setattr(invoicing_services, "_task_email", lambda invoice_id: None)
    forum = ForumFactory()
    seller = seller_for_forum(forum)
    invoice = invoicing_services.invoice_issue(
        seller=seller, buyer=invoicing_services.Buyer(name="سارة"), currency="SAR", source_key="p", forum=forum,
        lines=[invoicing_services.Line("حضور", "Attendance", 50000, Decimal("15"))])

    outcomes = race(lambda index: invoicing_services.credit_note_correct(
        invoice=invoice, gross_minor=10000, reason=f"تصحيح {index}"), 10)
    issued = [o for o in outcomes if isinstance(o, Invoice)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(issued) == 5 and len(refused) == 5, outcomes
    assert all(o.code == "over_credit" for o in refused)
    assert invoicing_services.creditable_minor(invoice) == 7500

    reversals = race(lambda index: invoicing_services.debit_note_issue(
        credit_note=issued[0], reason="تعذر الاسترداد", source_key=f"failed:{index}"), 2)
    assert all(isinstance(o, Invoice) for o in reversals), reversals
    assert reversals[0].pk == reversals[1].pk and Invoice.objects.filter(kind="debit_note").count() == 1
    numbers = sorted(Invoice.objects.filter(seller=seller).values_list("sequence", flat=True))
    assert numbers == list(range(1, 8))  # the invoice, five credit notes, one debit note: no gap
    assert selectors.chain_errors(seller=seller) == []
