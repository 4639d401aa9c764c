from django.utils.translation import gettext as _
from rest_framework import serializers

from forum import permissions as forum_permissions
from forum.api.schema import RelatedTextField
from forum.models import Forum, Hall, Organization, OrganizationMember, Person, Sponsorship, TeamMember, Track


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name_ar", "name_en", "kind", "parent", "logo", "website"]
        read_only_fields = ["logo"]

    def validate_parent(self, parent):
        if parent is not None and self.instance is not None:
            node = parent
            while node is not None:
                if node.pk == self.instance.pk:
                    raise serializers.ValidationError(_("An organization cannot be part of itself."))
                node = node.parent
        return parent


class OrganizationMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = OrganizationMember
        fields = ["id", "user", "username", "granted_at"]
        read_only_fields = ["granted_at"]
        validators = []  # the grant is idempotent (forum.services.organization_member_grant)


class PersonLookupSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class PersonSerializer(serializers.ModelSerializer):
    display_name_ar = serializers.CharField(read_only=True)
    display_name_en = serializers.CharField(read_only=True)
    organization_name_ar = RelatedTextField(source="organization.name_ar")
    forum = serializers.SlugRelatedField(
        slug_field="slug", queryset=Forum.objects.all(), write_only=True, required=False,
        help_text="On create: the forum whose team adds this person (needed when you edit several).",
    )

    class Meta:
        model = Person
        fields = [
            "id", "honorific", "academic_title", "display_name_ar", "display_name_en", "full_name_ar",
            "full_name_en", "position_ar", "position_en", "organization", "organization_name_ar", "email", "phone",
            "bio_ar", "bio_en", "photo", "preferred_language", "forum",
        ]
        read_only_fields = ["photo"]
        private_fields = ("email", "phone", "preferred_language")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # `contact_visible` (from the directory's queryset) narrows it to the people of the user's own forums.
        if not (self.context.get("show_contact") and getattr(instance, "contact_visible", True)):
            for field in self.Meta.private_fields:
                data.pop(field, None)
        return data


class ForumSerializer(serializers.ModelSerializer):
    organizer_name_ar = serializers.CharField(source="organizer.name_ar", read_only=True)
    patron_name_ar = RelatedTextField(source="patron.display_name_ar")

    class Meta:
        model = Forum
        fields = [
            "id", "slug", "title_ar", "title_en", "edition", "organizer", "organizer_name_ar",
            "organizing_department", "patron", "patron_name_ar", "venue_name_ar", "venue_name_en",
            "venue_address_ar", "venue_address_en", "latitude", "longitude", "time_zone", "first_day", "last_day",
            "status", "description_ar", "description_en", "prayer_method", "logo", "open_after_last_day",
            "notice_ar", "notice_en",
        ]
        read_only_fields = ["logo"]

    def validate_time_zone(self, value):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(_("Unknown time zone “%(zone)s”.") % {"zone": value}) from None
        return value

    def validate(self, attrs):
        first = attrs.get("first_day", getattr(self.instance, "first_day", None))
        last = attrs.get("last_day", getattr(self.instance, "last_day", None))
        if first and last and last < first:
            raise serializers.ValidationError({"last_day": [_("The last day cannot be before the first day.")]})
        if self.instance is not None and ("first_day" in attrs or "last_day" in attrs):
            outside = self.instance.sessions.exclude(
                starts_at__date__gte=first, ends_at__date__lte=last
            ).exists()
            if outside:
                raise serializers.ValidationError(
                    {"first_day": [_("Some sessions fall outside these days; move them first.")]}
                )
        return attrs


class ForumScopedSerializer(serializers.ModelSerializer):
    """Rows that belong to a forum: related rows must belong to the same forum."""

    def forum_check(self, value, field_forum_id):
        forum = self.context.get("forum")
        if value is not None and forum is not None and field_forum_id != forum.pk:
            raise serializers.ValidationError(_("This belongs to another forum."))
        return value


class HallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hall
        fields = ["id", "name_ar", "name_en", "capacity", "order"]

    def validate(self, attrs):
        unique_in_forum(self, attrs, "name_ar", _("This forum already has a hall with this name."))
        return attrs


class TrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name_ar", "name_en", "description_ar", "description_en", "color", "order"]

    def validate(self, attrs):
        unique_in_forum(self, attrs, "name_ar", _("This forum already has a theme with this name."))
        return attrs

    def validate_color(self, value):
        import re

        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise serializers.ValidationError(_("Use a colour like #1b5e20."))
        return value


class SponsorshipSerializer(serializers.ModelSerializer):
    organization_name_ar = serializers.CharField(source="organization.name_ar", read_only=True)
    organization_name_en = serializers.CharField(source="organization.name_en", read_only=True)

    class Meta:
        model = Sponsorship
        fields = ["id", "organization", "organization_name_ar", "organization_name_en", "kind", "tier", "order"]

    def validate(self, attrs):
        unique_in_forum(self, attrs, "organization", _("This body is already listed for this forum."))
        return attrs


class TeamMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "user", "username", "role"]

    def validate(self, attrs):
        unique_in_forum(self, attrs, "user", _("This user is already in the team."))
        return attrs


def unique_in_forum(serializer, attrs, field: str, message: str):
    """Field-level 400 before the database's unique constraint would answer 409."""
    forum = serializer.context["forum"]
    value = attrs.get(field, getattr(serializer.instance, field, None))
    qs = serializer.Meta.model.objects.filter(forum=forum, **{field: value})
    if serializer.instance is not None:
        qs = qs.exclude(pk=serializer.instance.pk)
    if qs.exists():
        raise serializers.ValidationError({field: [message]})


def show_contact(request, forum=None) -> bool:
    user = request.user if request else None
    if user is None or not user.is_authenticated:
        return False
    if forum is not None:
        return forum_permissions.can_view_personal_data(user, forum)
    return user.is_superuser or forum_permissions.editable_forums(user).exists()
