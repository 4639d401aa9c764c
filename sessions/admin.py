from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from forum.admin_base import ForumTeamAdminMixin, ForumTeamInlineMixin

from .models import (
    GiftItem,
    Honoree,
    PrayerTimeOverride,
    ScheduleVersion,
    Session,
    SessionItem,
    SessionRole,
    StarredSession,
)


class SessionInlineMixin(ForumTeamInlineMixin):
    def _parent_forum(self, obj):
        return obj.forum if obj is not None else None


class SessionRoleInline(SessionInlineMixin, admin.TabularInline):
    model = SessionRole
    extra = 0
    autocomplete_fields = ["person"]
    verbose_name = _("chair, speaker or panelist")
    verbose_name_plural = _("chair, speakers and panelists")


class SessionItemInline(SessionInlineMixin, admin.TabularInline):
    model = SessionItem
    extra = 0
    autocomplete_fields = ["presenter"]
    verbose_name_plural = _("the run of the session, in order")


class HonoreeInline(SessionInlineMixin, admin.TabularInline):
    model = Honoree
    fk_name = "session"
    extra = 0
    autocomplete_fields = ["person", "organization", "presented_by", "presented_by_organization"]
    fields = ["person", "organization", "reason", "gift", "gift_item", "presented_by", "presented_by_organization",
              "presented_by_group_ar", "order", "status"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Honorees of a session belong to the session's forum.
        if obj is not None:
            formset.form.base_fields.pop("forum", None)
        return formset


@admin.register(Session)
class SessionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "number", "kind", "forum", "hall", "starts_at", "ends_at", "status"]
    list_filter = ["forum", "kind", "status", "hall"]
    search_fields = ["title_ar", "title_en", "roles__person__full_name_ar"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["forum"]
    inlines = [SessionRoleInline, SessionItemInline, HonoreeInline]
    fieldsets = [
        (None, {"fields": ["forum", ("number", "kind"), ("title_ar", "title_en"), "status"]}),
        (_("When and where"), {"fields": [("starts_at", "ends_at"), ("hall", "track"), "expected_audience"]}),
        (_("Description"), {"fields": ["description_ar", "description_en"], "classes": ["collapse"]}),
    ]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Honoree):
                instance.forum_id = form.instance.forum_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Honoree)
class HonoreeAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "forum", "session", "reason", "gift", "presented_by", "status", "order"]
    list_filter = ["forum", "reason", "gift", "status"]
    autocomplete_fields = ["forum", "session", "person", "organization", "presented_by", "presented_by_organization",
                           "presenters"]
    search_fields = ["person__full_name_ar", "organization__name_ar"]
    readonly_fields = ["done_at", "done_by"]


@admin.register(GiftItem)
class GiftItemAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    """The gift inventory; the page /organize/<forum>/gifts/ shows readiness and missing engravings."""

    list_display = ["__str__", "forum", "kind", "quantity_needed", "quantity_prepared", "needs_engraving", "ready"]
    list_filter = ["forum", "kind", "needs_engraving"]
    search_fields = ["name_ar", "name_en"]
    autocomplete_fields = ["forum"]

    @admin.display(boolean=True, description=_("ready"))
    def ready(self, obj):
        return obj.is_ready

    def save_model(self, request, obj, form, change):
        # The model form has already checked what the service checks (names unique per forum, counts >= 0).
        from . import services

        fields = {f: form.cleaned_data[f] for f in services.GIFT_ITEM_FIELDS if f in form.cleaned_data}
        if change:
            saved = services.gift_item_update(item=obj, **fields)
        else:
            saved = services.gift_item_create(forum=form.cleaned_data["forum"], **fields)
        obj.pk = saved.pk


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "number", "published_at", "published_by"]
    list_filter = ["forum"]
    readonly_fields = ["forum", "number", "published_at", "published_by", "snapshot", "changelog"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PrayerTimeOverride)
class PrayerTimeOverrideAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "day", "prayer", "time", "note"]
    list_filter = ["forum", "prayer"]
    autocomplete_fields = ["forum"]


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
