"""Admin: billing settings (superusers; organizers use the invoices page of their forum), and the
issued documents read only — nobody changes or deletes an invoice, here or anywhere."""

from django.contrib import admin

from forum import permissions
from forum.admin_base import ForumTeamAdminMixin

from . import services
from .models import BillingSettings, Invoice, InvoiceLine


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    list_display = ["legal_name_ar", "legal_name_en", "organization", "vat_number", "invoice_prefix"]
    search_fields = ["legal_name_ar", "legal_name_en", "vat_number", "cr_number"]
    exclude = ["logo"]  # uploaded on the organizers' page, where its content is checked

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RuleCheckedForm(form):
            def _post_clean(self):  # the service's rules and words, instead of the raw constraint messages
                fields = {name: self.cleaned_data.get(name, "") for name in services.BILLING_FIELDS}
                for field, refusals in services.billing_settings_errors(fields).items():
                    for message in refusals:
                        if field in self.fields and field not in self.errors:
                            self.add_error(field, message)

        return RuleCheckedForm

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.BILLING_FIELDS}
        saved = services.billing_settings_save(organization=form.cleaned_data["organization"], **fields)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ["position", "description_ar", "quantity", "unit_price_minor", "net_minor", "vat_rate", "vat_minor",
              "total_minor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "is_standard", "issued_at", "buyer_name", "total_minor", "currency", "forum"]
    list_filter = ["kind", "is_standard", "currency"]
    search_fields = ["number", "buyer_name", "buyer_email", "buyer_vat_number", "order_reference"]
    inlines = [InvoiceLineInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(forum_id__in=self._team_forum_ids(request, permissions.EDIT_ROLES))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Invoice._meta.fields]

    def has_view_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return permissions.can_view_invoices(request.user, obj.forum)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
