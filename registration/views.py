"""Registration pages: Arabic first (/registration/...), English at /en/registration/...

Attendees reach their own registration only through its secret link
(access_token); organizers manage a forum's registrations by their team role.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import permissions as forum_permissions
from forum import services as forum_services
from forum.errors import DomainError
from forum.models import Forum

from . import hooks, invoices, selectors, services
from .forms import InviteCodesForm, RegistrationForm, RegistrationSettingsForm, WaitlistForm
from .models import Answer, Registration, RegistrationSettings, RegistrationType, WaitlistEntry, amount_display


def _language() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _add_errors(form, exc: DomainError) -> None:
    for field, msgs in exc.errors.items():
        target = field if field in form.fields else None
        for message in msgs:
            form.add_error(target, message)


def badge_url(registration: Registration) -> str | None:
    """The attendee's badge, served by registration.badges (by access token)."""
    for name in ("registration:badges:badge", "registration:badges:badge_pdf"):
        try:
            return reverse(name, args=[registration.access_token])
        except NoReverseMatch:
            continue
    return None


def register(request, slug: str):
    forum = get_object_or_404(Forum.objects.filter(status=Forum.Status.PUBLISHED), slug=slug)
    reg_settings = services.registration_settings_get(forum=forum)
    types = selectors.registration_types_open(forum=forum)
    # Without online payment, paid types are not offered: booking one would only hold a seat nobody can pay.
    paid_hidden = selectors.paid_types_without_payments(forum=forum, types=types)
    if paid_hidden:
        types = types.exclude(pricing=RegistrationType.Pricing.PAID)
    questions = list(selectors.questions_active(forum=forum))
    full_type = None
    if request.method == "POST":
        form = RegistrationForm(request.POST, request.FILES, forum=forum, types=types, questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                answers = services.answers_clean(questions=questions, data=request.POST, files=request.FILES)
                registration = services.registration_create(
                    forum=forum, registration_type=data["registration_type"], honorific=data["honorific"],
                    academic_title=data["academic_title"],
                    full_name_ar=data["full_name_ar"], full_name_en=data["full_name_en"], email=data["email"],
                    phone=data["phone"], position=data["position"], organization_name=data["organization_name"],
                    invite_code=data["invite_code"], answers=answers, language=_language(), user=request.user,
                    buyer_vat_number=data["buyer_vat_number"], buyer_address=data["buyer_address"],
                )
            except services.SeatsFull as exc:
                full_type = data["registration_type"]
                _add_errors(form, exc)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                if registration.status == Registration.Status.PENDING:
                    return redirect("registration:pay", registration.access_token)
                return redirect("registration:detail", registration.access_token)
    else:
        form = RegistrationForm(forum=forum, types=types, questions=questions)
    waitlist_form = None
    if full_type is not None and reg_settings.waitlist_enabled:
        waitlist_form = WaitlistForm(
            initial={"registration_type": full_type.pk, **{k: request.POST.get(k, "") for k in
                                                           ("full_name_ar", "full_name_en", "email", "phone")}},
            types=RegistrationType.objects.filter(forum=forum),
        )
    return render(request, "registration/register.html", {
        "forum": forum, "form": form, "types": types, "settings_row": reg_settings,
        "waitlist_form": waitlist_form, "full_type": full_type, "paid_hidden": paid_hidden,
        "ended": forum.is_over, "has_paid_types": any(t.is_paid for t in types),
    })


@require_POST
def waitlist_join(request, slug: str):
    forum = get_object_or_404(Forum.objects.filter(status=Forum.Status.PUBLISHED), slug=slug)
    form = WaitlistForm(request.POST, types=RegistrationType.objects.filter(forum=forum))
    if form.is_valid():
        try:
            services.waitlist_join(forum=forum, language=_language(), **form.cleaned_data)
        except DomainError as exc:
            for msgs in exc.errors.values():
                for message in msgs:
                    messages.error(request, message)
        else:
            messages.success(request, _("You are on the waiting list. We will e-mail you if a seat becomes free."))
    else:
        messages.error(request, _("Please check the waiting-list form."))
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
    return redirect("registration:register", forum.slug)


def _registration(token: str) -> Registration:
    try:
        return services.registration_for_token(access_token=token)
    except DomainError:
        raise Http404 from None


def detail(request, token: str):
    registration = _registration(token)
    payment = getattr(registration, "payment", None) if hasattr(registration, "payment") else None
    # Only that a file arrived: the files themselves are personal data, downloaded by the organizers.
    files_received = Answer.objects.filter(registration=registration).exclude(file="").select_related("question")
    sections = [html for _receiver, html in hooks.registration_page_sections.send(
        sender=Registration, registration=registration, request=request) if html]
    return render(request, "registration/detail.html", {
        "sections": sections,
        "registration": registration, "forum": registration.forum, "type": registration.registration_type,
        "files_received": files_received,
        "payment": payment, "badge_url": badge_url(registration) if registration.status == "confirmed" else None,
        "amount": amount_display(registration.amount_minor, registration.currency),
        "invoices": invoices.attendee_documents(registration) if registration.amount_minor else [],
    })


@require_safe
def invoice_pdf(request, token: str, uuid):
    """The attendee's own tax invoice or credit note, as the PDF e-mailed to them."""
    registration = _registration(token)
    document = invoices.document_for(registration, uuid=uuid)
    if document is None:
        raise Http404
    response = HttpResponse(invoices.document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pay(request, token: str):
    registration = _registration(token)
    if registration.status != Registration.Status.PENDING:
        return redirect("registration:detail", token)
    try:
        payment = services.payment_intent_ensure(registration=registration)
    except DomainError as exc:
        messages.error(request, exc.errors.get("non_field_errors", [str(exc)])[0])
        return redirect("registration:detail", token)
    return render(request, "registration/pay.html", {
        "registration": registration, "forum": registration.forum, "type": registration.registration_type,
        "payment": payment, "amount": amount_display(payment.amount_minor, payment.currency),
        "stripe_js_url": settings.STRIPE_JS_URL, "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(reverse("registration:payment_return", args=[token])),
    })


def payment_return(request, token: str):
    registration = _registration(token)
    try:
        registration = services.payment_sync(registration=registration)
    except DomainError as exc:
        messages.error(request, str(exc))
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("Thank you: your payment was received and your registration is confirmed."))
    return redirect("registration:detail", token)


@require_POST
def cancel(request, token: str):
    registration = _registration(token)
    try:
        services.registration_cancel(registration=registration, reason="attendee")
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect("registration:detail", token)


def claim(request, token: str):
    entry = get_object_or_404(WaitlistEntry.objects.select_related("forum", "registration_type"), claim_token=token)
    if request.method == "POST":
        try:
            registration = services.waitlist_claim(claim_token=token)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if registration.status == Registration.Status.PENDING:
                return redirect("registration:pay", registration.access_token)
            return redirect("registration:detail", registration.access_token)
    return render(request, "registration/claim.html", {"entry": entry, "forum": entry.forum})


# ---- organizers ---------------------------------------------------------------------------------


def _team_forum(request, slug: str) -> Forum:
    if not request.user.is_authenticated:
        raise _LoginRequired
    return forum_permissions.forum_for_page(request.user, slug)


class _LoginRequired(Exception):
    pass


def _organizer_view(view):
    def wrapped(request, slug, *args, **kwargs):
        try:
            forum = _team_forum(request, slug)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())
        return view(request, forum, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@require_safe
@_organizer_view
def manage(request, forum: Forum):
    can_pii = forum_permissions.can_view_personal_data(request.user, forum)
    summary = selectors.registration_summary(forum=forum)
    page = None
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "registration_type")}
    has_files = False
    if can_pii:
        qs = selectors.registrations_search(forum=forum, **filters)
        has_files = selectors.file_questions_exist(forum=forum)
        if has_files:
            qs = qs.prefetch_related(selectors.file_answers_prefetch())
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "registration/manage.html", {
        "forum": forum, "summary": summary, "page": page, "can_pii": can_pii, "filters": filters,
        "has_files": has_files, "can_edit": forum_permissions.can_edit_forum(request.user, forum),
        "statuses": Registration.Status.choices, "types": RegistrationType.objects.filter(forum=forum),
        "settings_row": services.registration_settings_get(forum=forum),
        "invite_form": InviteCodesForm(forum=forum) if forum_permissions.can_edit_forum(request.user, forum) else None,
    })


@require_POST
@_organizer_view
def manage_action(request, forum: Forum, pk: int, action: str):
    if not forum_permissions.can_edit_forum(request.user, forum):
        raise Http404
    registration = get_object_or_404(Registration, forum=forum, pk=pk)
    actions = {
        "approve": lambda: services.registration_approve(registration=registration),
        "reject": lambda: services.registration_reject(registration=registration, reason="organizer"),
        "cancel": lambda: services.registration_cancel(registration=registration, by=request.user, reason="organizer"),
        "resend": lambda: services.registration_confirmation_resend(registration=registration),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("registration:manage", args=[forum.slug])
    return redirect(back)


@require_POST
@_organizer_view
def invite_codes_create(request, forum: Forum):
    """Organizers create a batch of invite codes, then download it as CSV."""
    if not forum_permissions.can_edit_forum(request.user, forum):
        raise Http404
    form = InviteCodesForm(request.POST, forum=forum)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("registration:manage", forum.slug)
    data = form.cleaned_data
    try:
        codes = services.invite_codes_create(
            registration_type=data["registration_type"], count=data["count"], max_uses=data["max_uses"],
            expires_at=data["expires_at"], note=data["note"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("registration:manage", forum.slug)
    messages.success(request, _("%(n)d invite codes created.") % {"n": len(codes)})
    return redirect(reverse("registration:invite_codes_export", args=[forum.slug]) + f"?batch={codes[0].batch}")


@require_safe
@_organizer_view
def export(request, forum: Forum, fmt: str):
    if fmt not in ("csv", "xlsx") or not forum_permissions.can_view_personal_data(request.user, forum):
        raise Http404
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "registration_type")}
    rows = selectors.export_rows(forum=forum, registrations=selectors.registrations_search(forum=forum, **filters),
                                 file_url=selectors.answer_file_url_builder(request, forum))
    if fmt == "xlsx":
        response = HttpResponse(
            selectors.export_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(selectors.export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registrations-{forum.slug}.{fmt}"'
    return response


@require_safe
@_organizer_view
def invite_codes_export(request, forum: Forum):
    if not forum_permissions.can_view_personal_data(request.user, forum):
        raise Http404
    data = selectors.export_csv(selectors.invite_codes_rows(forum=forum, batch=request.GET.get("batch", "")))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invite-codes-{forum.slug}.csv"'
    return response


# Types a browser may be told for an attendee's file; anything else is application/octet-stream.
ANSWER_FILE_TYPES = {
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip",
}
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,9}$")


def answer_file_name(answer: Answer) -> str:
    """reference-q<question id> and the stored suffix: nothing the attendee typed reaches the header."""
    suffix = PurePosixPath(answer.file.name).suffix.lower()
    if not _SAFE_SUFFIX.match(suffix):
        suffix = ""
    return f"{answer.registration.reference}-q{answer.question_id}{suffix}"


@require_safe
@_organizer_view
def answer_file(request, forum: Forum, answer_id: int):
    """An attendee's uploaded answer, for those who may see the forum's personal data."""
    if not forum_permissions.can_view_personal_data(request.user, forum):
        raise Http404
    answer = selectors.answer_with_file(forum=forum, answer_id=answer_id)
    if answer is None:
        raise Http404
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = answer_file_name(answer)
    content_type = mimetypes.guess_type(filename)[0]
    if content_type not in ANSWER_FILE_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    # Even if a browser ignored the attachment, nothing in it may run.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@_organizer_view
def settings_edit(request, forum: Forum):
    """Capacity, seat hold, waiting list and open/closed: the forum's owners and editors."""
    if not forum_permissions.can_edit_forum(request.user, forum):
        raise Http404
    # Read without creating: a page view writes nothing (the service creates the row if needed).
    current = RegistrationSettings.objects.filter(forum=forum).first() or RegistrationSettings(forum=forum)
    if request.method == "POST":
        form = RegistrationSettingsForm(request.POST, seats_taken=current.seats_taken)
        if form.is_valid():
            reopen = form.cleaned_data.pop("open_after_last_day")
            try:
                services.registration_settings_update(forum=forum, **form.cleaned_data)
                if reopen != forum.open_after_last_day:
                    forum_services.forum_open_after_last_day_set(forum=forum, open_after_last_day=reopen)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The registration settings were saved."))
                return redirect("registration:settings", forum.slug)
    else:
        form = RegistrationSettingsForm(
            initial={**{name: getattr(current, name) for name in services.SETTINGS_FIELDS},
                     "open_after_last_day": forum.open_after_last_day},
            seats_taken=current.seats_taken,
        )
    return render(request, "registration/settings.html", {
        "forum": forum, "form": form, "settings_row": current,
        "payments_missing": selectors.paid_types_without_payments(forum=forum),
    }, status=200 if not form.errors else 400)
