from rest_framework import serializers

from ..models import Invoice, InvoiceLine
from ..money import amount_display


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description_ar", "description_en", "quantity", "unit_price_minor", "net_minor",
                  "vat_rate", "vat_minor", "total_minor"]


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    related_number = serializers.CharField(source="related.number", read_only=True, allow_null=True, default=None)
    reverses_number = serializers.CharField(source="reverses.number", read_only=True, allow_null=True, default=None,
                                            help_text="A debit note: the credit note it reverses.")
    replaces_number = serializers.CharField(source="replaces.number", read_only=True, allow_null=True, default=None,
                                            help_text="A replacement invoice: the invoice it replaces.")
    total = serializers.SerializerMethodField(help_text="The total with VAT as a decimal string.")

    class Meta:
        model = Invoice
        fields = ["uuid", "number", "sequence", "kind", "is_standard", "issued_at", "currency", "net_minor",
                  "vat_minor", "total_minor", "total", "buyer_name", "buyer_name_en", "buyer_vat_number",
                  "buyer_address", "order_reference", "related_number", "reverses_number", "replaces_number", "reason", "previous_hash", "hash", "qr",
                  "lines"]
        read_only_fields = fields

    def get_total(self, obj) -> str:
        return amount_display(obj.total_minor, obj.currency)


class CorrectionSerializer(serializers.Serializer):
    """A credit note without a refund: how much (with VAT, in the invoice's currency) and why."""

    amount = serializers.CharField(max_length=32, help_text="With VAT, as a decimal string, e.g. \"115.00\"; at "
                                   "most what is left to credit on the invoice.")
    reason = serializers.CharField(max_length=255, help_text="Printed on the credit note, e.g. wrong buyer name.")


class ReplacementSerializer(serializers.Serializer):
    """The corrected buyer of a replacement invoice (the original must be credited in full first)."""

    buyer_name = serializers.CharField(max_length=255)
    buyer_name_en = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    buyer_email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    buyer_vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                             help_text="With it the replacement is a standard tax invoice.")
    buyer_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
