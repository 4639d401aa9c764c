from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question, Survey


class SurveyForm(forms.Form):
    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=255)
    title_en = forms.CharField(label=_("title (English)"), max_length=255, required=False)
    session = forms.ModelChoiceField(label=_("session"), queryset=None, required=False,
                                     empty_label=_("The whole forum"))
    is_anonymous = forms.BooleanField(label=_("anonymous"), required=False, initial=True)
    reminder_after_days = forms.IntegerField(label=_("reminder after (days)"), min_value=0, max_value=60,
                                             initial=3)
    closes_at = forms.DateTimeField(label=_("closes at"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = forum.sessions.order_by("starts_at", "id")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=Question.Kind.choices)
    text_ar = forms.CharField(label=_("question (Arabic)"), max_length=500)
    text_en = forms.CharField(label=_("question (English)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)
    choices_ar = forms.CharField(label=_("choices (Arabic, one a line)"), required=False, widget=forms.Textarea(
        attrs={"rows": 3, "dir": "rtl"}))
    choices_en = forms.CharField(label=_("choices (English, same order)"), required=False, widget=forms.Textarea(
        attrs={"rows": 3, "dir": "ltr"}))

    def choices(self) -> list[dict]:
        ar = [line.strip() for line in self.cleaned_data.get("choices_ar", "").splitlines() if line.strip()]
        en = [line.strip() for line in self.cleaned_data.get("choices_en", "").splitlines() if line.strip()]
        return [{"ar": a, "en": en[i] if i < len(en) else ""} for i, a in enumerate(ar)]


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("copy the questions of"), queryset=None)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Survey.Status.choices)
