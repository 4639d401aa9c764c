"""The admin of award programmes: set-up is created through the services (so the same rules hold
as on the pages and the API); nominations, score sheets and results are read here and changed in
the workspace pages, where each step has its own rule and e-mail."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from forum.errors import DomainError

from . import permissions, services
from .models import (
    Category,
    Criterion,
    Cycle,
    FieldVisit,
    JudgeAssignment,
    Nomination,
    Programme,
    ProgrammeMember,
    Question,
    RequiredDocument,
    Result,
    ScoreSheet,
    Tier,
)


class ProgrammeScopedAdmin(admin.ModelAdmin):
    """Staff users see the programmes they own or staff; superusers see everything."""

    programme_path = "programme"

    def _programme_ids(self, request):
        return list(ProgrammeMember.objects.filter(user=request.user, role__in=["owner", "staff"])
                    .values_list("programme_id", flat=True))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        key = f"{self.programme_path}__in" if self.programme_path else "pk__in"
        return qs.filter(**{key: self._programme_ids(request)})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(self._programme_ids(request)))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _programme_of(self, obj):
        for part in self.programme_path.split("__") if self.programme_path else []:
            obj = getattr(obj, part)
        return obj

    # Where a row belongs is fixed once it exists; its update service changes only its own fields.
    fixed_on_change: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fixed = self.fixed_on_change if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    def save_model(self, request, obj, form, change):
        self.save_through_service(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A rule the service refuses comes back as messages on the same page, never as a 500;
        nothing is written (the whole change is one transaction)."""
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            for field, msgs in exc.errors.items():
                for message in msgs:
                    messages.error(request, message if field == "non_field_errors" else f"{field}: {message}")
            return HttpResponseRedirect(request.get_full_path())

    def save_through_service(self, request, obj, form, change):
        if not permissions.can_manage(request.user, self._programme_of(obj).pk):
            raise DomainError("Only the programme's owners and award staff may do this.")
        obj.save()


class ReadOnlyAdmin(ProgrammeScopedAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    has_add_permission = has_change_permission


@admin.register(Programme)
class ProgrammeAdmin(ProgrammeScopedAdmin):
    programme_path = ""
    list_display = ["name_ar", "kind", "owner", "blind_judging", "aggregation"]
    search_fields = ["name_ar", "name_en", "slug"]

    def save_through_service(self, request, obj, form, change):
        if change:
            return super().save_through_service(request, obj, form, change)
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("owner", "slug", "name_ar")}
        created = services.programme_create(user=request.user, owner=form.cleaned_data["owner"],
                                            slug=form.cleaned_data["slug"], name_ar=form.cleaned_data["name_ar"],
                                            **data)
        obj.pk = created.pk


@admin.register(ProgrammeMember)
class ProgrammeMemberAdmin(ProgrammeScopedAdmin):
    list_display = ["programme", "user", "role"]
    list_filter = ["role"]

    def save_through_service(self, request, obj, form, change):
        created = services.member_add(programme=obj.programme, user=request.user, member=obj.user, role=obj.role)
        obj.pk = created.pk


@admin.register(Cycle)
class CycleAdmin(ProgrammeScopedAdmin):
    list_display = ["programme", "number", "year_label", "nominations_open", "nominations_close", "results"]
    readonly_fields = ["results", "finalized_at", "approved_at", "published_at"]

    def save_through_service(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
        if change:
            services.cycle_update(cycle=Cycle.objects.get(pk=obj.pk), user=request.user, **fields)
            return
        fields.pop("programme", None)
        fields.pop("number", None)
        created = services.cycle_create(
            programme=obj.programme, user=request.user, number=obj.number,
            **{"nominations_open": obj.nominations_open, "nominations_close": obj.nominations_close,
               **{k: v for k, v in fields.items() if k not in ("nominations_open", "nominations_close")}},
        )
        obj.pk = created.pk


class CriterionInline(admin.TabularInline):
    """Read here; criteria are added through their own page (the service checks weights and judging)."""

    model = Criterion
    extra = 0
    fields = ["parent", "name_ar", "name_en", "weight", "max_score", "order"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Criterion)
class CriterionAdmin(ProgrammeScopedAdmin):
    programme_path = "category__cycle__programme"
    list_display = ["name_ar", "category", "parent", "weight", "max_score"]

    fixed_on_change = ("category", "parent")

    def save_through_service(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            services.criterion_update(criterion=obj, user=request.user, **changes)
            return
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("category", "name_ar")}
        created = services.criterion_create(category=obj.category, user=request.user, name_ar=obj.name_ar, **data)
        obj.pk = created.pk


@admin.register(Category)
class CategoryAdmin(ProgrammeScopedAdmin):
    programme_path = "cycle__programme"
    list_display = ["name_ar", "group_ar", "kind", "cycle", "winners"]
    list_filter = ["kind"]
    inlines = [CriterionInline]

    fixed_on_change = ("cycle",)

    def save_through_service(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            services.category_update(category=obj, user=request.user, **changes)
            return
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("cycle", "name_ar", "kind")}
        created = services.category_create(cycle=obj.cycle, user=request.user, name_ar=obj.name_ar, kind=obj.kind,
                                           **data)
        obj.pk = created.pk


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(ProgrammeScopedAdmin):
    programme_path = "category__cycle__programme"
    list_display = ["name_ar", "category", "required"]

    fixed_on_change = ("category",)

    def save_through_service(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            services.document_update(document=obj, user=request.user, **changes)
            return
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("category", "name_ar")}
        obj.pk = services.document_create(category=obj.category, user=request.user, name_ar=obj.name_ar, **data).pk


@admin.register(Question)
class QuestionAdmin(ProgrammeScopedAdmin):
    programme_path = "category__cycle__programme"
    list_display = ["label_ar", "category", "required"]

    fixed_on_change = ("category",)

    def save_through_service(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            services.question_update(question=obj, user=request.user, **changes)
            return
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f not in ("category", "label_ar")}
        obj.pk = services.question_create(category=obj.category, user=request.user, label_ar=obj.label_ar, **data).pk


@admin.register(Tier)
class TierAdmin(ProgrammeScopedAdmin):
    programme_path = "cycle__programme"
    list_display = ["name_ar", "cycle", "min_score", "honored"]

    def save_through_service(self, request, obj, form, change):
        if change:
            return super().save_through_service(request, obj, form, change)
        created = services.tier_create(cycle=obj.cycle, user=request.user, name_ar=obj.name_ar,
                                       min_score=obj.min_score, name_en=obj.name_en, honored=obj.honored)
        obj.pk = created.pk


@admin.register(JudgeAssignment)
class JudgeAssignmentAdmin(ProgrammeScopedAdmin):
    programme_path = "category__cycle__programme"
    list_display = ["judge", "category"]

    def save_through_service(self, request, obj, form, change):
        created = services.judge_assign(category=obj.category, user=request.user, judge=obj.judge)
        obj.pk = created.pk


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    programme_path = "cycle__programme"
    list_display = ["id", "category", "applicant", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["category", "applicant"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin):
    programme_path = "nomination__cycle__programme"
    list_display = ["nomination", "judge", "criterion", "points", "max_points"]


@admin.register(FieldVisit)
class FieldVisitAdmin(ReadOnlyAdmin):
    programme_path = "nomination__cycle__programme"
    list_display = ["nomination", "starts_at", "ends_at", "status", "score_adjustment"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    programme_path = "cycle__programme"
    list_display = ["nomination", "category", "score", "rank", "tied", "tier", "is_winner", "honor_order"]
