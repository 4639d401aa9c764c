from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from forum.admin_base import ForumTeamAdminMixin
from forum.errors import DomainError

from . import services
from .models import Certificate, CertificateBatch, CertificateDesign, CertificateSettings, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    max_num = 3
    fields = ["order", "honorific", "name_ar", "name_en", "title_ar", "title_en", "signature"]


@admin.register(CertificateDesign)
class CertificateDesignAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    """Texts and colour here; backgrounds are uploaded on /certificates/manage/<forum>/, where their content is checked."""

    list_display = ["forum", "kind", "background_kind", "updated_at"]
    list_filter = ["forum", "kind"]
    autocomplete_fields = ["forum"]
    exclude = ["background"]
    inlines = [SignatoryInline]


@admin.register(CertificateSettings)
class CertificateSettingsAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "rule", "min_sessions", "min_hours", "training_hours", "notify_holders"]
    autocomplete_fields = ["forum"]


@admin.register(Certificate)
class CertificateAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    """Read-only: certificates are issued, corrected and revoked through the services (page, API, actions)."""

    list_display = ["name_ar", "name_en", "kind", "forum", "issued_at", "revoked_at"]
    list_filter = ["forum", "kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name_ar", "name_en", "email", "code"]
    readonly_fields = [f.name for f in Certificate._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        done = 0
        for cert in queryset:
            try:
                services.certificate_revoke(certificate=cert, by=request.user, reason="revoked in the administration")
                done += 1
            except DomainError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        self.message_user(request, _("%(n)s certificates revoked.") % {"n": done})


@admin.register(CertificateBatch)
class CertificateBatchAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "scope", "status", "done", "total", "parts", "created_at"]
    list_filter = ["forum", "status"]
    readonly_fields = [f.name for f in CertificateBatch._meta.fields]

    def has_add_permission(self, request):
        return False
