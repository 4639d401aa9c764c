from django.contrib import admin

from forum.admin_base import ForumTeamAdminMixin

from .models import WorkingPaper


@admin.register(WorkingPaper)
class WorkingPaperAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["title_ar", "forum", "session_item"]
    list_filter = ["forum"]
    search_fields = ["title_ar", "title_en", "speakers__full_name_ar"]
    autocomplete_fields = ["forum", "speakers"]
    raw_id_fields = ["session_item"]
