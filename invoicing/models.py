"""Invoices and credit notes, and who sells.

- `BillingSettings`: the selling organization's legal identity (one per
  Organization; a forum's seller is its organizing body).
- `InvoiceCounter`: one row per seller holding the last number and the last
  document's hash. Issuing locks it (SELECT … FOR UPDATE), so concurrent payments
  take consecutive numbers one after another; the unique (seller, number)
  constraint backs the rule, so a bug can never write a duplicate.
- `Invoice`: an invoice or a credit note (one number series and one hash chain
  per seller, as ZATCA's invoice counter and previous-invoice hash are), with a
  frozen copy of the seller's and buyer's details and totals in minor units.
- `InvoiceLine`: its lines, VAT per line.

Issued documents are never changed: the model refuses save() of an existing
row and delete(), and database triggers refuse UPDATE (and, on PostgreSQL,
DELETE) of documents and lines. A correction is a credit note that refers to
the invoice (then, for wrong buyer details, a replacement invoice that names
the one it replaces); a credit note whose refund failed is reversed by a debit
note that names it.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.errors import DomainError
from forum.models import Forum, Organization

from .countries import country_choices, rules_for


class InvoiceImmutable(DomainError):
    status_code = 409
    default_code = "invoice_immutable"

    def __init__(self):
        super().__init__(_("An issued invoice or credit note cannot be changed or deleted; "
                           "issue a credit note to correct it."))


def logo_upload_to(instance, filename: str) -> str:
    return f"invoicing/logos/{secrets.token_hex(12)}{Path(filename).suffix.lower()[:6]}"


class BillingSettings(models.Model):
    """The selling organization's legal identity, printed on every invoice it issues."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="billing_settings",
                                        verbose_name=_("organization"))
    country = models.CharField(_("country"), max_length=2, choices=country_choices(), default="SA")
    legal_name_ar = models.CharField(_("legal name (Arabic)"), max_length=200)
    legal_name_en = models.CharField(_("legal name (English)"), max_length=200)
    vat_number = models.CharField(_("VAT registration number"), max_length=20)
    cr_number = models.CharField(_("commercial registration number"), max_length=20)
    street = models.CharField(_("street"), max_length=120)
    building_number = models.CharField(_("building number"), max_length=10)
    district = models.CharField(_("district"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    postal_code = models.CharField(_("postal code"), max_length=10)
    invoice_prefix = models.CharField(_("invoice-number prefix"), max_length=12,
                                      help_text=_("Letters A-Z, digits and hyphens, e.g. AMANA-2026."))
    logo = models.ImageField(_("logo"), upload_to=logo_upload_to, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")
        constraints = [
            models.CheckConstraint(condition=Q(invoice_prefix__regex=r"^[A-Z0-9][A-Z0-9-]{0,11}$"),
                                   name="billing_settings_prefix_format"),
            models.CheckConstraint(condition=Q(vat_number__regex=r"^[0-9]{5,20}$"),
                                   name="billing_settings_vat_number_digits"),
        ]

    def __str__(self) -> str:
        return self.legal_name_ar

    @property
    def rules(self):
        return rules_for(self.country)

    @property
    def address(self) -> str:
        return f"{self.building_number} {self.street}، {self.district}، {self.city} {self.postal_code}"


class InvoiceCounter(models.Model):
    """The last number and hash of a seller's documents; locked while the next one is issued."""

    seller = models.OneToOneField(BillingSettings, on_delete=models.PROTECT, related_name="counter")
    last_number = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.last_number}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Tax invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        # Reverses a credit note whose refund failed at the payment provider (ZATCA: إشعار مدين, UBL 383).
        DEBIT_NOTE = "debit_note", _("Debit note")

    seller = models.ForeignKey(BillingSettings, on_delete=models.PROTECT, related_name="invoices")
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="invoices", null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    is_standard = models.BooleanField(_("standard tax invoice (buyer with a VAT number)"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=32)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    previous_hash = models.CharField(_("previous document's hash"), max_length=100)
    hash = models.CharField(_("hash"), max_length=100)
    issued_at = models.DateTimeField(_("issued at"))
    related = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="credit_notes", verbose_name=_("invoice credited"))
    # A debit note names the credit note it reverses (and, in `related`, that note's invoice).
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals",
                                 verbose_name=_("credit note reversed"))
    # A replacement invoice (corrected buyer details) names the invoice it replaces, credited in full before it.
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="replacements", verbose_name=_("invoice replaced"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # What this document is for, unique per seller: a retried payment or refund finds its document.
    source_key = models.CharField(max_length=100)
    order_reference = models.CharField(_("order reference"), max_length=40, blank=True, db_index=True)
    currency = models.CharField(_("currency"), max_length=3)
    net_minor = models.BigIntegerField(_("net (smallest unit)"))
    vat_minor = models.BigIntegerField(_("VAT (smallest unit)"))
    total_minor = models.BigIntegerField(_("total with VAT (smallest unit)"))
    # Frozen copies: a later change of the settings or of the registration never changes an issued document.
    seller_country = models.CharField(max_length=2)
    seller_name_ar = models.CharField(max_length=200)
    seller_name_en = models.CharField(max_length=200)
    seller_vat_number = models.CharField(max_length=20)
    seller_cr_number = models.CharField(max_length=20)
    seller_address = models.JSONField()
    buyer_name = models.CharField(_("buyer"), max_length=255)
    buyer_name_en = models.CharField(max_length=255, blank=True)
    buyer_email = models.EmailField(blank=True)
    buyer_vat_number = models.CharField(_("buyer's VAT number"), max_length=20, blank=True)
    buyer_address = models.CharField(_("buyer's address"), max_length=255, blank=True)
    language = models.CharField(max_length=5, default="ar")
    qr = models.TextField(_("QR payload"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-sequence"]
        indexes = [models.Index(fields=["forum", "issued_at"]), models.Index(fields=["seller", "issued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sequence"], name="invoice_number_unique_per_seller"),
            models.UniqueConstraint(fields=["seller", "source_key"], name="invoice_source_once_per_seller"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="invoice_sequence_positive"),
            models.CheckConstraint(condition=Q(total_minor=F("net_minor") + F("vat_minor")),
                                   name="invoice_total_is_net_plus_vat"),
            models.CheckConstraint(condition=Q(net_minor__gte=0, vat_minor__gte=0), name="invoice_amounts_positive"),
            models.CheckConstraint(
                condition=(Q(kind="invoice", related__isnull=True, reverses__isnull=True)
                           | Q(kind="credit_note", related__isnull=False, reverses__isnull=True, replaces__isnull=True)
                           | Q(kind="debit_note", related__isnull=False, reverses__isnull=False,
                               replaces__isnull=True)),
                name="invoice_notes_refer_to_their_documents",
            ),
            # One reversal per credit note and one replacement per invoice, whatever path asks twice.
            models.UniqueConstraint(fields=["reverses"], condition=Q(reverses__isnull=False),
                                    name="invoice_credit_note_reversed_once"),
            models.UniqueConstraint(fields=["replaces"], condition=Q(replaces__isnull=False),
                                    name="invoice_replaced_once"),
            models.CheckConstraint(condition=Q(is_standard=False) | ~Q(buyer_vat_number=""),
                                   name="invoice_standard_has_buyer_vat"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise InvoiceImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise InvoiceImmutable()

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_debit_note(self) -> bool:
        return self.kind == self.Kind.DEBIT_NOTE

    @property
    def sign(self) -> int:
        """How the document counts in totals: a credit note takes away, invoices and debit notes add."""
        return -1 if self.kind == self.Kind.CREDIT_NOTE else 1

    @property
    def total_display(self) -> str:
        from .money import amount_display

        return amount_display(self.total_minor, self.currency)

    @property
    def titles(self):
        return rules_for(self.seller_country).titles[(self.kind, self.is_standard)]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description_ar = models.CharField(max_length=255)
    description_en = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price_minor = models.BigIntegerField()
    net_minor = models.BigIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique"),
            models.CheckConstraint(condition=Q(total_minor=F("net_minor") + F("vat_minor")),
                                   name="invoice_line_total_is_net_plus_vat"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="invoice_line_vat_range"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise InvoiceImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise InvoiceImmutable()
