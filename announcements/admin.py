from django.contrib import admin

from forum.permissions import editable_forums

from .models import Announcement, AnnouncementRecipient


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Read-only here: messages are written and sent on /messages/<forum>/ through the services."""

    list_display = ["subject_ar", "forum", "segment", "status", "scheduled_at", "sent_at", "recipients_count"]
    list_filter = ["status", "segment"]
    search_fields = ["subject_ar", "subject_en"]
    list_select_related = ["forum"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(forum__in=editable_forums(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Announcement._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AnnouncementRecipient)
class AnnouncementRecipientAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "announcement", "skipped", "message"]
    search_fields = ["email", "name"]
    list_select_related = ["announcement", "message"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(
            announcement__forum__in=editable_forums(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AnnouncementRecipient._meta.fields]

    def has_add_permission(self, request):
        return False
