"""The call in the admin: organizers set up the call and its types (through the services);
submissions, decisions and templates are read here and handled on the call's pages."""

from django.contrib import admin, messages

from forum.admin_base import ForumTeamAdminMixin
from forum.errors import DomainError

from . import services
from .models import Call, Decision, Submission, SubmissionType
from .services.setup import CALL_FIELDS, TYPE_FIELDS


def _refused(request, exc: DomainError) -> None:
    messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))


@admin.register(Call)
class CallAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "title_ar", "opens_at", "closes_at", "blind_review", "confirm_by"]
    list_select_related = ["forum"]
    fields = ["forum", "title_ar", "title_en", "rules_ar", "rules_en", "opens_at", "closes_at", "blind_review",
              "reviewers_per_submission", "confirm_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["forum"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        try:
            saved = services.call_save(forum=obj.forum, user=request.user,
                                       **{f: form.cleaned_data[f] for f in CALL_FIELDS if f in form.cleaned_data})
            obj.pk = saved.pk
        except DomainError as exc:
            _refused(request, exc)


@admin.register(SubmissionType)
class SubmissionTypeAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    forum_path = "call__forum"
    list_display = ["name_ar", "call", "kind", "abstract_max_words", "full_paper_required", "order"]
    list_select_related = ["call__forum"]
    fields = ["call", "kind", "name_ar", "name_en", "abstract_min_words", "abstract_max_words",
              "full_paper_required", "order"]

    def save_model(self, request, obj, form, change):
        try:
            saved = services.type_save(call=obj.call, user=request.user, submission_type=obj if change else None,
                                       **{f: form.cleaned_data[f] for f in TYPE_FIELDS if f in form.cleaned_data})
            obj.pk = saved.pk
        except DomainError as exc:
            _refused(request, exc)


@admin.register(Submission)
class SubmissionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    """Read only: submitting, review and decisions go through the call's pages and API."""

    forum_path = "call__forum"
    list_display = ["id", "title_ar", "call", "type", "theme", "submitter", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["title_ar", "title_en", "submitter__full_name_ar", "submitter__email"]
    list_select_related = ["call__forum", "type", "theme", "submitter"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Submission._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    forum_path = "submission__call__forum"
    list_display = ["submission", "outcome", "decided_at", "released_at"]
    list_select_related = ["submission__call__forum"]
    readonly_fields = ["submission", "outcome", "decided_by", "decided_at", "released_at", "released_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
