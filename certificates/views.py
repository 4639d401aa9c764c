"""Pages: the public verification page, the holder's downloads, and the organizers' certificates page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import permissions
from forum.errors import DomainError
from forum.models import Forum
from sessions.models import Session

from . import rendering, selectors, services
from .forms import PeopleBatchForm
from .models import Certificate, CertificateBatch, CertificateDesign, CertificateSettings, Kind, code_normalize


def _etag(cert: Certificate) -> str:
    return f'"{cert.code}-{int(cert.revoked_at.timestamp()) if cert.revoked_at else 0}-{cert.replaced_by_id or 0}"'


def _visible_certificate(request, code: str) -> Certificate:
    """The certificate the code names; 404 for unknown codes, and for a draft forum's outside its team."""
    cert = selectors.certificate_by_code(code)
    if cert is None or not (cert.forum.is_public or permissions.can_view_drafts(request.user, cert.forum)):
        raise Http404
    return cert


@require_safe
def verify(request, code: str):
    """What a certificate states, in Arabic and English, or "revoked" with its date. 404 for unknown codes.

    One query. Shared caches may keep the page but must ask again each time (no-cache with an ETag), so a
    revocation shows at once while a repeat visit costs a 304.
    """
    cert = _visible_certificate(request, code)
    etag = _etag(cert)
    changed = cert.revoked_at or cert.issued_at
    response = get_conditional_response(request, etag=etag, last_modified=int(changed.timestamp()))
    if response is None:
        response = render(request, "certificates/verify.html", {
            "c": cert, "forum": cert.forum, "url": rendering.verification_url(cert.code),
            "forum_lines": rendering.forum_lines(cert.forum),
            "issued_ar": rendering.issue_date_lines(cert.issued_at)[0],
            "issued_en": rendering.issue_date_lines(cert.issued_at)[1],
            "revoked_ar": rendering.issue_date_lines(cert.revoked_at)[0] if cert.revoked_at else "",
            "revoked_en": rendering.issue_date_lines(cert.revoked_at)[1] if cert.revoked_at else "",
            "reason": rendering.REASONS[cert.kind], "titles": rendering.TITLES[cert.kind],
        })
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed.timestamp())
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def verify_form(request):
    """Type the short code printed on a certificate."""
    code = code_normalize(request.GET.get("code", ""))
    if code:
        return redirect("certificates:verify", code)
    return render(request, "certificates/verify_form.html", {"asked": "code" in request.GET})


@require_safe
def certificate_download(request, code: str):
    """The certificate PDF, for whoever holds its code (the holder, from the e-mail or their pages)."""
    cert = _visible_certificate(request, code)
    if cert.is_revoked:
        return redirect("certificates:verify", cert.code)
    data = rendering.certificate_pdf(certificate=cert)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.code[:8]}.pdf"'
    patch_cache_control(response, private=True, max_age=300)
    return response


@require_safe
def mine(request):
    """The signed-in user's certificates: as the person they are (speakers, honorees) and as attendees."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certs = list(selectors.certificates_for_user(user=request.user).filter(revoked_at__isnull=True))
    return render(request, "certificates/mine.html", {"certificates": certs})


# ---- Organizers --------------------------------------------------------------------------------------


def _organizer_forum(request, slug: str) -> Forum | None:
    if not request.user.is_authenticated:
        return None
    return permissions.forum_for_page(request.user, slug)


def manage(request, slug: str):
    """Settings, designs with previews, batches with progress, eligibility, and every certificate issued."""
    forum = _organizer_forum(request, slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        if not permissions.can_edit_forum(request.user, forum):
            raise PermissionDenied
        return _manage_post(request, forum)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return _manage_page(request, forum)


def _manage_page(request, forum: Forum, *, people_form: PeopleBatchForm | None = None, status: int = 200):
    can_edit = permissions.can_edit_forum(request.user, forum)
    personal = permissions.can_view_personal_data(request.user, forum)
    eligibility = selectors.eligibility_for_forum(forum=forum) if personal else []
    batches = list(CertificateBatch.objects.filter(forum=forum).select_related("session")[:10])
    if people_form is None and can_edit:
        people_form = PeopleBatchForm(forum=forum, initial={
            "notify": selectors.certificate_settings_get(forum=forum).notify_holders})
    return render(request, "certificates/manage.html", {
        "forum": forum, "can_edit": can_edit, "personal": personal, "people_form": people_form,
        "rules": selectors.certificate_settings_get(forum=forum), "rule_choices": CertificateSettings.Rule.choices,
        "kinds": Kind.choices,
        "designs": {d.kind: d for d in CertificateDesign.objects.filter(forum=forum)},
        "batches": batches, "running": any(b.status in ("queued", "running") for b in batches),
        "scopes": CertificateBatch.Scope.choices,
        "sessions": Session.objects.filter(forum=forum).exclude(kind__in=["break", "prayer"]).order_by("starts_at"),
        "eligible": [e for e in eligibility if e.eligible], "not_eligible": [e for e in eligibility if not e.eligible],
        "certificates": list(selectors.certificates_for_forum(forum=forum)[:500]) if personal else [],
    }, status=status)


def _decimal(value: str):
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return "invalid"


def _people_batch(request, forum: Forum):
    """Issue to the people ticked or pasted; bad input shows the page again with the form's errors (400)."""
    form = PeopleBatchForm(request.POST, forum=forum)
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(forum=forum, by=request.user, scope=CertificateBatch.Scope.TEAM,
                                          kind=data["kind"], person_ids=form.person_ids(), role_ar=data["role_ar"],
                                          role_en=data["role_en"], notify=data["notify"])
        except DomainError as exc:
            for field, field_messages in exc.errors.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Issuing %(n)s certificates in the background.") % {"n": batch.total})
            return redirect(f"{reverse('certificates:manage', args=[forum.slug])}#batches")
    return _manage_page(request, forum, people_form=form, status=400)


def _manage_post(request, forum: Forum):
    action = request.POST.get("action", "")
    by = request.user
    back = redirect("certificates:manage", forum.slug)
    if action == "people":
        return _people_batch(request, forum)
    try:
        if action == "settings":
            min_sessions = request.POST.get("min_sessions", "")
            services.certificate_settings_update(
                forum=forum, by=by, rule=request.POST.get("rule", ""),
                min_sessions=int(min_sessions) if min_sessions.isdigit() else -1,
                min_hours=_decimal(request.POST.get("min_hours", "")) or "invalid",
                training_hours=_decimal(request.POST.get("training_hours", "")),
                notify_holders=request.POST.get("notify_holders") == "on",
            )
            messages.success(request, _("Saved."))
        elif action == "batch":
            session_id = request.POST.get("session", "")
            session = Session.objects.filter(forum=forum, pk=int(session_id)).first() if session_id.isdigit() else None
            batch = services.batch_create(forum=forum, by=by, scope=request.POST.get("scope", ""), session=session)
            messages.success(request, _("Issuing %(n)s certificates in the background.") % {"n": batch.total})
        elif action in ("revoke", "correct"):
            cert_id = request.POST.get("certificate", "")
            cert = get_object_or_404(Certificate, forum=forum, pk=int(cert_id) if cert_id.isdigit() else 0)
            if action == "revoke":
                services.certificate_revoke(certificate=cert, by=by, reason=request.POST.get("reason", ""))
                messages.success(request, _("The certificate was revoked."))
            else:
                new = services.certificate_correct(certificate=cert, by=by,
                                                   name_ar=request.POST.get("name_ar", cert.name_ar),
                                                   name_en=request.POST.get("name_en", cert.name_en))
                messages.success(request, _("Corrected: the new certificate's code is %(code)s.") % {
                    "code": new.short_code})
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
    return back


@require_safe
def preview(request, slug: str, kind: str):
    """A design shown with a sample holder (nothing is stored)."""
    forum = _organizer_forum(request, slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    if kind not in Kind.values:
        raise Http404
    data = rendering.certificate_pdf(certificate=services.preview_certificate(forum=forum, kind=kind))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{kind}.pdf"'
    return response


@require_safe
def batch_download(request, slug: str, batch_id: int):
    forum = _organizer_forum(request, slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_view_personal_data(request.user, forum):
        raise Http404
    batch = get_object_or_404(CertificateBatch, forum=forum, pk=batch_id, status=CertificateBatch.Status.DONE)
    if not batch.file:
        raise Http404
    return FileResponse(batch.file.open("rb"), as_attachment=True,
                        filename=f"certificates-{forum.slug}-{batch.pk}.pdf", content_type="application/pdf")


@require_POST
def design_save(request, slug: str, kind: str):
    """Upload a background and set the signatories of one kind (the full editor is in the admin)."""
    forum = _organizer_forum(request, slug)
    if forum is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_edit_forum(request.user, forum):
        raise PermissionDenied
    if kind not in Kind.values:
        raise Http404
    try:
        signatories = []
        for i in range(3):
            name_ar = request.POST.get(f"signatory_{i}_name_ar", "").strip()
            if name_ar:
                signatories.append({
                    "honorific": request.POST.get(f"signatory_{i}_honorific", ""), "name_ar": name_ar,
                    "name_en": request.POST.get(f"signatory_{i}_name_en", ""),
                    "title_ar": request.POST.get(f"signatory_{i}_title_ar", ""),
                    "title_en": request.POST.get(f"signatory_{i}_title_en", ""),
                    "signature": request.FILES.get(f"signatory_{i}_signature"),
                })
        services.certificate_design_save(
            forum=forum, kind=kind, by=request.user, background=request.FILES.get("background"),
            remove_background=request.POST.get("remove_background") == "on",
            signatories=signatories or None,
        )
        messages.success(request, _("The design was saved."))
    except DomainError as exc:
        for field_messages in exc.errors.values():
            for message in field_messages:
                messages.error(request, message)
    return redirect(f"{reverse('certificates:manage', args=[forum.slug])}#designs")
