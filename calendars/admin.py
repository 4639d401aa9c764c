from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from forum.permissions import can_edit_forum, visible_forums

from . import services
from .models import CalendarSettings, FeedToken, InviteState, PublicationNotice


class TeamScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(forum__in=visible_forums(request.user).filter(team__user=request.user))


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(TeamScopedAdmin):
    list_display = ["forum", "forum_event_per_day", "send_updates"]


@admin.register(FeedToken)
class FeedTokenAdmin(TeamScopedAdmin):
    list_display = ["forum", "scope", "person", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    readonly_fields = ["forum", "scope", "person", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # secrets are issued through the API, shown once

    @admin.action(description=_("Revoke the selected feeds"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            if request.user.is_superuser or can_edit_forum(request.user, token.forum):
                services.feed_token_revoke(token=token)
                count += 1
        self.message_user(request, _("%(count)d feeds revoked.") % {"count": count}, messages.SUCCESS)


@admin.register(InviteState)
class InviteStateAdmin(TeamScopedAdmin):
    list_display = ["email", "session_id", "sequence", "cancelled", "version_number", "updated_at"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in InviteState._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PublicationNotice)
class PublicationNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "messages", "created_at"]
    readonly_fields = ["version", "messages", "created_at"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(version__forum__in=visible_forums(request.user).filter(team__user=request.user))
