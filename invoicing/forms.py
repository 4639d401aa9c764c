"""The seller's billing settings as a page form; the rules are the service's (billing_settings_errors),
so the page, the admin and the service refuse the same things with the same words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BillingSettings
from .services import BILLING_FIELDS


class BillingSettingsForm(forms.Form):
    def __init__(self, *args, instance: BillingSettings | None = None, **kwargs):
        initial = {name: getattr(instance, name) for name in BILLING_FIELDS} if instance else None
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(forms.fields_for_model(BillingSettings, fields=BILLING_FIELDS))
        for name in ("legal_name_ar", "street", "district", "city"):
            self.fields[name].widget.attrs["dir"] = "auto"
        self.fields["logo"] = forms.FileField(label=_("Logo (PNG or JPEG, at most 2 MB)"), required=False)
