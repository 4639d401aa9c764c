from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from forum.models import TeamMember

from . import services


class SignInForm(AuthenticationForm):
    username = forms.CharField(label=_("User name or e-mail"), max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username",
                                                             "dir": "auto"}))

    def clean(self):
        # An e-mail is accepted in place of the user name when exactly one account has it.
        value = (self.cleaned_data.get("username") or "").strip()
        if "@" in value:
            matches = list(services.users_with_email(value)[:2])
            if len(matches) == 1:
                self.cleaned_data["username"] = matches[0].get_username()
        return super().clean()


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}))


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset, with the message stored in the outbox (retried, bilingual) like every other."""

    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}))

    def save(self, *, token_generator, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            services.password_reset_send(
                user=user, uidb64=urlsafe_base64_encode(force_bytes(user.pk)), token=token_generator.make_token(user)
            )


class TeamInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    role = forms.ChoiceField(label=_("role"), choices=TeamMember.Role.choices, initial=TeamMember.Role.CHECKIN)


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=TeamMember.Role.choices)


class AcceptForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
