from django.contrib import admin

from forum.admin_base import ForumTeamAdminMixin

from .models import (
    Invitation,
    PaperFile,
    PaperSettings,
    ProceedingsJob,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    WorkingPaper,
)


class PaperFileInline(admin.TabularInline):
    model = PaperFile
    extra = 0
    can_delete = False
    fields = ["role", "version", "kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # versions come only through the checked upload


@admin.register(WorkingPaper)
class WorkingPaperAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["title_ar", "forum", "session", "status"]
    list_filter = ["forum", "status"]
    search_fields = ["title_ar", "title_en", "speakers__full_name_ar"]
    autocomplete_fields = ["forum", "speakers"]
    raw_id_fields = ["session_item", "session"]
    readonly_fields = ["decided_at", "decided_by", "extended_by"]
    inlines = [PaperFileInline]


@admin.register(Invitation)
class InvitationAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["person", "session", "role", "status", "expires_at", "link_revoked_at"]
    list_filter = ["forum", "status", "role"]
    search_fields = ["person__full_name_ar", "person__email"]
    raw_id_fields = ["session", "person", "session_role", "paper"]
    readonly_fields = ["token_hash", "created_at", "responded_at", "invited_by"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the dashboard or the API, which e-mail the link


@admin.register(PaperSettings)
class PaperSettingsAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "deadline", "max_upload_mb", "review_enabled", "publication"]


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["name_ar", "forum", "weight", "order"]
    list_filter = ["forum"]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    forum_path = "paper__forum"
    list_display = ["paper", "reviewer", "assigned_at", "submitted_at"]
    raw_id_fields = ["paper", "reviewer", "assigned_by"]
    readonly_fields = ["submitted_at"]
    inlines = [ReviewScoreInline]


@admin.register(ProceedingsJob)
class ProceedingsJobAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "status", "done", "total", "created_at", "finished_at"]
    readonly_fields = ["status", "done", "total", "file", "page_count", "error", "requested_by", "finished_at"]
