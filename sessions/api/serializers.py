from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from forum.api.schema import RelatedTextField
from forum.models import Hall, Person, Track
from sessions.models import (
    GiftItem,
    Honoree,
    Prayer,
    PrayerTimeOverride,
    ScheduleVersion,
    Session,
    SessionItem,
    SessionRole,
)
from sessions.selectors import changelog_entry_text

# ---- The conflict report (documented once, used by every agenda write) --------------------------


class ConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "hall_double_booked", "outside_forum_days", "ends_before_start", "person_double_booked",
            "paper_session_without_chair", "speaker_without_paper", "prayer_time_overlap",
            "audience_over_capacity", "items_exceed_session",
        ],
        help_text="Stable machine code of the rule.",
    )
    message = serializers.CharField(help_text="A sentence in the user's language (Accept-Language / URL prefix).")
    session_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Sessions involved.")
    person_id = serializers.IntegerField(required=False, help_text="The person, for person rules.")
    hall_id = serializers.IntegerField(required=False, help_text="The hall, for hall and prayer rules.")
    prayer = serializers.ChoiceField(choices=Prayer.choices, required=False)
    field = serializers.CharField(required=False, help_text="The payload field to correct, for errors.")


class ConflictReportSerializer(serializers.Serializer):
    """Errors refuse a change (HTTP 400 with this body); warnings are allowed and shown until resolved."""

    errors = ConflictSerializer(many=True)
    warnings = ConflictSerializer(many=True)


class ConflictRefusalSerializer(ConflictReportSerializer):
    code = serializers.CharField(help_text='Always "conflict".')


class ConflictsMixin(serializers.Serializer):
    conflicts = serializers.SerializerMethodField(
        help_text="This session's findings: errors (none on a saved session) and warnings."
    )

    @extend_schema_field(ConflictReportSerializer)
    def get_conflicts(self, obj):
        report = getattr(obj, "conflicts", None)
        if report is not None:
            return report
        by_session = self.context.get("conflicts_by_session")
        session_id = getattr(obj, "session_id", None) or obj.pk
        if by_session is not None:
            return by_session.get(session_id, {"errors": [], "warnings": []})
        from sessions.conflicts import session_conflicts

        return session_conflicts(session=obj if isinstance(obj, Session) else obj.session)


# ---- Sessions ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ForumRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row limited to the forum in the URL."""

    def __init__(self, model, forum_path="forum", **kwargs):
        self.model = model
        self.forum_path = forum_path
        super().__init__(**kwargs)

    def get_queryset(self):
        forum = self.context.get("forum")
        qs = self.model.objects.all()
        return qs.filter(**{self.forum_path: forum}) if forum is not None else qs.none()


class SessionRoleNestedSerializer(serializers.ModelSerializer):
    display_name_ar = serializers.CharField(source="person.display_name_ar", read_only=True)
    display_name_en = serializers.CharField(source="person.display_name_en", read_only=True)

    class Meta:
        model = SessionRole
        fields = ["id", "person", "display_name_ar", "display_name_en", "role", "order"]


class SessionItemNestedSerializer(serializers.ModelSerializer):
    presenter_name_ar = RelatedTextField(source="presenter.display_name_ar")
    paper_id = serializers.SerializerMethodField()

    class Meta:
        model = SessionItem
        fields = ["id", "order", "kind", "title_ar", "title_en", "presenter", "presenter_name_ar",
                  "duration_minutes", "paper_id"]

    def get_paper_id(self, obj) -> int | None:
        paper = getattr(obj, "paper", None)
        return paper.pk if paper is not None else None


class SessionSerializer(ConflictsMixin, serializers.ModelSerializer):
    hall = ForumRelatedField(Hall, allow_null=True, required=False)
    track = ForumRelatedField(Track, allow_null=True, required=False)
    lock_version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1,
        help_text="The version you read. A save based on an older version is refused with 409 "
                  "(you may send the ETag in If-Match instead).",
    )
    roles = SessionRoleNestedSerializer(many=True, read_only=True)
    items = SessionItemNestedSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id", "number", "kind", "title_ar", "title_en", "description_ar", "description_en", "hall", "track",
            "starts_at", "ends_at", "status", "expected_audience", "lock_version", "roles", "items", "conflicts",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # The services check the end against the start (as a conflict), and numbers per forum.
        validators: list = []


class SessionCancelSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


# ---- Participants and items ---------------------------------------------------------------------


class SessionRoleSerializer(ConflictsMixin, serializers.ModelSerializer):
    session = ForumRelatedField(Session)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    display_name_ar = serializers.CharField(source="person.display_name_ar", read_only=True)
    display_name_en = serializers.CharField(source="person.display_name_en", read_only=True)

    class Meta:
        model = SessionRole
        fields = ["id", "session", "person", "display_name_ar", "display_name_en", "role", "order", "conflicts"]
        extra_kwargs = {"order": {"required": False}}
        validators: list = []

    def validate_session(self, session):
        if self.instance is not None and session.pk != self.instance.session_id:
            raise serializers.ValidationError(_("A participant cannot be moved to another session; add them there."))
        return session


class SessionItemSerializer(ConflictsMixin, serializers.ModelSerializer):
    session = ForumRelatedField(Session)
    presenter = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    presenter_name_ar = RelatedTextField(source="presenter.display_name_ar")

    class Meta:
        model = SessionItem
        fields = ["id", "session", "order", "kind", "title_ar", "title_en", "presenter", "presenter_name_ar",
                  "duration_minutes", "conflicts"]
        extra_kwargs = {"order": {"required": False}}

    def validate_session(self, session):
        if self.instance is not None and session.pk != self.instance.session_id:
            raise serializers.ValidationError(_("An item cannot be moved to another session."))
        return session


class ReorderSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text="The session whose rows are reordered.")
    ids = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False,
        help_text="Row ids in the new order: all of the session's rows, or a subset (e.g. the speakers), "
                  "which then swap among the places they hold.",
    )


# ---- Honorees ------------------------------------------------------------------------------------


class HonoreeSerializer(serializers.ModelSerializer):
    session = ForumRelatedField(Session, allow_null=True, required=False)
    gift_item = ForumRelatedField(GiftItem, allow_null=True, required=False)

    class Meta:
        model = Honoree
        fields = ["id", "session", "person", "organization", "reason", "gift", "gift_item", "presented_by",
                  "presenters", "presented_by_organization", "presented_by_group_ar", "presented_by_group_en",
                  "announcement_ar", "announcement_en", "protocol_rank", "order", "status", "done_at", "note"]
        read_only_fields = ["status", "done_at"]
        validators: list = []

    def validate(self, attrs):
        person = attrs.get("person", getattr(self.instance, "person", None))
        organization = attrs.get("organization", getattr(self.instance, "organization", None))
        if (person is None) == (organization is None):
            raise serializers.ValidationError(
                {"person": [_("Choose either a person or an organization to honor, not both.")]}
            )
        forum = self.context["forum"]
        session = attrs.get("session", getattr(self.instance, "session", None))
        reason = attrs.get("reason", getattr(self.instance, "reason", Honoree.Reason.OTHER))
        duplicate = Honoree.objects.filter(forum=forum, session=session, reason=reason)
        duplicate = duplicate.filter(person=person) if person is not None else duplicate.filter(organization=organization)
        if self.instance is not None:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise serializers.ValidationError({"non_field_errors": [_("This honoree is already listed for this moment.")]})
        return attrs


class HonoreeMarkSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True)


class GiftItemSerializer(serializers.ModelSerializer):
    assigned = serializers.IntegerField(read_only=True, default=0)
    engraving_missing = serializers.BooleanField(read_only=True)
    is_ready = serializers.BooleanField(read_only=True)

    class Meta:
        model = GiftItem
        fields = ["id", "kind", "name_ar", "name_en", "quantity_needed", "quantity_prepared", "needs_engraving",
                  "engraving_ar", "engraving_en", "note", "assigned", "engraving_missing", "is_ready"]
        validators: list = []


# ---- Published versions --------------------------------------------------------------------------


class ChangelogEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["added", "cancelled", "restored", "moved", "retitled", "person_added", "person_removed", "removed"]
    )
    session_id = serializers.IntegerField()
    title_ar = serializers.CharField()
    title_en = serializers.CharField()
    text = serializers.CharField(help_text="The change as a sentence in the user's language.")


class ScheduleVersionSerializer(serializers.ModelSerializer):
    changelog = serializers.SerializerMethodField()

    class Meta:
        model = ScheduleVersion
        fields = ["id", "number", "published_at", "changelog"]

    @extend_schema_field(ChangelogEntrySerializer(many=True))
    def get_changelog(self, obj):
        tz = self.context["forum"].tzinfo if "forum" in self.context else None
        return [{**entry, "text": changelog_entry_text(entry, tz=tz)} for entry in obj.changelog]


class ScheduleVersionDetailSerializer(ScheduleVersionSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="The agenda as published (agenda_snapshot_build).")

    class Meta(ScheduleVersionSerializer.Meta):
        fields = [*ScheduleVersionSerializer.Meta.fields, "snapshot"]


# ---- Prayer times --------------------------------------------------------------------------------


class PrayerTimeSerializer(serializers.Serializer):
    prayer = serializers.ChoiceField(choices=Prayer.choices)
    label = serializers.CharField()
    time = serializers.DateTimeField(help_text="In the forum's time zone.")
    window_ends_at = serializers.DateTimeField(help_text="End of the prayer window a prayer break covers.")
    source = serializers.ChoiceField(choices=["computed", "override"])
    computed_time = serializers.DateTimeField(allow_null=True)
    prayer_break_ids = serializers.ListField(child=serializers.IntegerField(),
                                             help_text="Scheduled prayer breaks overlapping the window.")


class PrayerDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    prayers = PrayerTimeSerializer(many=True)


class PrayerTimesSerializer(serializers.Serializer):
    method = serializers.CharField()
    window_minutes = serializers.IntegerField()
    days = PrayerDaySerializer(many=True)


class PrayerTimeOverrideSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrayerTimeOverride
        fields = ["id", "day", "prayer", "time", "note"]
        validators: list = []

    def validate_day(self, day):
        forum = self.context["forum"]
        if not (forum.first_day <= day <= forum.last_day):
            raise serializers.ValidationError(_("This day is not one of the forum's days."))
        return day


class PrayerBreakSerializer(serializers.Serializer):
    day = serializers.DateField()
    prayer = serializers.ChoiceField(choices=Prayer.choices)
    hall = ForumRelatedField(Hall, allow_null=True, required=False)
    minutes = serializers.IntegerField(required=False, min_value=5, max_value=120)


# ---- Copy to a new edition -----------------------------------------------------------------------


class EditionCopySerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=80)
    first_day = serializers.DateField(help_text="The new edition's first day; every session shifts by as many days.")
    title_ar = serializers.CharField(max_length=255, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=255, required=False, allow_blank=True)


EditionCopyResultSerializer = inline_serializer(
    "EditionCopyResult",
    fields={
        "id": serializers.IntegerField(),
        "slug": serializers.SlugField(),
        "edition": serializers.IntegerField(),
        "first_day": serializers.DateField(),
        "last_day": serializers.DateField(),
        "sessions": serializers.IntegerField(),
        "builder_url": serializers.CharField(),
    },
)
