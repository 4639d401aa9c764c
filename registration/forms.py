"""The registration form: fixed fields plus the forum's custom questions, in the page's language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.forms import AutoDirMixin
from forum.models import Honorific

from . import services
from .models import EMAIL_MAX_LENGTH, INVITE_CODE_MAX_USES, Question, RegistrationType


class RegistrationForm(AutoDirMixin, forms.Form):
    registration_type = forms.ModelChoiceField(queryset=RegistrationType.objects.none(), label=_("Registration type"),
                                               empty_label=None, widget=forms.RadioSelect)
    honorific = forms.ChoiceField(choices=Honorific.choices, required=False, label=_("Honorific"),
                                  help_text=_("Protocol stacks titles: «معالي» then «الدكتور», «سعادة» then «المهندس»."))
    academic_title = forms.ChoiceField(choices=Honorific.choices, required=False, label=_("Second title"))
    full_name_ar = forms.CharField(max_length=255, label=_("Full name (Arabic)"))
    full_name_en = forms.CharField(max_length=255, required=False, label=_("Full name (English)"))
    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH, label=_("E-mail"))
    phone = forms.CharField(max_length=32, required=False, label=_("Mobile phone"))
    position = forms.CharField(max_length=255, required=False, label=_("Position"))
    organization_name = forms.CharField(max_length=255, required=False, label=_("Organization"))
    invite_code = forms.CharField(max_length=32, required=False, label=_("Invite code"),
                                  help_text=_("Only for invitation-only registration types."))
    # The optional buyer block: an organization paying with a VAT number gets a standard tax invoice.
    buyer_vat_number = forms.CharField(max_length=20, required=False, label=_("VAT number"),
                                       help_text=_("Only if an organization registered for VAT pays: the tax "
                                                   "invoice is then issued to it (15 digits)."))
    buyer_address = forms.CharField(max_length=255, required=False, label=_("Billing address"))

    def __init__(self, *args, forum, types, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.questions = list(questions)
        self.fields["registration_type"].queryset = types
        self.fields["registration_type"].label_from_instance = self._type_label
        if len(types) == 1:
            self.fields["registration_type"].initial = types[0].pk
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._question_field(question)

    @staticmethod
    def _type_label(rtype: RegistrationType) -> str:
        if rtype.is_paid:
            price = gettext("%(amount)s %(currency)s incl. VAT") % {"amount": rtype.total_price,
                                                                    "currency": rtype.currency}
        elif rtype.is_invitation_only:
            price = gettext("by invitation")
        else:
            price = gettext("free")
        parts = [rtype.name, price]
        if rtype.seats_left == 0:
            parts.append(gettext("full: you may join the waiting list"))
        return " — ".join(parts)

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common = {"label": question.label, "help_text": question.help_text, "required": False}
        # Required-ness is checked by services.answers_clean so that the API and the page agree.
        if question.kind == Question.Kind.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *question.choice_options()], **common)
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
        if question.kind == Question.Kind.FILE:
            return forms.FileField(**common)
        if question.kind == Question.Kind.PHONE:
            return forms.CharField(max_length=32, widget=forms.TextInput(attrs={"type": "tel"}), **common)
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), **common)

    def buyer_fields(self):
        return [self["buyer_vat_number"], self["buyer_address"]]

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]

    def person_fields(self):
        return [self[name] for name in ("honorific", "academic_title", "full_name_ar", "full_name_en", "email", "phone", "position",
                                        "organization_name", "invite_code")]


class WaitlistForm(AutoDirMixin, forms.Form):
    registration_type = forms.ModelChoiceField(queryset=RegistrationType.objects.none(), widget=forms.HiddenInput)
    full_name_ar = forms.CharField(max_length=255, label=_("Full name (Arabic)"))
    full_name_en = forms.CharField(max_length=255, required=False, label=_("Full name (English)"))
    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH, label=_("E-mail"))
    phone = forms.CharField(max_length=32, required=False, label=_("Mobile phone"))

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = types


class InviteCodesForm(forms.Form):
    registration_type = forms.ModelChoiceField(queryset=RegistrationType.objects.none(), label=_("Registration type"))
    count = forms.IntegerField(min_value=1, max_value=5000, initial=50, label=_("How many codes"))
    max_uses = forms.IntegerField(min_value=1, max_value=INVITE_CODE_MAX_USES, initial=1, label=_("Uses per code"))
    expires_at = forms.DateTimeField(required=False, label=_("Valid until"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(max_length=255, required=False, label=_("Note"))

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = RegistrationType.objects.filter(
            forum=forum, pricing=RegistrationType.Pricing.INVITATION
        )


class RegistrationSettingsForm(forms.Form):
    """The organizers' settings page; the rules are those of services.registration_settings_update."""

    is_open = forms.BooleanField(required=False, label=_("Registration open"),
                                 help_text=_("When closed, the form tells visitors that registration is closed."))
    capacity = forms.IntegerField(required=False, min_value=1, max_value=services.CAPACITY_MAX,
                                  label=_("Forum capacity"))
    hold_minutes = forms.IntegerField(min_value=services.HOLD_MINUTES_MIN,
                                      max_value=services.HOLD_MINUTES_MAX,
                                      label=_("Minutes an unpaid registration holds its seat"))
    waitlist_enabled = forms.BooleanField(required=False, label=_("Waiting list"),
                                          help_text=_("When a type is full, visitors may join its waiting list."))
    claim_hours = forms.IntegerField(min_value=services.CLAIM_HOURS_MIN,
                                     max_value=services.CLAIM_HOURS_MAX,
                                     label=_("Hours to claim a seat offered from the waiting list"))
    open_after_last_day = forms.BooleanField(
        required=False, label=_("Keep registration open after the forum's last day"),
        help_text=_("After the last day registration closes by itself; tick this to reopen it, e.g. for a re-run."),
    )

    def __init__(self, *args, seats_taken: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats_taken = seats_taken
        s = services
        # One clear sentence, in the page's language, for every wrong number: too small, too large, not whole.
        rules = {
            "capacity": gettext("The capacity is a whole number from 1 to %(max)s, or empty for no limit. "
                                "To stop registrations, close registration instead.") % {"max": s.CAPACITY_MAX},
            "hold_minutes": gettext("An unpaid registration holds its seat from %(min)s to %(max)s minutes "
                                    "(one day).") % {"min": s.HOLD_MINUTES_MIN, "max": s.HOLD_MINUTES_MAX},
            "claim_hours": gettext("An offered seat waits from %(min)s to %(max)s hours (one week) for its "
                                   "claim.") % {"min": s.CLAIM_HOURS_MIN, "max": s.CLAIM_HOURS_MAX},
        }
        for name, rule in rules.items():
            field = self.fields[name]
            field.help_text = rule
            field.error_messages = {**field.error_messages, "min_value": rule, "max_value": rule, "invalid": rule,
                                    "required": gettext("Please enter a number.")}
        self.fields["capacity"].help_text = gettext("All registration types together; empty: no limit. "
                                                    "%(taken)s seats are taken now.") % {"taken": seats_taken}

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        # Said at once; the service says it again under the row lock, for a registration made meanwhile.
        if messages := services.capacity_errors(capacity, seats_taken=self.seats_taken):
            raise forms.ValidationError(messages)
        return capacity
