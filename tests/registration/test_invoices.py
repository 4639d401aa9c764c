"""Paid registrations and tax invoices: the invoice is issued with the payment, each refund gets its credit note,
the optional buyer block makes a standard invoice, and nothing paid is sold before the seller is set up."""

from decimal import Decimal

import pytest
import stripe
from django.db import transaction
from django.urls import reverse

from forum.errors import DomainError
from forum.mailing.models import OutgoingMessage
from invoicing import selectors
from invoicing.models import Invoice, InvoiceCounter
from registration import payments, services
from registration.models import Payment, Registration
from tests.invoicing.tlv import tlv_decode
from tests.registration.factories import RegistrationTypeFactory, person
from tests.registration.test_payments import card_pay, post_event

pytestmark = pytest.mark.django_db


def register(rtype, **kwargs):
    return services.registration_create(forum=rtype.forum, registration_type=rtype, **person(**kwargs))


def paid_without_stripe(registration, intent="pi_test_local"):
    """A stored PaymentIntent paid: what the webhook tells the service (Stripe itself is not needed here)."""
    payment = Payment.objects.create(registration=registration, stripe_payment_intent_id=f"{intent}_{registration.pk}",
                                     client_secret="secret", amount_minor=registration.amount_minor,
                                     currency=registration.currency)
    services.payment_succeeded(intent_id=payment.stripe_payment_intent_id, amount=payment.amount_minor,
                               currency=payment.currency)
    return payment


def test_paid_confirmation_issues_a_simplified_invoice(forum, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    with django_capture_on_commit_callbacks(execute=True):
        payment = paid_without_stripe(registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    invoice = Invoice.objects.get()
    assert invoice.source_key == f"payment:{payment.pk}" and invoice.order_reference == registration.reference
    assert (invoice.net_minor, invoice.vat_minor, invoice.total_minor) == (50000, 7500, 57500)
    assert not invoice.is_standard and invoice.buyer_name == registration.full_name_ar
    assert invoice.buyer_email == registration.email and invoice.forum_id == forum.pk
    line = invoice.lines.get()
    assert line.description_ar.startswith(rtype.name_ar) and line.vat_rate == Decimal("15.00")
    assert tlv_decode(invoice.qr)["total"] == "575.00"
    assert OutgoingMessage.objects.filter(kind="invoice", to=registration.email).count() == 1
    # The webhook arriving again changes nothing.
    services.payment_succeeded(intent_id=payment.stripe_payment_intent_id, amount=57500, currency="SAR")
    assert Invoice.objects.count() == 1


def test_invoice_and_confirmation_commit_together(forum, monkeypatch):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)

    def broken_confirm(*args, **kwargs):
        raise RuntimeError("the database went away mid-confirmation")

    from registration.services import payments as payment_services

    monkeypatch.setattr(payment_services, "_confirm", broken_confirm)
    with pytest.raises(RuntimeError):
        paid_without_stripe(registration)
    assert not Invoice.objects.exists()
    assert InvoiceCounter.objects.get(seller__organization=forum.organizer).last_number == 0
    # The payment's success rolled back with it: the next webhook delivery tries again, whole.
    assert Payment.objects.get(registration=registration).status == Payment.Status.REQUIRES_PAYMENT


def test_buyer_with_vat_number_gets_a_standard_invoice_in_the_organizations_name(forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype, organization_name="شركة الجودة الشاملة", buyer_vat_number="300000000000003",
                             buyer_address="الرياض، حي العليا، 12211")
    paid_without_stripe(registration)
    invoice = Invoice.objects.get()
    assert invoice.is_standard and invoice.titles.ar == "فاتورة ضريبية"
    assert (invoice.buyer_name, invoice.buyer_vat_number) == ("شركة الجودة الشاملة", "300000000000003")
    assert invoice.buyer_address == "الرياض، حي العليا، 12211"


@pytest.mark.parametrize("bad", ["12345", "300000000000004", "400000000000003", "3000000000000O3", "٣٠٠٠٠٠٠٠٠٠٠٠٠٠٣"])
def test_malformed_buyer_vat_number_refused_through_the_api(api_client, forum, bad):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    response = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/",
                               {"registration_type": rtype.pk, **person(), "buyer_vat_number": bad}, format="json")
    assert response.status_code == 400, response.content
    assert "buyer_vat_number" in response.json()
    assert not Registration.objects.exists()


def test_malformed_buyer_vat_number_is_a_form_error_on_the_page(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    page = client.get(reverse("registration:register", args=[forum.slug]))
    assert b'data-testid="buyer-block"' in page.content
    response = client.post(reverse("registration:register", args=[forum.slug]), {
        "registration_type": rtype.pk, **person(), "buyer_vat_number": "123", "buyer_address": "جدة"})
    assert response.status_code == 200
    assert "15" in response.content.decode() and not Registration.objects.exists()
    assert response.context["form"].errors["buyer_vat_number"]


def test_paid_type_not_sold_before_the_sellers_billing_settings(api_client, forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True, seller=False)
    with pytest.raises(DomainError) as refused:
        register(rtype)
    assert refused.value.code == "seller_not_ready" and "registration_type" in refused.value.errors
    response = api_client.post(f"/api/v1/forums/{forum.slug}/registrations/",
                               {"registration_type": rtype.pk, **person()}, format="json")
    assert response.status_code == 400 and "بيانات الفوترة" in response.json()["registration_type"][0]
    assert not Registration.objects.exists()


def test_paid_type_not_created_before_the_sellers_billing_settings(client_for, forum, owner):
    client = client_for(owner)
    url = f"/api/v1/forums/{forum.slug}/registration-types/"
    body = {"code": "paid", "name_ar": "مدفوع", "pricing": "paid", "price": "100.00"}
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400 and "بيانات الفوترة" in refused.json()["pricing"][0]
    assert client.post(url, {"code": "free", "name_ar": "مجاني"}, format="json").status_code == 201
    from tests.invoicing.factories import seller_for_forum

    seller_for_forum(forum)
    assert client.post(url, body, format="json").status_code == 201


def test_paid_type_not_created_in_the_admin_before_the_sellers_billing_settings(client, forum):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(reverse("admin:registration_registrationtype_add"), {
        "forum": forum.pk, "code": "paid", "name_ar": "مدفوع", "category": "general", "badge_color": "#14532d",
        "pricing": "paid", "price": "100.00", "currency": "SAR", "vat_rate": "15", "order": 0,
    })
    assert response.status_code == 200 and "بيانات الفوترة" in response.content.decode()
    assert not forum.registration_types.exists()


def test_cancellation_refund_issues_a_full_credit_note(forum, stripe_local):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    services.payment_sync(registration=registration)
    services.registration_cancel(registration=registration)
    invoice = Invoice.objects.get(kind="invoice")
    credit = Invoice.objects.get(kind="credit_note")
    assert credit.related_id == invoice.pk and credit.reason == "استرداد لإلغاء التسجيل"
    assert (credit.net_minor, credit.vat_minor, credit.total_minor) == (50000, 7500, 57500)
    assert selectors.chain_errors(seller=invoice.seller) == []


def paid_then_refunded_in_stripe(forum, *, amount: int):
    """A registration paid by card at localstripe, then a refund of `amount` made in Stripe (as from the
    dashboard); its webhook is the test's to post. Returns the registration, payment, refund and charge id."""
    registration = register(RegistrationTypeFactory(forum=forum, paid=True))
    payment = services.payment_intent_ensure(registration=registration)
    card_pay(payment.stripe_payment_intent_id)
    services.payment_sync(registration=registration)
    payments._configure()
    refund = stripe.Refund.create(payment_intent=payment.stripe_payment_intent_id, amount=amount)
    intent = stripe.PaymentIntent.retrieve(payment.stripe_payment_intent_id)
    charge_id = intent["latest_charge"] if isinstance(intent["latest_charge"], str) else intent["latest_charge"]["id"]
    return registration, payment, refund, charge_id


def test_partial_dashboard_refund_issues_a_credit_note_with_the_right_amounts(client, forum, stripe_local):
    registration, payment, refund, charge_id = paid_then_refunded_in_stripe(forum, amount=20000)
    event = {"id": "evt_partial_1", "object": "event", "type": "charge.refunded", "data": {"object": {
        "id": charge_id, "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
        "amount": 57500, "amount_refunded": 20000, "refunded": False,
        "refunds": {"data": [{"id": refund["id"], "amount": 20000, "status": "succeeded"}]}}}}
    assert post_event(client, event).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # a partial refund keeps the seat
    credit = Invoice.objects.get(kind="credit_note")
    # 200.00 with 15 % VAT: 173.91 net + 26.09 VAT (26.0865 rounded), as ZATCA checks a line's VAT.
    assert (credit.net_minor, credit.vat_minor, credit.total_minor) == (17391, 2609, 20000)
    fields = tlv_decode(credit.qr)
    assert (fields["total"], fields["vat_total"]) == ("200.00", "26.09")
    # The same refund reported again (refund.created) issues nothing more.
    post_event(client, {"id": "evt_partial_2", "object": "event", "type": "refund.created", "data": {"object": {
        "id": refund["id"], "object": "refund", "payment_intent": payment.stripe_payment_intent_id,
        "amount": 20000, "status": "succeeded"}}})
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    # The rest refunded later: the two credit notes add up to the invoice exactly.
    services.registration_cancel(registration=registration)
    invoice = Invoice.objects.get(kind="invoice")
    credits = Invoice.objects.filter(kind="credit_note")
    assert sum(c.net_minor for c in credits) == invoice.net_minor
    assert sum(c.vat_minor for c in credits) == invoice.vat_minor


def test_late_payment_refund_issues_invoice_and_credit_note(forum, stripe_local):
    from datetime import timedelta

    from django.utils import timezone

    rtype = RegistrationTypeFactory(forum=forum, paid=True, capacity=1)
    late = register(rtype)
    payment = services.payment_intent_ensure(registration=late)
    Registration.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.registrations_expire()
    register(rtype)
    card_pay(payment.stripe_payment_intent_id)
    services.payment_succeeded(intent_id=payment.stripe_payment_intent_id, amount=57500, currency="SAR")
    kinds = list(Invoice.objects.order_by("sequence").values_list("kind", "total_minor"))
    assert kinds == [("invoice", 57500), ("credit_note", 57500)]
    assert Invoice.objects.get(kind="credit_note").reason == "استرداد لدفع وصل بعد تحرير المقعد"


def test_attendee_page_shows_the_invoice_with_its_qr_and_downloads_the_pdf(client, forum):
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    registration = register(rtype)
    paid_without_stripe(registration)
    invoice = Invoice.objects.get()
    page = client.get(reverse("registration:detail", args=[registration.access_token]))
    body = page.content.decode()
    assert invoice.number in body and "فاتورة ضريبية مبسطة" in body and "data:image/png;base64," in body
    pdf = client.get(reverse("registration:invoice_pdf", args=[registration.access_token, invoice.uuid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    other = register(rtype)
    refused = client.get(reverse("registration:invoice_pdf", args=[other.access_token, invoice.uuid]))
    assert refused.status_code == 404  # another attendee's link does not open this invoice


def test_concurrent_sales_share_one_transaction_each(forum):
    """Two payments in one outer transaction take consecutive numbers (the counter row is re-read under lock)."""
    rtype = RegistrationTypeFactory(forum=forum, paid=True)
    with transaction.atomic():
        paid_without_stripe(register(rtype), intent="pi_a")
        paid_without_stripe(register(rtype), intent="pi_b")
    assert list(Invoice.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]


def test_refund_failing_later_is_answered_by_a_debit_note_once(client, forum, stripe_local):
    """A pending refund that Stripe later reports failed (charge.refund.updated, then refund.failed for the same
    refund): its credit note stands and a debit note reverses it, once; the payment's refunded total drops."""
    from registration.models import Refund

    registration, payment, refund, charge_id = paid_then_refunded_in_stripe(forum, amount=20000)
    assert post_event(client, {"id": "evt_fail_1", "object": "event", "type": "charge.refunded", "data": {"object": {
        "id": charge_id, "object": "charge", "payment_intent": payment.stripe_payment_intent_id,
        "amount": 57500, "amount_refunded": 20000, "refunded": False,
        "refunds": {"data": [{"id": refund["id"], "amount": 20000, "status": "pending"}]}}}}).status_code == 200
    credit = Invoice.objects.get(kind="credit_note")
    assert Payment.objects.get(pk=payment.pk).amount_refunded_minor == 20000
    # localstripe's refunds always succeed; the failure is Stripe's to report, so its event is posted here.
    failed = {"id": refund["id"], "object": "refund", "payment_intent": payment.stripe_payment_intent_id,
              "charge": charge_id, "amount": 20000, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    for event_id, kind in (("evt_fail_2", "charge.refund.updated"), ("evt_fail_2", "charge.refund.updated"),
                           ("evt_fail_3", "refund.failed")):
        assert post_event(client, {"id": event_id, "object": "event", "type": kind,
                                   "data": {"object": failed}}).status_code == 200
    debit = Invoice.objects.get(kind="debit_note")
    assert (debit.reverses_id, debit.related_id) == (credit.pk, credit.related_id)
    assert (debit.net_minor, debit.vat_minor, debit.total_minor) == (credit.net_minor, credit.vat_minor, 20000)
    assert debit.source_key == f"refund-failed:{refund['id']}" and debit.sequence == credit.sequence + 1
    assert Refund.objects.get(stripe_refund_id=refund["id"]).status == "failed"
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded_minor) == (Payment.Status.SUCCEEDED, 0)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert selectors.chain_errors(seller=debit.seller) == []
    # The whole amount can be refunded (and credited) again afterwards.
    services.registration_cancel(registration=registration)
    invoice = Invoice.objects.get(kind="invoice")
    assert Invoice.objects.filter(kind="credit_note").count() == 2
    from invoicing.services import creditable_minor

    assert creditable_minor(invoice) == 0
