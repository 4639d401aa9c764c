"""The product's sign-in page (LOGIN_URL), the staff landing page and the forum team page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import permissions
from forum.errors import DomainError
from forum.models import Forum, TeamMember

from . import selectors, services
from .forms import AcceptForm, LinkRequestForm, OutboxPasswordResetForm, SignInForm, TeamInviteForm, TeamRoleForm
from .models import TeamInvitation

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _messages(exc: DomainError) -> list[str]:
    return [m for ms in exc.errors.values() for m in ms]


class SignInView(auth_views.LoginView):
    """One sign-in page for organizers, check-in staff, reviewers, judges and speakers."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["link_form"] = LinkRequestForm()
        return context

    def get_default_redirect_url(self):
        return selectors.landing_url(self.request.user)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:sign_in")


@require_POST
def link_request(request):
    form = LinkRequestForm(request.POST)
    if form.is_valid():
        services.sign_in_link_send(email=form.cleaned_data["email"])
        messages.success(request, _("If an account has this e-mail, a sign-in link is on its way. It works once, "
                                    "for %(minutes)s minutes.") % {"minutes": services.SIGN_IN_MINUTES})
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_in.html", {"form": SignInForm(request), "link_form": form}, status=400)


@require_safe
def link_open(request, token: str):
    try:
        user = services.sign_in_link_user(token=token)
    except DomainError as exc:
        response = render(request, "accounts/link_refused.html", {"message": _messages(exc)[0]}, status=403)
        response["Referrer-Policy"] = "no-referrer"
        return response
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    login(request, user, backend=BACKEND)
    response = redirect(selectors.landing_url(user))
    response["Referrer-Policy"] = "no-referrer"
    return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:sign_in")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed; sign in with it."))
        return super().form_valid(form)


@require_safe
def home(request):
    """A signed-in user's forums with the pages their role opens."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "accounts/home.html", {"forums": selectors.forums_with_tools(user=request.user)})


# ---- the team page ---------------------------------------------------------------------------------


def _team_forum(request, forum_slug: str) -> Forum:
    return permissions.forum_for_page(request.user, forum_slug)  # others: 404, not even confirmed to exist


def team(request, forum_slug: str):
    """The team: any member reads it; owners invite by e-mail, change roles and remove members."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum = _team_forum(request, forum_slug)
    is_owner = permissions.can_manage_team(request.user, forum)
    form = TeamInviteForm()
    status = 200
    if request.method == "POST":
        if not is_owner:
            return render(request, "accounts/refused.html", {"forum": forum}, status=403)
        form = TeamInviteForm(request.POST)
        if form.is_valid():
            try:
                services.team_invitation_create(forum=forum, invited_by=request.user, **form.cleaned_data)
                messages.success(request, _("The invitation was sent to %(email)s.") % form.cleaned_data)
                return redirect("accounts:team", forum_slug=forum.slug)
            except DomainError as exc:
                for key, msgs in exc.errors.items():
                    for m in msgs:
                        form.add_error(key if key in form.fields else None, m)
        status = 400
    return render(
        request, "accounts/team.html",
        {"forum": forum, "is_owner": is_owner, "form": form, "members": selectors.team_of(forum=forum),
         "invitations": selectors.pending_invitations(forum=forum) if is_owner else [],
         "roles": TeamMember.Role.choices},
        status=status,
    )


@require_POST
def team_member(request, forum_slug: str, member_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum = _team_forum(request, forum_slug)
    if not permissions.can_manage_team(request.user, forum):
        return render(request, "accounts/refused.html", {"forum": forum}, status=403)
    member = get_object_or_404(TeamMember, pk=member_id, forum=forum)
    try:
        if request.POST.get("action") == "remove":
            services.team_member_remove(member=member, user=request.user)
            messages.success(request, _("Removed from the team."))
        else:
            form = TeamRoleForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose a role."), field="role")
            services.team_member_update(member=member, role=form.cleaned_data["role"], user=request.user)
            messages.success(request, _("The role was changed."))
    except DomainError as exc:
        messages.error(request, _messages(exc)[0])
    return redirect("accounts:team", forum_slug=forum.slug)


@require_POST
def invitation_withdraw(request, forum_slug: str, invitation_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum = _team_forum(request, forum_slug)
    if not permissions.can_manage_team(request.user, forum):
        return render(request, "accounts/refused.html", {"forum": forum}, status=403)
    invitation = get_object_or_404(TeamInvitation, pk=invitation_id, forum=forum)
    services.team_invitation_withdraw(invitation=invitation, user=request.user)
    messages.success(request, _("The invitation was withdrawn; its link no longer works."))
    return redirect("accounts:team", forum_slug=forum.slug)


def invitation(request, token: str):
    """The link from a team invitation: set a password (or sign in) and land where the role allows."""
    try:
        invitation = services.team_invitation_for_token(token)
    except DomainError as exc:
        response = render(request, "accounts/link_refused.html", {"message": _messages(exc)[0]}, status=403)
        response["Referrer-Policy"] = "no-referrer"
        return response
    signed_in = request.user.is_authenticated
    needs_sign_in = not signed_in and services.invitation_needs_sign_in(invitation)
    form = AcceptForm(request.POST or None) if not signed_in else None
    error = ""
    if request.method == "POST" and not needs_sign_in and (signed_in or form.is_valid()):
        try:
            user = services.team_invitation_accept(
                token=token, user=request.user if signed_in else None,
                password="" if signed_in else form.cleaned_data["password1"],
            )
            if not signed_in:
                login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to the team of %(forum)s.") % {"forum": invitation.forum.title})
            return redirect(selectors.landing_url(user))
        except DomainError as exc:
            if form is not None and "password1" in exc.errors:
                form.add_error("password1", exc.errors["password1"])
            else:
                error = _messages(exc)[0]
    response = render(
        request, "accounts/invitation.html",
        {"invitation": invitation, "form": form, "needs_sign_in": needs_sign_in, "error": error,
         "sign_in_url": f"{reverse('accounts:sign_in')}?next={request.path}",
         "lands_on": services.where_role_lands(invitation.role)},
        status=400 if request.method == "POST" else 200,
    )
    # The token is in the address: never sent to another site, yet the form's own POST keeps its
    # Origin (with "no-referrer" browsers send "Origin: null", which CSRF protection refuses).
    response["Referrer-Policy"] = "same-origin"
    return response
