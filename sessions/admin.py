"""The agenda in the admin. Sessions, their parts, their run and their honorees are written through
sessions.services, with the same checks (conflicts, one chair, honorees' rules) and the session's
lock_version as the builder and the API; a refusal shows as a form error."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from forum.admin_base import ForumTeamAdminMixin, ForumTeamInlineMixin, form_errors_add
from forum.errors import DomainError

from . import services
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


def _live_forms(formset):
    return [form for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")]


class SessionRoleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = [(getattr(form.cleaned_data.get("person"), "pk", None), form.cleaned_data.get("role"))
                 for form in _live_forms(self)]
        if messages := services.session_roles_errors(roles=roles):
            raise ValidationError(messages)


class HonoreeFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        forum = self.instance.forum if self.instance.forum_id else None
        if forum is None:
            return
        for form in _live_forms(self):
            values = {name: form.cleaned_data.get(name) for name in ("person", "organization", "reason", "gift_item")}
            values["session"] = self.instance if self.instance.pk else None
            try:
                services.honoree_check(forum, values, honoree=form.instance if form.instance.pk else None)
            except DomainError as error:
                form_errors_add(form, error)


class SessionRoleInline(SessionInlineMixin, admin.TabularInline):
    model = SessionRole
    formset = SessionRoleFormSet
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
    formset = HonoreeFormSet
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


class SessionAdminForm(forms.ModelForm):
    # The session's version when the page was read: a save over someone else's later change is refused.
    expected_lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_lock_version"].initial = self.instance.lock_version

    def _post_clean(self):
        super()._post_clean()  # the instance now carries the form's values
        if self.errors or not self.instance.forum_id:
            return
        data = {name: getattr(self.instance, name) for name in services.SESSION_FIELDS}
        try:
            services.session_check(forum=self.instance.forum, data=data,
                                   session=self.instance if self.instance.pk else None,
                                   expected_lock_version=self.cleaned_data.get("expected_lock_version"))
        except DomainError as error:
            form_errors_add(self, error)


@admin.register(Session)
class SessionAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    form = SessionAdminForm
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

    fields_with_version = ["expected_lock_version"]

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), (None, {"fields": self.fields_with_version,
                                                              "classes": ["hidden"]})]

    def get_readonly_fields(self, request, obj=None):
        # A session stays in its forum (the services move none); choose the forum when adding it.
        return ["forum"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.SESSION_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.session_update(session=obj, expected_lock_version=form.cleaned_data.get(
                "expected_lock_version"), **fields)
        else:
            saved = services.session_create(forum=form.cleaned_data["forum"], **fields)
        obj.pk, obj.lock_version = saved.pk, saved.lock_version
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        """Parts, the run and honorees through their services: removals first, then changes, then new rows;
        a part leaving the chair is saved before one taking it."""
        session = form.instance
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            if isinstance(obj, SessionRole):
                services.session_role_remove(session_role=obj)
            elif isinstance(obj, SessionItem):
                services.session_item_remove(session_item=obj)
            else:
                obj.delete()
        saved.sort(key=lambda obj: (obj.pk is None, getattr(obj, "role", None) == SessionRole.Role.CHAIR))
        for obj in saved:
            if isinstance(obj, SessionRole):
                self._role_save(obj, session)
            elif isinstance(obj, SessionItem):
                self._item_save(obj, session)
            elif isinstance(obj, Honoree):
                self._honoree_save(request, obj, session)
            else:
                obj.save()
        formset.save_m2m()

    def _role_save(self, role: SessionRole, session: Session) -> None:
        if role.pk is None:
            created = services.session_role_add(session=session, person=role.person, role=role.role, order=role.order)
            role.pk = created.pk
        else:
            services.session_role_update(session_role=role, person=role.person, role=role.role, order=role.order)

    def _item_save(self, item: SessionItem, session: Session) -> None:
        fields = {f.name: getattr(item, f.name) for f in SessionItem._meta.concrete_fields
                  if f.name not in ("id", "session")}
        if item.pk is None:
            order = fields.pop("order")
            item.pk = services.session_item_add(session=session, order=order, **fields).pk
        else:
            services.session_item_update(session_item=item, **fields)

    def _honoree_save(self, request, honoree: Honoree, session: Session) -> None:
        fields = {name: getattr(honoree, name) for name in services.HONOREE_FIELDS}
        fields["session"] = session
        if honoree.pk is None:
            saved = services.honoree_create(forum=session.forum, **fields)
            honoree.pk = saved.pk
        else:
            saved = services.honoree_update(honoree=honoree, **fields)
        if saved.status != honoree.status:  # the ceremony's "done" is marked by who marks it
            services.honoree_mark(honoree=saved, by=request.user, done=honoree.status == Honoree.Status.DONE)


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
