from django.contrib import admin

from forum import permissions

from .models import Admission, Badge, BadgeSettings, BulkPrintJob, Checkpoint, Scan, SessionAttendance, SigningKey


class ForumTeamAdmin(admin.ModelAdmin):
    """Organizers see the rows of their own forums; superusers see all."""

    forum_field = "forum"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.forum_field}__in": permissions.editable_forums(request.user)})


@admin.register(BadgeSettings)
class BadgeSettingsAdmin(ForumTeamAdmin):
    list_display = ["forum", "paper_format", "valid_days_before", "valid_days_after"]


@admin.register(SigningKey)
class SigningKeyAdmin(ForumTeamAdmin):
    list_display = ["forum", "key_id", "is_active", "created_at"]
    # The private key is never shown, not even encrypted.
    fields = ["forum", "key_id", "is_active", "created_at"]
    readonly_fields = ["forum", "key_id", "created_at"]

    def has_add_permission(self, request):
        return False  # keys are made by services.signing_key_active / signing_key_rotate


@admin.register(Badge)
class BadgeAdmin(ForumTeamAdmin):
    list_display = ["pk", "registration", "forum", "category", "issued_at", "revoked_at", "revoked_reason"]
    list_filter = ["category", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["registration__reference", "registration__full_name_ar", "registration__full_name_en"]
    raw_id_fields = ["registration"]
    readonly_fields = ["registration", "forum", "signing_key", "token", "category", "valid_from", "valid_until",
                       "issued_at"]
    list_select_related = ["registration", "forum"]


@admin.register(Checkpoint)
class CheckpointAdmin(ForumTeamAdmin):
    list_display = ["name_ar", "name_en", "forum", "kind", "session", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["session"]


@admin.register(Admission)
class AdmissionAdmin(ForumTeamAdmin):
    forum_field = "checkpoint__forum"
    list_display = ["registration", "checkpoint", "day", "admitted_at", "admitted_by"]
    list_filter = ["day"]
    search_fields = ["registration__reference", "registration__full_name_ar"]
    list_select_related = ["registration", "checkpoint", "admitted_by"]
    readonly_fields = ["registration", "badge", "checkpoint", "session", "day", "admitted_at", "admitted_by"]


@admin.register(Scan)
class ScanAdmin(ForumTeamAdmin):
    list_display = ["scanned_at", "outcome", "checkpoint", "staff", "registration", "client_nonce"]
    list_filter = ["outcome"]
    search_fields = ["registration__reference", "client_nonce"]
    list_select_related = ["checkpoint", "staff", "registration"]

    def has_change_permission(self, request, obj=None):
        return False  # the scan log is a record, not something to edit


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ForumTeamAdmin):
    forum_field = "session__forum"
    list_display = ["registration", "session", "attended_at"]
    list_select_related = ["registration", "session"]


@admin.register(BulkPrintJob)
class BulkPrintJobAdmin(ForumTeamAdmin):
    list_display = ["forum", "created_at", "status", "done", "total", "order_by"]
    readonly_fields = ["status", "done", "total", "file", "error", "finished_at"]
