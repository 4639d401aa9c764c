"""One small form style for the whole product, and fields that may hold either language.

`FormRenderer` renders `{{ form }}` everywhere with the same layout (forum/forms/form.html and
field.html): the label above the field, the help text under it, the errors right after it, in a
`.field` block that base.css styles (full-width controls on phones). `AutoDirMixin` gives text
fields `dir="auto"`, so an English entry in an Arabic page runs left to right.
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates

TEXT_WIDGETS = (forms.TextInput, forms.EmailInput, forms.Textarea, forms.URLInput)


class FormRenderer(DjangoTemplates):
    form_template_name = "forum/forms/form.html"
    field_template_name = "forum/forms/field.html"


class AutoDirMixin:
    """Text, e-mail, URL and long-text fields take their direction from what is typed (dir="auto")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, TEXT_WIDGETS) and not isinstance(field.widget, forms.PasswordInput):
                field.widget.attrs.setdefault("dir", "auto")
