from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import Honorific

from .models import Outcome

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
