from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from forum.permissions import visible_forums

from . import services
from .models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]
    actions = ["resend"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(forum__in=visible_forums(request.user).filter(team__user=request.user))

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Resend the selected messages"))
    def resend(self, request, queryset):
        for message in queryset:
            services.message_resend(message=message)
        self.message_user(request, _("%(count)d messages queued again.") % {"count": queryset.count()}, messages.SUCCESS)
