from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import Honorific

from .models import Outcome, SubmissionType

HONEYPOT = "website"  # hidden from people; bots fill it
COAUTHOR_ROWS = 3
COAUTHOR_FIELDS = ("honorific", "full_name_ar", "full_name_en", "organization", "position", "email")


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("e-mail"), max_length=254)
    name = forms.CharField(label=_("your name"), max_length=255, required=False)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1",
                                                                            "autocomplete": "off"}))


class SubmissionForm(forms.Form):
    type = forms.ModelChoiceField(label=_("type"), queryset=None)
    theme = forms.ModelChoiceField(label=_("theme"), queryset=None, required=False)
    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=500, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=500, required=False)
    abstract_ar = forms.CharField(label=_("abstract (Arabic)"), required=False, widget=forms.Textarea(
        attrs={"rows": 6}))
    abstract_en = forms.CharField(label=_("abstract (English)"), required=False, widget=forms.Textarea(
        attrs={"rows": 6}))
    keywords = forms.CharField(label=_("keywords"), max_length=500, required=False)
    file = forms.FileField(label=_("file (PDF or Word)"), required=False)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1",
                                                                            "autocomplete": "off"}))

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = call.types.all()
        self.fields["theme"].queryset = call.forum.tracks.all()
        for name in ("title_ar", "title_en", "abstract_ar", "abstract_en", "keywords"):
            self.fields[name].widget.attrs["dir"] = "auto"


def coauthor_rows(data, existing=()) -> list[dict]:
    """The co-author rows of the form (coauthor-N-field), empty rows left out."""
    rows = []
    count = max(COAUTHOR_ROWS, len(existing) + 1)
    for n in range(count):
        row = {f: (data.get(f"coauthor-{n}-{f}") or "").strip() for f in COAUTHOR_FIELDS}
        if any(row[f] for f in COAUTHOR_FIELDS if f != "honorific"):
            rows.append(row)
    return rows


HONORIFICS = Honorific.choices


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("decision"), choices=Outcome.choices)


class TemplateForm(forms.Form):
    subject_ar = forms.CharField(label=_("subject (Arabic)"), max_length=255)
    subject_en = forms.CharField(label=_("subject (English)"), max_length=255, required=False)
    body_ar = forms.CharField(label=_("text (Arabic)"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))
    body_en = forms.CharField(label=_("text (English)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))


class CallForm(forms.Form):
    """The call's settings; times are typed in the forum's time zone."""

    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=255)
    title_en = forms.CharField(label=_("title (English)"), max_length=255, required=False)
    rules_ar = forms.CharField(label=_("rules (Arabic)"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    rules_en = forms.CharField(label=_("rules (English)"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    opens_at = forms.DateTimeField(label=_("opens at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"))
    closes_at = forms.DateTimeField(label=_("closes at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"))
    blind_review = forms.BooleanField(label=_("blind review"), required=False)
    reviewers_per_submission = forms.IntegerField(label=_("reviewers per submission"), min_value=1, max_value=10)


class TypeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SubmissionType.Kind.choices)
    name_ar = forms.CharField(label=_("name (Arabic)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    abstract_min_words = forms.IntegerField(label=_("abstract: fewest words"), min_value=0, max_value=100000,
                                            initial=0)
    abstract_max_words = forms.IntegerField(label=_("abstract: most words"), min_value=1, max_value=100000,
                                            initial=300)
    full_paper_required = forms.BooleanField(label=_("full paper required at submission"), required=False)
