from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import permissions, selectors, services
from .admin_base import ForumTeamAdminMixin, ForumTeamInlineMixin
from .models import Forum, Hall, Organization, OrganizationMember, Person, Sponsorship, TeamMember, Track
from .services import forum_create, team_member_remove, team_member_update, team_roles_errors

admin.site.site_header = _("Quality and Excellence Forums")
admin.site.site_title = _("Forums administration")
admin.site.index_title = _("Organize")


class DirectoryAdmin(admin.ModelAdmin):
    """The shared directory of people and bodies: owners and editors of a forum maintain their part
    of it; which entries they may change is forum.permissions' decision, as in the API."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and permissions.is_directory_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    fk_name = "organization"
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]

    def has_view_permission(self, request, obj=None):
        return obj is not None and permissions.can_grant_organization(request.user, obj)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


@admin.register(Organization)
class OrganizationAdmin(DirectoryAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en"]
    autocomplete_fields = ["parent"]
    inlines = [OrganizationMemberInline]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return permissions.can_edit_organization(request.user, obj)

    def save_model(self, request, obj, form, change):
        if change:
            services.organization_update(
                user=request.user, organization=obj, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganizationMember:
            return super().save_formset(request, form, formset, change)
        for member in formset.save(commit=False):
            services.organization_member_grant(
                organization=form.instance, user=member.user, granted_by=request.user
            )
        for member in formset.deleted_objects:
            services.organization_member_revoke(member=member, revoked_by=request.user)


class PersonAdminForm(forms.ModelForm):
    """Errors of the services (e-mail refused, taken) come back as form errors on their fields."""

    created_for = forms.ModelChoiceField(
        label=_("for the forum"), queryset=Forum.objects.none(), required=False,
        help_text=_("The forum whose team adds this person; that team may later correct the e-mail."),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.request_user
        if self.instance.pk is None:
            if not user.is_superuser and not cleaned.get("created_for"):
                mine = list(permissions.editable_forums(user)[:2])
                if len(mine) != 1:
                    self.add_error("created_for", _("Say for which of your forums you add this person."))
                else:
                    cleaned["created_for"] = mine[0]
        elif "email" in self.changed_data and (refusal := permissions.person_email_refusal(user, self.instance)):
            self.add_error("email", refusal)
        return cleaned


@admin.register(Person)
class PersonAdmin(DirectoryAdmin):
    form = PersonAdminForm
    list_display = ["display_name_ar", "full_name_en", "position_ar", "organization"]
    list_filter = ["honorific"]
    search_fields = ["full_name_ar", "full_name_en", "position_ar"]
    autocomplete_fields = ["organization", "user"]
    CONTACT_FIELDS = ("email", "phone", "preferred_language")

    def get_queryset(self, request):
        return selectors.people_visible(user=request.user)

    def get_fieldsets(self, request, obj=None):
        contact = list(self.CONTACT_FIELDS) if obj is None or permissions.can_see_contact(request.user, obj) else []
        if request.user.is_superuser:
            contact.append("user")
        fieldsets = [
            (None, {"fields": [("honorific", "academic_title"), ("full_name_ar", "full_name_en")]}),
            (_("Position"), {"fields": [("position_ar", "position_en"), "organization"]}),
            (_("Profile"), {"fields": ["bio_ar", "bio_en", "photo"]}),
        ]
        if contact:
            fieldsets.insert(2, (_("Contact"), {"fields": contact}))
        if obj is None and not request.user.is_superuser:
            fieldsets.insert(0, (_("Added by"), {"fields": ["created_for"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "created_for" in form.base_fields:
            form.base_fields["created_for"].queryset = permissions.editable_forums(request.user)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return permissions.can_edit_person(request.user, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.PERSON_FIELDS}
        if change:
            saved = services.person_update(user=request.user, person=Person.objects.get(pk=obj.pk), **fields)
        else:
            saved = services.person_create(
                user=request.user, forum=form.cleaned_data.get("created_for"),
                **{name: form.cleaned_data[name] for name in form.cleaned_data if name in services.PERSON_FIELDS},
            )
        obj.pk = saved.pk


class HallInline(ForumTeamInlineMixin, admin.TabularInline):
    model = Hall
    extra = 0


class TrackInline(ForumTeamInlineMixin, admin.TabularInline):
    model = Track
    extra = 0


class SponsorshipInline(ForumTeamInlineMixin, admin.TabularInline):
    model = Sponsorship
    extra = 0
    autocomplete_fields = ["organization"]


class TeamFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        before = [form.initial.get("role") for form in self.forms if form.instance.pk]
        after = [form.cleaned_data.get("role") for form in self.forms
                 if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")]
        if messages := team_roles_errors(roles_before=before, roles_after=after):
            raise ValidationError(messages)


class TeamMemberInline(ForumTeamInlineMixin, admin.TabularInline):
    model = TeamMember
    formset = TeamFormSet
    extra = 0
    autocomplete_fields = ["user"]


class ForumAdminForm(forms.ModelForm):
    def _post_clean(self):
        original = Forum.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        super()._post_clean()  # the instance now carries the form's values
        refusal = services.forum_change_refusal(user=self.request_user, original=original, changed=self.instance)
        if refusal and "status" in self.fields:
            self.add_error("status", refusal)


@admin.register(Forum)
class ForumAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    form = ForumAdminForm
    forum_path = ""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form
    list_display = ["title_ar", "edition", "organizer", "first_day", "last_day", "status", "tools"]
    list_filter = ["status"]
    readonly_fields = ["tools"]
    search_fields = ["title_ar", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["organizer", "organizing_department", "patron"]
    inlines = [HallInline, TrackInline, SponsorshipInline, TeamMemberInline]
    fieldsets = [
        (None, {"fields": ["slug", ("title_ar", "title_en"), "edition", "status", "tools"]}),
        (_("Organizers"), {"fields": ["organizer", "organizing_department", "patron", "logo"]}),
        (_("Venue and dates"), {"fields": [("venue_name_ar", "venue_name_en"), ("venue_address_ar", "venue_address_en"),
                                            ("latitude", "longitude"), "time_zone", ("first_day", "last_day"),
                                            "prayer_method", "open_after_last_day"]}),
        (_("Description"), {"fields": ["description_ar", "description_en", "notice_ar", "notice_en"]}),
    ]

    # The organizer's tools outside the admin, one click from the forum.
    TOOLS = [
        ("frontend:forum_home", "slug", _("Public page")),
        ("sessions:builder", "forum_slug", _("Agenda builder")),
        ("speakers:manage", "forum_slug", _("Speakers and papers")),
        ("registration:manage", "slug", _("Registrations")),
        ("registration:badges:print", "forum_slug", _("Print badges")),
        ("registration:badges:scanner", "forum_slug", _("Check-in scanner")),
        ("registration:badges:attendance", "forum_slug", _("Attendance")),
        ("accounts:team", "forum_slug", _("Team")),
        ("mailing:outbox", "forum_slug", _("Outbox")),
    ]

    @admin.display(description=_("Tools"))
    def tools(self, obj):
        if obj is None or not obj.pk:
            return "—"
        links = []
        for name, kwarg, label in self.TOOLS:
            try:
                links.append((reverse(name, kwargs={kwarg: obj.slug}), label))
            except NoReverseMatch:
                continue
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def save_formset(self, request, form, formset, change):
        """The team is written through the team services (new owners first, so the rule that a forum keeps
        an owner holds at every step); other inlines are saved as usual."""
        if formset.model is not TeamMember:
            return super().save_formset(request, form, formset, change)
        members = formset.save(commit=False)
        members.sort(key=lambda member: member.role != TeamMember.Role.OWNER)
        for member in members:
            if member.pk is None:
                member.save()
            else:
                changed = {name: getattr(member, name) for name in ("user_id", "role")}
                team_member_update(member=member, **changed)
        for member in formset.deleted_objects:
            team_member_remove(member=member)
        formset.save_m2m()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new forum: its creator becomes its first owner (a superuser needs no role to manage it).
        forum_create(forum=obj, created_by=None if request.user.is_superuser else request.user)
