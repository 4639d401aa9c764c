"""Forms of the set-up pages. They only parse and show what was typed: every rule is checked, and
every change made, by the services (a refusal comes back onto its field through form_errors_add)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from forum import permissions as forum_permissions
from forum.forms import AutoDirMixin
from forum.models import Forum, Organization
from sessions.models import Session

from .models import Category, Criterion, Cycle, Programme, ProgrammeMember, Question, RequiredDocument
from .permissions import owner_organizations_q

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _SetupForm(AutoDirMixin, forms.ModelForm):
    """A model form whose instance is never saved by the form (the service saves)."""

    def _post_clean(self):
        # No model validation here: uniqueness and the table's constraints are the services' to check,
        # each with its own message on its field (the model's would be "Constraint … is violated").
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ProgrammeForm(_SetupForm):
    class Meta:
        model = Programme
        fields = ["slug", "kind", "owner", "name_ar", "name_en", "description_ar", "description_en",
                  "rules_ar", "rules_en", "blind_judging", "aggregation", "trim", "divergence_threshold"]
        widgets = {"description_ar": forms.Textarea(attrs={"rows": 3}), "description_en": forms.Textarea(attrs={"rows": 3}),
                   "rules_ar": forms.Textarea(attrs={"rows": 3}), "rules_en": forms.Textarea(attrs={"rows": 3}),
                   "slug": forms.TextInput(attrs={"dir": "ltr"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["slug"]  # the address of every page and link of the programme
        owners = Organization.objects.all() if user.is_superuser else Organization.objects.filter(
            pk__in=Organization.objects.filter(owner_organizations_q(user)).values("pk"))
        if self.instance.pk:
            owners = owners | Organization.objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners.distinct().order_by("name_ar")


class CycleForm(_SetupForm):
    class Meta:
        model = Cycle
        fields = ["number", "year_label", "is_public", "nominations_open", "nominations_close", "screening_ends",
                  "judging_ends", "visits_end", "results_date", "ceremony_date", "forum", "ceremony_session",
                  "chair", "illustrative_note"]
        widgets = {"nominations_open": DATETIME, "nominations_close": DATETIME, "screening_ends": DATE,
                   "judging_ends": DATE, "visits_end": DATE, "results_date": DATE, "ceremony_date": DATE}

    def __init__(self, *args, user, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["number"]
        for name in ("nominations_open", "nominations_close"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        # Only the forums the user organizes (and the one already linked) can hold the ceremony.
        forums = Forum.objects.filter(pk__in=forum_permissions.editable_forums(user).values("pk"))
        if self.instance.forum_id:
            forums = forums | Forum.objects.filter(pk=self.instance.forum_id)
        self.fields["forum"].queryset = forums.distinct().order_by("-pk")
        self.fields["ceremony_session"].queryset = Session.objects.filter(
            forum__in=forums.values("pk")).select_related("forum").order_by("forum_id", "pk")
        self.fields["chair"].queryset = get_user_model().objects.filter(
            award_roles__programme=programme, award_roles__role=ProgrammeMember.Role.JUDGE
        ).select_related("person").order_by("username")
        self.fields["chair"].label_from_instance = _user_label


def _user_label(user) -> str:
    person = getattr(user, "person", None)
    name = person.display_name if person is not None else ""
    return f"{name} <{user.email}>" if name else (user.email or user.get_username())


class CategoryForm(_SetupForm):
    class Meta:
        model = Category
        fields = ["kind", "group_ar", "group_en", "name_ar", "name_en", "eligibility_ar", "eligibility_en",
                  "winners", "order"]
        widgets = {"eligibility_ar": forms.Textarea(attrs={"rows": 3}),
                   "eligibility_en": forms.Textarea(attrs={"rows": 3})}


class CriterionForm(_SetupForm):
    class Meta:
        model = Criterion
        fields = ["parent", "name_ar", "name_en", "description_ar", "description_en", "weight", "max_score", "order"]
        widgets = {"description_ar": forms.Textarea(attrs={"rows": 2}),
                   "description_en": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        # Weight and maximum are checked by the service (one message each), not by the number input.
        self.fields["weight"] = forms.CharField(label=self.fields["weight"].label, initial=1,
                                                widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "decimal"}))
        self.fields["max_score"] = forms.CharField(label=self.fields["max_score"].label, initial=10,
                                                   widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
        if self.instance.pk:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = Criterion.objects.filter(category=category, parent=None)
            self.fields["parent"].empty_label = _("— a main criterion —")


class CriterionRowForm(_SetupForm):
    """A criterion's line in the list: its names, descriptions, weight, maximum and order, changed in place."""

    class Meta:
        model = Criterion
        fields = ["name_ar", "name_en", "description_ar", "description_en", "weight", "max_score", "order"]
        widgets = {"description_ar": forms.Textarea(attrs={"rows": 2}),
                   "description_en": forms.Textarea(attrs={"rows": 2}),
                   "order": forms.NumberInput(attrs={"dir": "ltr", "class": "narrow"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"] = forms.CharField(label=self.fields["weight"].label,
                                                widget=forms.TextInput(attrs={"dir": "ltr", "size": 6}))
        self.fields["max_score"] = forms.CharField(label=self.fields["max_score"].label,
                                                   widget=forms.TextInput(attrs={"dir": "ltr", "size": 5}))
        self.fields["order"].required = False  # left empty: the row keeps its place
        if not self.is_bound:
            self.initial["weight"] = f"{self.instance.weight.normalize():f}"
        for field in self.fields.values():
            # The inputs sit in a table row; the HTML form attribute ties them to the row's form.
            field.widget.attrs["form"] = f"crit-{self.instance.pk}"

    def changes(self) -> dict:
        changes = super().changes()
        if changes.get("order") is None:
            changes.pop("order", None)
        return changes


class DocumentForm(_SetupForm):
    class Meta:
        model = RequiredDocument
        fields = ["name_ar", "name_en", "required", "order"]


class QuestionForm(_SetupForm):
    class Meta:
        model = Question
        fields = ["label_ar", "label_en", "required", "max_length", "order"]


class MemberForm(AutoDirMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    role = forms.ChoiceField(label=_("role"), choices=ProgrammeMember.Role.choices)


class JudgeForm(forms.Form):
    judge = forms.ModelChoiceField(label=_("Judge"), queryset=get_user_model().objects.none())

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = get_user_model().objects.filter(
            award_roles__programme=programme, award_roles__role=ProgrammeMember.Role.JUDGE
        ).select_related("person").order_by("username")
        self.fields["judge"].label_from_instance = _user_label


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Copy the criteria of"), queryset=Category.objects.none())

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda c: (
            f"{c.cycle.programme.name} — {c.cycle.number} — {c.name}")
