from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from forum.errors import DomainError
from forum.permissions import can_edit_forum, editable_forums

from . import services
from .models import OutgoingMessage, Suppression


class FailedFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", _("Failed or stuck"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status__in=[OutgoingMessage.Status.FAILED, OutgoingMessage.Status.GAVE_UP])
        return queryset


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "kind", "forum", "status", "attempts", "last_error_short", "next_attempt_at",
                    "created_at", "sent_at"]
    list_filter = [FailedFilter, "status", "kind", "language"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]
    list_select_related = ["forum"]
    actions = ["resend"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Recipients' addresses are personal data: owners and editors only, as in the API.
        return qs.filter(forum__in=editable_forums(request.user))

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def last_error_short(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description=_("Resend the selected messages"))
    def resend(self, request, queryset):
        done = refused = 0
        for message in queryset:
            if not (request.user.is_superuser or (message.forum and can_edit_forum(request.user, message.forum))):
                refused += 1
                continue
            try:
                services.message_resend(message=message)
                done += 1
            except DomainError:
                refused += 1
        if done:
            self.message_user(request, _("%(count)d messages queued again.") % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request, _("%(count)d messages were not resent (being sent, or not yours to resend).")
                % {"count": refused}, messages.WARNING,
            )


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Unsubscribed and hard-bounced addresses; superusers only (an address spans forums)."""

    list_display = ["email", "reason", "forum", "detail", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_add_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser)
