"""Pages: the attendee's own badge, the scanner for check-in staff, the attendance dashboard and bulk printing."""

from __future__ import annotations

import base64

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from forum import formatting as fmt
from forum import permissions
from forum.errors import DomainError
from forum.models import Forum
from registration.models import Registration, RegistrationType

from . import selectors, services
from .models import BulkPrintJob, Scan


def _attendee_registration(access_token: str) -> Registration:
    return selectors.registration_for_badge_page(access_token=access_token)


@never_cache
@require_GET
def badge(request, access_token: str):
    """The attendee's badge behind their own secret link; nobody else's."""
    registration = _attendee_registration(access_token)
    badge = None
    qr = ""
    if registration.status == Registration.Status.CONFIRMED:
        badge = services.badge_issue(registration=registration)
        qr = base64.b64encode(services.badge_qr_png(badge=badge)).decode()
    response = render(request, "badges/badge.html", {
        "registration": registration, "forum": registration.forum, "badge": badge, "qr_base64": qr,
        "titles_ar": registration.titles_ar,
        "first_day_hijri": fmt.hijri_numeric(registration.forum.first_day),
        "last_day_hijri": fmt.hijri_numeric(registration.forum.last_day),
    })
    response["Referrer-Policy"] = "no-referrer"  # the link is the attendee's secret
    return response


def _confirmed(access_token: str) -> Registration:
    registration = _attendee_registration(access_token)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    return registration


@never_cache
@require_GET
def badge_pdf(request, access_token: str):
    registration = _confirmed(access_token)
    response = HttpResponse(services.badge_pdf(registration=registration), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="badge-{registration.reference}.pdf"'
    return response


@never_cache
@require_GET
def badge_png(request, access_token: str):
    registration = _confirmed(access_token)
    response = HttpResponse(services.badge_png(registration=registration), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="badge-{registration.reference}.png"'
    return response


def _forum_for(request, forum_slug: str, check) -> Forum:
    return permissions.forum_for_page(request.user, forum_slug, check=check, refuse=PermissionDenied)


@login_required
@require_GET
def scanner(request, forum_slug: str):
    """The scanner for check-in staff (keyboard wedge, camera, offline queue)."""
    forum = _forum_for(request, forum_slug, permissions.can_check_in)
    services.checkpoints_ensure(forum=forum)
    checkpoints = list(selectors.checkpoints_for_scanner(forum=forum))
    outcomes = {value: str(label) for value, label in Scan.Outcome.choices}
    config = {
        "forum": forum.slug,
        "forumId": forum.pk,
        "timeZone": forum.time_zone,
        "digits": fmt.digits_of_request(request),  # the counters follow the visitor's digit choice
        "api": {
            "scan": reverse("badges-api:scan", kwargs={"forum_slug": forum.slug}),
            "batch": reverse("badges-api:scan-batch", kwargs={"forum_slug": forum.slug}),
            "keys": reverse("badges-api:keys", kwargs={"forum_slug": forum.slug}),
            "revocations": reverse("badges-api:revocations", kwargs={"forum_slug": forum.slug}),
            "roster": reverse("badges-api:roster", kwargs={"forum_slug": forum.slug}),
            "counters": reverse("badges-api:counters", kwargs={"forum_slug": forum.slug}),
        },
        "outcomes": outcomes,
        "categories": {value: str(label) for value, label in RegistrationType.Category.choices},
        "text": {
            "offline": _("Offline: scans are checked here and queued"),
            "online": _("Online"),
            "queued": _("Queued for upload"),
            "conflicts": _("Conflicts found on upload"),
            "checkedOffline": _("Checked offline (signature valid)"),
            "unverified": _("Checked offline without the signature (this browser cannot verify it); the upload decides"),
            "unknownPerson": _("Registration"),
            "noCheckpoint": _("Choose a checkpoint first."),
            "at": _("at"),
        },
    }
    return render(request, "badges/scanner.html", {
        "forum": forum, "checkpoints": checkpoints, "config_json": config,
    })


@login_required
@require_GET
def attendance(request, forum_slug: str):
    """Admitted against registered, by category, over time and per session (team members)."""
    forum = _forum_for(request, forum_slug, permissions.can_view_drafts)
    summary = selectors.attendance_summary(forum=forum)
    peak = max((row["admitted"] for row in summary["over_time"]), default=0) or 1
    for row in summary["over_time"]:
        row["percent"] = row["admitted"] * 100 // peak
        row["hijri"] = fmt.hijri_numeric(row["hour"].date())
    for row in summary["by_category"]:
        row["percent"] = row["admitted"] * 100 // row["registered"] if row["registered"] else 0
    return render(request, "badges/attendance.html", {"forum": forum, "summary": summary})


@login_required
@require_http_methods(["GET", "POST"])
def print_jobs(request, forum_slug: str):
    """Start a bulk print of badges and follow its progress (organizers)."""
    forum = _forum_for(request, forum_slug, permissions.can_edit_forum)
    error = ""
    if request.method == "POST":
        filters = {}
        if request.POST.get("category"):
            filters["category"] = request.POST["category"]
        try:
            services.print_job_create(forum=forum, by=request.user, order_by=request.POST.get("order_by", ""),
                                      filters=filters)
        except DomainError as exc:
            error = "; ".join(m for ms in exc.errors.values() for m in ms)
        else:
            return redirect("registration:badges:print", forum_slug=forum.slug)
    jobs = BulkPrintJob.objects.filter(forum=forum)[:20]
    return render(request, "badges/print.html", {
        "forum": forum, "jobs": jobs, "error": error, "orders": BulkPrintJob.Order.choices,
        "categories": RegistrationType.Category.choices,
    })


@login_required
@require_GET
def print_job_file(request, forum_slug: str, job_id: int):
    forum = _forum_for(request, forum_slug, permissions.can_edit_forum)
    job = get_object_or_404(BulkPrintJob, forum=forum, pk=job_id, status=BulkPrintJob.Status.DONE)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"badges-{forum.slug}-{job.pk}.pdf",
                        content_type="application/pdf")
