"""Sellers: the billing settings of an organizing body, made through the service (so the counter exists)."""

from invoicing.services import billing_settings_save

VALID_VAT_NUMBER = "310122393500003"


def seller_for_forum(forum, **overrides):
    """The forum's organizing body set up to sell: legal names, VAT and CR numbers, address, prefix."""
    from invoicing.models import BillingSettings

    existing = BillingSettings.objects.filter(organization=forum.organizer).first()
    if existing is not None and not overrides:
        return existing
    fields = {
        "legal_name_ar": "أمانة العاصمة المقدسة", "legal_name_en": "Holy Capital Municipality",
        "vat_number": VALID_VAT_NUMBER, "cr_number": "4031012345", "street": "طريق الملك عبدالعزيز",
        "building_number": "7421", "district": "العزيزية", "city": "مكة المكرمة", "postal_code": "24243",
        "invoice_prefix": "AMANA",
    }
    fields.update(overrides)
    return billing_settings_save(organization=forum.organizer, **fields)
