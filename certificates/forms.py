"""The organizers' form for issuing certificates to a list of people, on the certificates page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.models import Forum

from . import selectors
from .models import Kind


def _joined(lines: list[str]) -> str:
    return gettext(", ").join(f"«{line}»" for line in lines[:20]) + ("…" if len(lines) > 20 else "")


class PeopleBatchForm(forms.Form):
    """People ticked among the forum's programme, honorees and team, and/or pasted one per line (an e-mail
    address or a full name of any of the forum's people, registrants included), with the kind and the role
    printed for all of them."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[(Kind.PARTICIPATION, Kind.PARTICIPATION.label),
                                                       (Kind.APPRECIATION, Kind.APPRECIATION.label)])
    people = forms.TypedMultipleChoiceField(label=_("People"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    pasted = forms.CharField(label=_("Or paste a list: one e-mail address or full name per line"), required=False,
                             max_length=100_000, widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}))
    role_ar = forms.CharField(label=_("What for (Arabic)"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={"dir": "rtl"}),
                              help_text=_("Printed after the reason, e.g. «في اللجنة المنظمة»."))
    role_en = forms.CharField(label=_("What for (English)"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    notify = forms.BooleanField(label=_("E-mail each holder a link"), required=False, initial=True)

    def __init__(self, *args, forum: Forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.choosable = selectors.forum_people_to_choose(forum=forum)
        self.fields["people"].choices = [(p.pk, p.display_name_ar) for p in self.choosable]

    def clean_pasted(self) -> list[int]:
        found = selectors.forum_people_from_lines(forum=self.forum, text=self.cleaned_data.get("pasted", ""))
        errors = []
        if found.unknown:
            errors.append(_("Not one of this forum's people: %(lines)s.") % {"lines": _joined(found.unknown)})
        if found.ambiguous:
            errors.append(_("More than one of this forum's people bears this name; write their e-mail address "
                            "instead: %(lines)s.") % {"lines": _joined(found.ambiguous)})
        if errors:
            raise forms.ValidationError(errors)
        return found.ids

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("people") or data.get("pasted")):
            raise forms.ValidationError(_("Tick at least one person or paste a list."), code="empty")
        return data

    def person_ids(self) -> list[int]:
        data = self.cleaned_data
        return list(dict.fromkeys([*data.get("people", []), *data.get("pasted", [])]))
