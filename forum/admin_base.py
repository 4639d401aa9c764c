"""Admin permissions follow the organizer team, not Django's per-model permissions.

A staff user sees the forums where they have a role and the rows of those
forums; owners and editors change them, viewers and check-in staff only look.
"""

from __future__ import annotations

from django.contrib import admin

from . import permissions


class ForumTeamAdminMixin:
    #: Path from the model to its forum, e.g. "session__forum"; "" for Forum itself.
    forum_path = "forum"

    def _forum_of(self, obj):
        if obj is None:
            return None
        if not self.forum_path:
            return obj
        for part in self.forum_path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def _team_forum_ids(self, request, roles=None):
        from .models import TeamMember

        qs = TeamMember.objects.filter(user=request.user)
        if roles is not None:
            qs = qs.filter(role__in=list(roles))
        return list(qs.values_list("forum_id", flat=True))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        key = f"{self.forum_path}__in" if self.forum_path else "pk__in"
        return qs.filter(**{key: self._team_forum_ids(request)})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(self._team_forum_ids(request))
        )

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return self.has_module_permission(request)
        return permissions.can_view_drafts(request.user, self._forum_of(obj))

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return bool(request.user.is_staff and self._team_forum_ids(request, permissions.EDIT_ROLES))
        return permissions.can_edit_forum(request.user, self._forum_of(obj))

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only offer forums the user may edit.
        if db_field.name == "forum" and not request.user.is_superuser:
            from .models import Forum

            kwargs["queryset"] = Forum.objects.filter(pk__in=self._team_forum_ids(request, permissions.EDIT_ROLES))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ForumTeamInlineMixin(ForumTeamAdminMixin):
    """Inlines are checked against the parent object's forum."""

    forum_path = ""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or obj is None or permissions.can_view_drafts(request.user, self._parent_forum(obj))

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (obj is not None and permissions.can_edit_forum(request.user, self._parent_forum(obj)))

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission

    def get_queryset(self, request):
        return admin.options.InlineModelAdmin.get_queryset(self, request)

    def _parent_forum(self, obj):
        from .models import Forum

        return obj if isinstance(obj, Forum) else getattr(obj, "forum", None)


def form_errors_add(form, error) -> None:
    """Show a service's refusal (a DomainError) on the admin form: each message on its field when the form
    has that field, on the form as a whole otherwise."""
    for field, messages in error.errors.items():
        form.add_error(field if field in form.fields else None, messages)
