from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .admin_base import ForumTeamAdminMixin, ForumTeamInlineMixin
from .models import Forum, Hall, Organization, Person, Sponsorship, TeamMember, Track
from .permissions import editable_forums
from .services import forum_create, team_member_remove, team_member_update, team_roles_errors

admin.site.site_header = _("Quality and Excellence Forums")
admin.site.site_title = _("Forums administration")
admin.site.index_title = _("Organize")


class DirectoryAdmin(admin.ModelAdmin):
    """The shared directory of people and bodies: organizers of any forum maintain it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or editable_forums(request.user).exists()
        )

    has_view_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Organization)
class OrganizationAdmin(DirectoryAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en"]
    autocomplete_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(DirectoryAdmin):
    list_display = ["display_name_ar", "full_name_en", "position_ar", "organization", "email"]
    list_filter = ["honorific"]
    search_fields = ["full_name_ar", "full_name_en", "email", "position_ar"]
    autocomplete_fields = ["organization", "user"]
    fieldsets = [
        (None, {"fields": [("honorific", "academic_title"), ("full_name_ar", "full_name_en")]}),
        (_("Position"), {"fields": [("position_ar", "position_en"), "organization"]}),
        (_("Contact"), {"fields": [("email", "phone"), "preferred_language", "user"]}),
        (_("Profile"), {"fields": ["bio_ar", "bio_en", "photo"]}),
    ]


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


@admin.register(Forum)
class ForumAdmin(ForumTeamAdminMixin, admin.ModelAdmin):
    forum_path = ""
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
                                            "prayer_method"]}),
        (_("Description"), {"fields": ["description_ar", "description_en"]}),
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
