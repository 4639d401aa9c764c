"""Admin: configuration by the forum's editors; registrations (personal data) for owners and editors only.

Seat counters are never edited by hand: status changes go through the services.
"""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from forum import permissions
from forum.admin_base import ForumTeamAdminMixin
from forum.errors import DomainError
from invoicing.services import seller_ready_errors

from . import selectors, services
from .models import (
    Answer,
    InviteCode,
    Payment,
    Question,
    Refund,
    Registration,
    RegistrationSettings,
    RegistrationType,
    StripeEvent,
    WaitlistEntry,
)


class PersonalDataAdminMixin(ForumTeamAdminMixin):
    """Viewers and check-in staff do not see attendees' personal data here either."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        key = f"{self.forum_path}__in"
        return qs.filter(**{key: self._team_forum_ids(request, permissions.EDIT_ROLES)})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(self._team_forum_ids(request, permissions.EDIT_ROLES))
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return permissions.can_view_personal_data(request.user, self._forum_of(obj))


class SeatCounterAdminMixin:
    """Changes go through the service with only the changed fields, so a seat taken
    while the page was open is never overwritten by the page's stale counter. The
    service's rule (`rule_errors`) is checked on the form first, so that a refusal
    is a form error beside its field."""

    def get_readonly_fields(self, request, obj=None):
        return ["seats_taken", "forum"] if obj is not None else ["seats_taken"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        rule_errors = self.rule_errors

        class RuleCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                fields = {name: cleaned[name] for name in self.changed_data if name in cleaned}
                for field, refusals in rule_errors(fields, seats_taken=self.instance.seats_taken or 0).items():
                    for message in refusals:
                        self.add_error(field if field in self.fields else None, message)
                return cleaned

        return RuleCheckedForm

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        try:
            self.service_update(obj, fields)
        except DomainError as exc:  # a registration took a seat between the form check and the lock
            messages.error(request, str(exc))


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(SeatCounterAdminMixin, ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "is_open", "capacity", "seats_taken", "hold_minutes", "waitlist_enabled", "claim_hours"]

    @staticmethod
    def rule_errors(fields, *, seats_taken):
        return services.registration_settings_errors(fields, seats_taken=seats_taken)

    def service_update(self, obj, fields):
        services.registration_settings_update(forum=obj.forum, **fields)


@admin.register(RegistrationType)
class RegistrationTypeAdmin(SeatCounterAdminMixin, ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["name_ar", "forum", "category", "pricing", "price", "currency", "capacity", "seats_taken",
                    "requires_approval", "is_active"]
    list_filter = ["category", "pricing", "is_active"]
    search_fields = ["name_ar", "name_en", "code"]

    @staticmethod
    def rule_errors(fields, *, seats_taken):
        if "capacity" not in fields:
            return {}
        return {"capacity": services.capacity_errors(fields["capacity"], seats_taken=seats_taken)}

    def service_update(self, obj, fields):
        services.registration_type_update(registration_type=obj, **fields)

    def delete_model(self, request, obj):
        services.registration_type_delete(registration_type=obj)

    def delete_queryset(self, request, queryset):
        for registration_type in queryset:
            services.registration_type_delete(registration_type=registration_type)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class SellerCheckedForm(form):
            """A paid type needs the seller's billing settings first (every payment gets a tax invoice)."""

            def clean(self):
                cleaned = super().clean()
                forum = cleaned.get("forum") or (self.instance.forum if self.instance.forum_id else None)
                if forum is not None and cleaned.get("pricing") == RegistrationType.Pricing.PAID:
                    for field, refusals in seller_ready_errors(forum=forum).items():
                        for message in refusals:
                            self.add_error(field if field in self.fields else None, message)
                return cleaned

        return SellerCheckedForm


@admin.register(Question)
class QuestionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["label_ar", "forum", "kind", "required", "is_active", "order"]
    list_filter = ["kind", "required", "is_active"]


@admin.register(InviteCode)
class InviteCodeAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    forum_path = "registration_type__forum"
    list_display = ["code", "registration_type", "uses", "max_uses", "expires_at", "batch", "note"]
    list_filter = ["batch"]
    search_fields = ["code", "note", "batch"]
    readonly_fields = ["uses"]
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected codes (CSV)"))
    def export_csv(self, request, queryset):
        rows = [["code", "type", "max_uses", "uses", "expires_at", "batch", "note"]] + [
            [c.code, c.registration_type.code, c.max_uses, c.uses, c.expires_at.isoformat() if c.expires_at else "",
             c.batch, c.note] for c in queryset.select_related("registration_type")
        ]
        response = HttpResponse(selectors.export_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invite-codes.csv"'
        return response


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["question", "value", "file"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "full_name_ar", "email", "registration_type", "status", "created_at"]
    list_filter = ["status", "registration_type__category", "forum"]
    search_fields = ["reference", "full_name_ar", "full_name_en", "email", "phone", "organization_name"]
    readonly_fields = ["reference", "status", "forum", "registration_type", "amount_minor", "currency",
                       "hold_expires_at", "invite_code", "created_at", "confirmed_at", "cancelled_at", "cancel_reason",
                       "user", "person"]
    inlines = [AnswerInline]
    actions = ["approve", "cancel", "resend"]

    def has_add_permission(self, request, obj=None):
        return False  # registrations are made through the registration form or the API

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _run(self, request, queryset, func):
        done = 0
        for registration in queryset:
            try:
                func(registration=registration)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{registration.reference}: {exc}", messages.WARNING)
        self.message_user(request, _("%(n)d done.") % {"n": done})

    @admin.action(description=_("Approve"))
    def approve(self, request, queryset):
        self._run(request, queryset, services.registration_approve)

    @admin.action(description=_("Cancel (frees the seat, refunds)"))
    def cancel(self, request, queryset):
        self._run(request, queryset, lambda registration: services.registration_cancel(
            registration=registration, by=request.user, reason="organizer"))

    @admin.action(description=_("Resend confirmation"))
    def resend(self, request, queryset):
        self._run(request, queryset, services.registration_confirmation_resend)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["full_name_ar", "email", "registration_type", "status", "offer_expires_at", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "offered_at", "offer_expires_at", "registration"]


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    readonly_fields = ["stripe_refund_id", "amount_minor", "reason", "status", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    forum_path = "registration__forum"
    list_display = ["stripe_payment_intent_id", "registration", "amount_minor", "currency", "status",
                    "amount_refunded_minor"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [RefundInline]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at"]
    search_fields = ["event_id"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_module_permission

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
