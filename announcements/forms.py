from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Announcement

HELP = _("Placeholders: {name} (name with honorific), {badge_link}, {forum}.")


class AnnouncementForm(forms.Form):
    subject_ar = forms.CharField(label=_("subject (Arabic)"), max_length=200,
                                 widget=forms.TextInput(attrs={"dir": "rtl"}))
    subject_en = forms.CharField(label=_("subject (English)"), max_length=200, required=False,
                                 widget=forms.TextInput(attrs={"dir": "ltr"}))
    body_ar = forms.CharField(label=_("message (Arabic)"), help_text=HELP,
                              widget=forms.Textarea(attrs={"rows": 8, "dir": "rtl"}))
    body_en = forms.CharField(label=_("message (English)"), required=False, help_text=HELP,
                              widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr"}))
    segment = forms.ChoiceField(label=_("recipients"), choices=Announcement.Segment.choices)
    registration_type = forms.ModelChoiceField(label=_("registration type"), queryset=None, required=False)
    session = forms.ModelChoiceField(label=_("session"), queryset=None, required=False)

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = forum.registration_types.order_by("order", "id")
        self.fields["session"].queryset = forum.sessions.order_by("starts_at", "id")


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(label=_("send at"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
