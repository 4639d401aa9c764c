from django.contrib import admin

from .models import StarredSession


@admin.register(StarredSession)
class StarredSessionAdmin(admin.ModelAdmin):
    """Read-only view of attendees' stars (they change them on the agenda)."""

    list_display = ("user", "session", "created_at")
    list_select_related = ("user", "session")
    search_fields = ("user__username", "session__title_ar", "session__title_en")
    raw_id_fields = ("user", "session")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
