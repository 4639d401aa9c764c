"""The call in the admin: organizers set up the call and its types (through the services);
submissions, decisions and templates are read here and handled on the call's pages."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from forum.admin_base import ForumTeamAdminMixin
from forum.errors import DomainError

from . import services
from .models import Call, Decision, Submission, SubmissionType
from .services.setup import CALL_FIELDS, TYPE_FIELDS

REFUSED = "_calls_admin_refused"


class _DryRun(Exception):
    """Rolls back the service's trial save made while the form is checked."""


class ServiceForm(forms.ModelForm):
    """The admin form asks the service first (in a savepoint rolled back): what it refuses becomes the
    form's field errors, so the page shows the form again with them and no "added" message."""

    request = None  # set by the admin's get_form

    def save_through_service(self, cleaned: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.save_through_service(cleaned)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            for key, msgs in exc.errors.items():
                for message in msgs:
                    self.add_error(key if key in self.fields else None, message)
        return cleaned


class ServiceAdminMixin:
    """Binds the request to the form; a refusal at the real save (a race after the form's check) shows
    only the error, never Django's success message beside it."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def refused(self, request, exc: DomainError) -> None:
        setattr(request, REFUSED, True)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, REFUSED, False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def log_addition(self, request, obj, message):
        if not getattr(request, REFUSED, False):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, REFUSED, False):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, REFUSED, False):
            return HttpResponseRedirect(request.path)  # the form again, with the error only
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, REFUSED, False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class CallForm(ServiceForm):
    class Meta:
        model = Call
        fields = ["forum", *sorted(CALL_FIELDS)]

    def save_through_service(self, cleaned: dict):
        forum = cleaned.get("forum") or self.instance.forum
        return services.call_save(forum=forum, user=self.request.user,
                                  **{f: cleaned[f] for f in CALL_FIELDS if f in cleaned})


class SubmissionTypeForm(ServiceForm):
    class Meta:
        model = SubmissionType
        fields = ["call", *sorted(TYPE_FIELDS)]

    def save_through_service(self, cleaned: dict):
        current = SubmissionType.objects.get(pk=self.instance.pk) if self.instance.pk else None
        call = cleaned.get("call") or self.instance.call
        return services.type_save(call=call, user=self.request.user, submission_type=current,
                                  **{f: cleaned[f] for f in TYPE_FIELDS if f in cleaned})


@admin.register(Call)
class CallAdmin(ServiceAdminMixin, ForumTeamAdminMixin, admin.ModelAdmin):
    form = CallForm
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
            self.refused(request, exc)


@admin.register(SubmissionType)
class SubmissionTypeAdmin(ServiceAdminMixin, ForumTeamAdminMixin, admin.ModelAdmin):
    form = SubmissionTypeForm
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
            self.refused(request, exc)


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
