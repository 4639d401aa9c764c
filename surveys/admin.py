from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from forum.errors import DomainError
from forum.permissions import can_edit_forum, editable_forums

from . import services
from .models import Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "text_ar", "text_en", "required", "choices"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # questions are added on the survey page, through the services


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_ar", "forum", "session", "status", "is_anonymous", "invitations_sent_at"]
    list_filter = ["status", "is_anonymous"]
    search_fields = ["title_ar", "title_en", "forum__title_ar"]
    list_select_related = ["forum", "session"]
    readonly_fields = ["forum", "session", "invitations_sent_at", "status"]
    inlines = [QuestionInline]
    actions = ["open_surveys", "close_surveys"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(forum__in=editable_forums(request.user))

    def has_add_permission(self, request):
        return False  # created on /surveys/<forum>/manage/ (services.survey_create)

    def _status(self, request, queryset, status):
        for survey in queryset:
            if not can_edit_forum(request.user, survey.forum):
                continue
            try:
                services.survey_status_set(survey=survey, status=status)
            except DomainError as exc:
                self.message_user(request, f"{survey}: {exc}", messages.WARNING)

    @admin.action(description=_("Open the selected surveys"))
    def open_surveys(self, request, queryset):
        self._status(request, queryset, Survey.Status.OPEN)

    @admin.action(description=_("Close the selected surveys"))
    def close_surveys(self, request, queryset):
        self._status(request, queryset, Survey.Status.CLOSED)
