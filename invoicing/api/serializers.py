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
    total = serializers.SerializerMethodField(help_text="The total with VAT as a decimal string.")

    class Meta:
        model = Invoice
        fields = ["uuid", "number", "sequence", "kind", "is_standard", "issued_at", "currency", "net_minor",
                  "vat_minor", "total_minor", "total", "buyer_name", "buyer_name_en", "buyer_vat_number",
                  "buyer_address", "order_reference", "related_number", "reason", "previous_hash", "hash", "qr",
                  "lines"]
        read_only_fields = fields

    def get_total(self, obj) -> str:
        return amount_display(obj.total_minor, obj.currency)
