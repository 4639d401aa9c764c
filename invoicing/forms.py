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


class CorrectionForm(forms.Form):
    """A credit note without a refund; the amount's and the reason's rules are the service's."""

    action = forms.CharField(widget=forms.HiddenInput, initial="credit")
    # A new token each time the form is shown: posting it twice (a double click, a reload) issues one note.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    amount = forms.CharField(label=_("Amount to credit, with VAT"), max_length=32,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}))
    reason = forms.CharField(label=_("Reason (printed on the credit note)"), max_length=255,
                             widget=forms.TextInput(attrs={"dir": "auto"}))


class ReplacementForm(forms.Form):
    """The corrected buyer of a replacement invoice."""

    action = forms.CharField(widget=forms.HiddenInput, initial="replace")
    buyer_name = forms.CharField(label=_("Buyer"), max_length=255, widget=forms.TextInput(attrs={"dir": "auto"}))
    buyer_name_en = forms.CharField(label=_("Buyer (English)"), max_length=255, required=False,
                                    widget=forms.TextInput(attrs={"dir": "auto"}))
    buyer_email = forms.EmailField(label=_("Buyer's e-mail"), max_length=254, required=False,
                                   widget=forms.EmailInput(attrs={"dir": "ltr"}))
    buyer_vat_number = forms.CharField(label=_("Buyer's VAT number"), max_length=20, required=False,
                                       widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
    buyer_address = forms.CharField(label=_("Buyer's address"), max_length=255, required=False,
                                    widget=forms.TextInput(attrs={"dir": "auto"}))
