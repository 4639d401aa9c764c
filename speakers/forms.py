from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from forum.forms import AutoDirMixin
from forum.models import Honorific, Person
from forum.selectors import people_visible, person_find_by_email
from sessions.models import Session

from .models import SCORE_MAX, SCORE_MIN, FileKind, Invitation, PaperSettings, WorkingPaper


class ProfileForm(AutoDirMixin, forms.Form):
    honorific = forms.ChoiceField(label=_("honorific"), choices=Honorific.choices, required=False)
    academic_title = forms.ChoiceField(label=_("second title"), choices=Honorific.choices, required=False)
    full_name_ar = forms.CharField(label=_("full name (Arabic)"), max_length=255)
    full_name_en = forms.CharField(label=_("full name (English)"), max_length=255, required=False)
    position_ar = forms.CharField(label=_("position (Arabic)"), max_length=255, required=False)
    position_en = forms.CharField(label=_("position (English)"), max_length=255, required=False)
    organization_name = forms.CharField(label=_("organization"), max_length=255, required=False)
    bio_ar = forms.CharField(label=_("short bio (Arabic)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    bio_en = forms.CharField(label=_("short bio (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    photo = forms.FileField(
        label=_("photo (JPEG, PNG or WebP)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    @classmethod
    def for_person(cls, person: Person, data=None, files=None):
        initial = {
            "honorific": person.honorific, "academic_title": person.academic_title,
            "full_name_ar": person.full_name_ar, "full_name_en": person.full_name_en,
            "position_ar": person.position_ar, "position_en": person.position_en,
            "organization_name": person.organization.name_ar if person.organization else "",
            "bio_ar": person.bio_ar, "bio_en": person.bio_en,
        }
        return cls(data=data, files=files, initial=initial)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("new e-mail"), max_length=254)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"))
    role = forms.ChoiceField(choices=[("paper", _("Working paper")), ("slides", _("Slides"))], widget=forms.HiddenInput)


class PaperDetailsForm(AutoDirMixin, forms.ModelForm):
    class Meta:
        model = WorkingPaper
        fields = ["title_ar", "title_en", "abstract_ar", "abstract_en"]
        widgets = {"abstract_ar": forms.Textarea(attrs={"rows": 3}), "abstract_en": forms.Textarea(attrs={"rows": 3})}


class SettingsForm(forms.ModelForm):
    accepted_kinds = forms.MultipleChoiceField(
        label=_("accepted file kinds"), choices=FileKind.choices, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateTimeField(
        label=_("paper deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = PaperSettings
        fields = ["deadline", "accepted_kinds", "max_upload_mb", "review_enabled", "publication"]


class InviteForm(AutoDirMixin, forms.Form):
    session = forms.ModelChoiceField(label=_("session"), queryset=Session.objects.none())
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none(), required=False)
    person_email = forms.EmailField(
        label=_("or an existing person's exact e-mail"), max_length=254, required=False,
        help_text=_("Someone already in the directory for another forum: found by exact e-mail only."),
    )
    role = forms.ChoiceField(label=_("role"), choices=Invitation.ROLES)
    paper_title_ar = forms.CharField(label=_("paper title (Arabic)"), max_length=500, required=False)
    paper_title_en = forms.CharField(label=_("paper title (English)"), max_length=500, required=False)
    message = forms.CharField(label=_("personal message"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, forum, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(forum=forum).order_by("starts_at", "id")
        # The people this team may list (forum.selectors.people_visible); anyone else only by exact e-mail.
        self.fields["person"].queryset = (
            people_visible(user=user).exclude(email="").select_related("organization").order_by("full_name_ar", "id")
        )
        # Names and titles in the page's language (the models' __str__ is Arabic).
        self.fields["session"].label_from_instance = lambda session: session.title
        self.fields["person"].label_from_instance = lambda person: person.display_name


    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("person_email")
        if email and cleaned.get("person") is None:
            found = person_find_by_email(email=email)
            if found is None:
                self.add_error("person_email", _("Nobody in the directory has exactly this e-mail."))
            else:
                cleaned["person"] = Person.objects.get(pk=found.pk)
        elif cleaned.get("person") is None and "person_email" not in self.errors:
            self.add_error("person", _("Choose a person, or give an existing person's exact e-mail."))
        return cleaned


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(label=_("extended until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("accepted", _("Accept")), ("revise", _("Ask for a revision")), ("rejected", _("Reject"))],
    )
    comment = forms.CharField(label=_("comments to the speaker"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class AssignReviewerForm(forms.Form):
    reviewer = forms.CharField(label=_("reviewer (user name or e-mail)"), max_length=254)

    def clean_reviewer(self):
        value = self.cleaned_data["reviewer"].strip()
        User = get_user_model()
        user = User.objects.filter(username=value).first() or User.objects.filter(email__iexact=value).first()
        if user is None:
            raise forms.ValidationError(_("No user with this name or e-mail."))
        return user


class CriterionForm(forms.Form):
    name_ar = forms.CharField(label=_("name (Arabic)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("weight"), min_value=1, max_value=100, initial=1)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("comments"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name} (×{c.weight})", min_value=SCORE_MIN, max_value=SCORE_MAX
            )

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}
