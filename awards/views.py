"""Pages of the awards: the public programme pages, the nominations portal, the staff workspace,
the judges' pages and the assessors' phone pages.

Renders never write; every change is a POST to a service. A refused change
re-renders the page with the input as sent and each message beside its field.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.errors import DomainError
from speakers.models import CONTENT_TYPES as UPLOAD_CONTENT_TYPES
from speakers.services import profile_update

from . import exports, permissions, selectors, services
from .models import Category, Criterion, Cycle, FieldVisit, Nomination, NominationDocument, ProgrammeMember, VisitPhoto


def _errors(exc: DomainError) -> dict[str, list[str]]:
    return exc.errors


def _attachment(fh, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    response = FileResponse(fh, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _signed_in(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('awards:portal_signin')}?next={request.get_full_path()}")
    return None


def _cycle(slug: str, number: int) -> Cycle:
    cycle = selectors.cycle_get(programme_slug=slug, number=number)
    if cycle is None:
        raise Http404
    return cycle


def _local(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


# -- public ---------------------------------------------------------------------------------------


@require_safe
def index(request):
    cycles = (
        Cycle.objects.filter(is_public=True).select_related("programme__owner").order_by("programme__name_ar", "-number")
    )
    return render(request, "awards/index.html", {
        "cycles": cycles, "may_set_up": permissions.can_open_setup(request.user),
    })


@require_safe
def cycle_page(request, slug: str, number: int):
    """The programme's bilingual page for one cycle: rules, categories, criteria, dates, published results."""
    cycle = _cycle(slug, number)
    if not permissions.can_view_cycle_page(request.user, cycle):
        raise Http404
    results = selectors.results_table(cycle=cycle, winners_only=not cycle.programme.is_assessment) \
        if cycle.is_published else []
    return render(request, "awards/cycle.html", {
        "cycle": cycle, "programme": cycle.programme, "categories": selectors.cycle_categories(cycle=cycle),
        "tiers": selectors.cycle_tiers(cycle=cycle), "results": results,
        "can_manage": permissions.can_manage(request.user, cycle.programme_id),
    })


@require_safe
def result_verify(request, code: str):
    """The public, verifiable page of one winner's result (until award certificates exist)."""
    result = selectors.result_by_code(code)
    if result is None:
        raise Http404
    response = render(request, "awards/result_verify.html", {"result": result, "cycle": result.cycle})
    response["Referrer-Policy"] = "no-referrer"
    return response


# -- portal ---------------------------------------------------------------------------------------


@require_safe
def portal(request):
    context = {"nominations": [], "open_cycles": [], "person": None}
    if request.user.is_authenticated:
        person = getattr(request.user, "person", None)
        now = timezone.now()
        context.update(
            person=person,
            nominations=list(selectors.nominations_of_applicant(person=person)) if person else [],
            open_cycles=list(Cycle.objects.filter(is_public=True, nominations_open__lte=now,
                                                  nominations_close__gte=now).select_related("programme")),
            workspaces=selectors.workspaces_for_user(user=request.user),
        )
    return render(request, "awards/portal.html", context)


@require_http_methods(["GET", "POST"])
def portal_signin(request):
    """The sign-in form (GET) and sending the link (POST)."""
    if request.method == "GET":
        return render(request, "awards/portal.html", {})
    try:
        services.signin_link_send(email=request.POST.get("email", ""))
    except DomainError as exc:
        return render(request, "awards/portal.html", {"signin_errors": _errors(exc),
                                                      "email": request.POST.get("email", "")}, status=400)
    messages.success(request, _("If this address can sign in, a link is on its way. Check your e-mail."))
    return redirect("awards:portal")


@require_safe
def portal_signin_open(request, token: str):
    try:
        user = services.signin_link_use(token=token)
    except DomainError as exc:
        response = render(request, "awards/link_refused.html", {"message": exc.errors[next(iter(exc.errors))][0]},
                          status=403)
        response["Referrer-Policy"] = "no-referrer"
        return response
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect("awards:portal")
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def portal_signout(request):
    logout(request)
    return redirect("awards:portal")


@require_http_methods(["GET", "POST"])
def portal_new(request, slug: str, number: int):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(slug, number)
    if not cycle.is_public:
        raise Http404
    categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        try:
            category = next((c for c in categories if str(c.pk) == data.get("category")), None)
            if category is None:
                raise DomainError(_("Choose a category."), field="category")
            person = services.applicant_for(request.user)
            names = {"full_name_ar": data.get("applicant_name_ar", "").strip(),
                     "full_name_en": data.get("applicant_name_en", "").strip()}
            if names["full_name_ar"] and (names["full_name_ar"], names["full_name_en"]) != (
                    person.full_name_ar, person.full_name_en):
                profile_update(person=person, **names)
            nominee_person = nominee_org = None
            if category.kind == Category.Kind.INDIVIDUAL and data.get("who") == "other":
                nominee_person = services.nominee_person_resolve(
                    name_ar=data.get("nominee_name_ar", ""), name_en=data.get("nominee_name_en", ""),
                    email=data.get("nominee_email", ""),
                )
            elif category.kind == Category.Kind.INSTITUTIONAL:
                nominee_org = services.nominee_organization_resolve(
                    name_ar=data.get("organization_name_ar", ""), name_en=data.get("organization_name_en", "")
                )
            nomination = services.nomination_create(
                category=category, user=request.user, nominee_person=nominee_person,
                nominee_organization=nominee_org, title=data.get("title", ""),
            )
            messages.success(request, _("Your draft was created. Complete it and submit before the deadline."))
            return redirect("awards:portal_nomination", nomination_id=nomination.pk)
        except DomainError as exc:
            errors = _errors(exc)
    return render(request, "awards/portal_new.html", {
        "cycle": cycle, "categories": categories, "errors": errors, "data": request.POST,
        "person": getattr(request.user, "person", None),
    }, status=400 if errors else 200)


def _own_nomination(request, nomination_id: int) -> Nomination:
    nomination = get_object_or_404(
        Nomination.objects.select_related("cycle__programme", "category", "nominee_person",
                                          "nominee_organization", "applicant"),
        pk=nomination_id,
    )
    if not permissions.is_applicant(request.user, nomination):
        raise Http404
    return nomination


@require_http_methods(["GET", "POST"])
def portal_nomination(request, nomination_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    nomination = _own_nomination(request, nomination_id)
    errors: dict = {}
    posted_answers = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        posted_answers = {k.removeprefix("question_"): v for k, v in request.POST.items() if k.startswith("question_")}
        try:
            if action in ("save", "submit"):
                services.nomination_save(nomination=nomination, user=request.user, answers=posted_answers,
                                         title=request.POST.get("title"))
            if action == "upload":
                document = get_object_or_404(nomination.category.documents, pk=request.POST.get("document") or 0)
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(_("Choose a file."), field=f"document_{document.pk}")
                services.document_upload(nomination=nomination, user=request.user, document=document, upload=upload)
                messages.success(request, _("The document was uploaded."))
            elif action == "submit":
                services.nomination_submit(nomination=nomination, user=request.user)
                messages.success(request, _("Your nomination was submitted; a receipt was e-mailed to you."))
            elif action == "withdraw":
                services.nomination_withdraw(nomination=nomination, user=request.user,
                                             reason=request.POST.get("reason", ""))
                messages.success(request, _("Your nomination was withdrawn."))
            else:
                messages.success(request, _("Your draft was saved."))
            return redirect("awards:portal_nomination", nomination_id=nomination.pk)
        except DomainError as exc:
            errors = _errors(exc)
            if action == "submit":
                # The answers were saved above; only the submission was refused.
                nomination.refresh_from_db()
    return _nomination_page(request, nomination, errors, posted_answers)


def _nomination_page(request, nomination, errors, posted_answers):
    answers = dict(nomination.answers)
    if posted_answers:
        answers.update(posted_answers)
    questions = [(q, answers.get(str(q.pk), "")) for q in nomination.category.questions.all()]
    uploads = selectors.nomination_documents(nomination=nomination)
    documents = [(d, uploads.get(d.pk, [])) for d in nomination.category.documents.all()]
    return render(request, "awards/portal_nomination.html", {
        "nomination": nomination, "questions": questions, "documents": documents, "errors": errors,
        "deadline": services.deadline_for(nomination),
        "editable": nomination.status in (Nomination.Status.DRAFT, Nomination.Status.RETURNED),
    }, status=400 if errors else 200)


@require_safe
def document_download(request, file_id: int):
    doc = get_object_or_404(NominationDocument.objects.select_related("nomination__cycle", "document"), pk=file_id)
    if not permissions.can_read_nomination(request.user, doc.nomination):
        raise Http404
    return _attachment(doc.file.open("rb"), filename=f"nomination-{doc.nomination_id}-{doc.document_id}"
                       f"-v{doc.version}.{doc.kind}", content_type=UPLOAD_CONTENT_TYPES[doc.kind])


# -- staff workspace ------------------------------------------------------------------------------


def _managed_cycle(request, slug, number) -> Cycle:
    cycle = _cycle(slug, number)
    if not permissions.can_manage(request.user, cycle.programme_id):
        raise Http404
    return cycle


@require_safe
def manage(request, slug: str, number: int):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _managed_cycle(request, slug, number)
    status = request.GET.get("status", "")
    return render(request, "awards/manage.html", {
        "cycle": cycle, "programme": cycle.programme, "status": status,
        "statuses": Nomination.Status.choices,
        "nominations": selectors.nominations_for_staff(cycle=cycle, status=status),
        "progress": selectors.judging_progress(cycle=cycle),
        "visits": selectors.visits_for_cycle(cycle=cycle),
    })


@require_http_methods(["GET", "POST"])
def manage_nomination(request, slug: str, number: int, nomination_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _managed_cycle(request, slug, number)
    nomination = get_object_or_404(
        Nomination.objects.select_related("category", "applicant", "nominee_person", "nominee_organization",
                                          "cycle__programme"),
        pk=nomination_id, cycle=cycle,
    )
    errors: dict = {}
    if request.method == "POST":
        action, data = request.POST.get("action"), request.POST
        try:
            if action == "screen":
                services.nomination_screen(nomination=nomination, user=request.user, decision=data.get("decision", ""),
                                           reason=data.get("reason", ""), complete_by=_local(data.get("complete_by")))
            elif action == "shortlist":
                services.nomination_shortlist(nomination=nomination, user=request.user)
            elif action == "extend":
                until = _local(data.get("until"))
                if until is None:
                    raise DomainError(_("Give a date and time."), field="until")
                services.extension_grant(nomination=nomination, user=request.user, until=until)
            elif action == "visit":
                starts, ends = _local(data.get("starts_at")), _local(data.get("ends_at"))
                if starts is None or ends is None:
                    raise DomainError(errors={"starts_at": [_("Give a date and time.")]} if starts is None else
                                      {"ends_at": [_("Give a date and time.")]})
                from django.contrib.auth import get_user_model

                assessors = list(get_user_model().objects.filter(pk__in=data.getlist("assessors")))
                services.visit_schedule(nomination=nomination, user=request.user, starts_at=starts, ends_at=ends,
                                        address=data.get("address", ""), assessors=assessors)
            else:
                raise DomainError(_("Unknown action."), field="action")
            messages.success(request, _("Saved."))
            return redirect("awards:manage_nomination", slug=slug, number=number, nomination_id=nomination.pk)
        except DomainError as exc:
            errors = _errors(exc)
    uploads = selectors.nomination_documents(nomination=nomination)
    visitors = (ProgrammeMember.objects.filter(programme=cycle.programme, role__in=["assessor", "judge"])
                .select_related("user").order_by("user__username"))
    return render(request, "awards/manage_nomination.html", {
        "cycle": cycle, "nomination": nomination, "errors": errors, "data": request.POST,
        "questions": [(q, nomination.answers.get(str(q.pk), "")) for q in nomination.category.questions.all()],
        "documents": [(d, uploads.get(d.pk, [])) for d in nomination.category.documents.all()],
        "events": nomination.events.select_related("by").all(),
        "visits": nomination.visits.prefetch_related("assessors").all(),
        "visitors": sorted({m.user for m in visitors}, key=lambda u: u.username),
    }, status=400 if errors else 200)


RESULT_ACTIONS = {
    "finalize": services.results_finalize,
    "reopen": services.results_reopen,
    "approve": services.results_approve,
    "withdraw": services.results_approval_withdraw,
    "publish": services.results_publish,
}


@require_http_methods(["GET", "POST"])
def manage_results(request, slug: str, number: int):
    """The committee's results page: computed ranking and tiers, flags, and the steps to publish."""
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(slug, number)
    is_committee = permissions.is_committee_member(request.user, cycle)
    if not (permissions.can_manage(request.user, cycle.programme_id) or is_committee):
        raise Http404
    errors: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "order":
                ids = [int(i) for i in request.POST.get("order", "").replace(" ", "").split(",") if i.isdigit()]
                services.winners_order_set(cycle=cycle, user=request.user, ids=ids)
            elif action in RESULT_ACTIONS:
                RESULT_ACTIONS[action](cycle=cycle, user=request.user)
            else:
                raise DomainError(_("Unknown action."), field="action")
            messages.success(request, _("Saved."))
            return redirect("awards:manage_results", slug=slug, number=number)
        except DomainError as exc:
            errors = _errors(exc)
            cycle.refresh_from_db()
    results = selectors.results_table(cycle=cycle)
    preview = []
    if cycle.results == Cycle.Results.PENDING and permissions.is_chair(request.user, cycle):
        preview = services.results_compute(cycle=cycle, programme=cycle.programme)
    committee = services.committee_ids(cycle)
    approvals = list(cycle.approvals.select_related("user__person"))
    return render(request, "awards/manage_results.html", {
        "cycle": cycle, "programme": cycle.programme, "results": results, "errors": errors,
        "is_committee": is_committee, "committee_size": len(committee), "approvals": approvals,
        "majority": len(committee) // 2 + 1,
        "has_approved": any(a.user_id == request.user.pk for a in approvals),
        "preview_count": len(preview),
        "winners": [r for r in results if r.is_winner],
        "is_chair": permissions.is_chair(request.user, cycle),
        "is_owner": permissions.is_owner(request.user, cycle.programme_id),
    }, status=400 if errors else 200)


@require_safe
def report(request, slug: str, number: int):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _managed_cycle(request, slug, number)
    return render(request, "awards/report.html", {"cycle": cycle, "report": selectors.cycle_report(cycle=cycle)})


@require_safe
def export(request, slug: str, number: int, what: str, fmt: str):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _managed_cycle(request, slug, number)
    if what not in exports.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    content, content_type = exports.render_table(cycle=cycle, what=what, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{cycle.programme.slug}-{cycle.number}-{what}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- judges ---------------------------------------------------------------------------------------


@require_safe
def judge_dashboard(request, slug: str, number: int):
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(slug, number)
    groups = selectors.judge_dashboard(user=request.user, cycle=cycle)
    if not groups:
        raise Http404
    return render(request, "awards/judge_dashboard.html", {
        "cycle": cycle, "programme": cycle.programme, "groups": groups, "blind": cycle.programme.blind_judging,
    })


@require_http_methods(["GET", "POST"])
def judge_score(request, nomination_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    nomination = get_object_or_404(
        Nomination.objects.select_related("cycle__programme", "category", "nominee_person__organization",
                                          "nominee_organization"),
        pk=nomination_id,
    )
    allowed, _why = permissions.judge_may_score(request.user, nomination)
    if not allowed:
        raise Http404  # a judge never sees another category's entries or a conflicted one
    errors: dict = {}
    posted = {}
    if request.method == "POST":
        if request.POST.get("action") == "conflict":
            services.conflict_declare(nomination=nomination, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Your conflict of interest was recorded; the entry is no longer shown to you."))
            return redirect("awards:judge", slug=nomination.cycle.programme.slug, number=nomination.cycle.number)
        parents = dict(Criterion.objects.filter(category=nomination.category_id).values_list("id", "parent_id"))
        sheets: dict = {}
        for key, value in request.POST.items():
            posted[key] = value
            kind, _sep, raw_id = key.partition("_")
            cid = int(raw_id) if raw_id.isdigit() else None
            if kind == "criterion" and cid is not None:
                sheets.setdefault(cid, {})["points"] = value
            elif kind == "comment" and cid is not None:
                sheets.setdefault(cid, {})["comment"] = value
            elif kind == "sub" and parents.get(cid):
                sheets.setdefault(parents[cid], {}).setdefault("parts", {})[cid] = value
        try:
            services.score_sheets_save(nomination=nomination, user=request.user, sheets=sheets)
            messages.success(request, _("Your scores were saved."))
            return redirect("awards:judge_score", nomination_id=nomination.pk)
        except DomainError as exc:
            errors = _errors(exc)
    criteria = selectors.cycle_categories(cycle=nomination.cycle)
    category = next(c for c in criteria if c.pk == nomination.category_id)
    sheets = selectors.judge_sheets(user=request.user, nomination=nomination)
    uploads = selectors.nomination_documents(nomination=nomination)
    return render(request, "awards/judge_score.html", {
        "nomination": nomination, "cycle": nomination.cycle, "category": category, "sheets": sheets,
        "errors": errors, "posted": posted, "blind": nomination.cycle.programme.blind_judging,
        "questions": [(q, nomination.answers.get(str(q.pk), "")) for q in category.questions.all()],
        "documents": [(d, uploads.get(d.pk, [])) for d in category.documents.all()],
        "finalized": nomination.cycle.results != Cycle.Results.PENDING,
    }, status=400 if errors else 200)


# -- assessors ------------------------------------------------------------------------------------


@require_safe
def visits(request):
    if (response := _signed_in(request)) is not None:
        return response
    return render(request, "awards/visits.html", {"visits": selectors.visits_for_assessor(user=request.user)})


@require_http_methods(["GET", "POST"])
def visit_report(request, visit_id: int):
    """The assessor's phone page: checklist per criterion, report, adjustment, photos."""
    if (response := _signed_in(request)) is not None:
        return response
    visit = get_object_or_404(
        FieldVisit.objects.select_related("nomination__cycle__programme", "nomination__category",
                                          "nomination__nominee_person", "nomination__nominee_organization"),
        pk=visit_id,
    )
    if not permissions.is_visit_assessor(request.user, visit):
        raise Http404
    errors: dict = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "photo":
                upload = request.FILES.get("photo")
                if upload is None:
                    raise DomainError(_("Choose a photo."), field="photo")
                services.visit_photo_add(visit=visit, user=request.user, upload=upload,
                                         caption=request.POST.get("caption", ""))
                messages.success(request, _("The photo was added."))
            else:
                checks = {}
                for line in visit.checks.all():
                    value = request.POST.get(f"check_{line.criterion_id}", "")
                    checks[line.criterion_id] = ({"yes": True, "no": False}.get(value),
                                                 request.POST.get(f"note_{line.criterion_id}", ""))
                services.visit_report(
                    visit=visit, user=request.user, report=request.POST.get("report", ""), checks=checks,
                    score_adjustment=request.POST.get("score_adjustment") or 0,
                    adjustment_reason=request.POST.get("adjustment_reason", ""),
                )
                messages.success(request, _("Your report was saved."))
            return redirect("awards:visit_report", visit_id=visit.pk)
        except DomainError as exc:
            errors = _errors(exc)
    return render(request, "awards/visit_report.html", {
        "visit": visit, "nomination": visit.nomination, "errors": errors, "data": request.POST,
        "checks": visit.checks.select_related("criterion").all(), "photos": visit.photos.all(),
    }, status=400 if errors else 200)


@require_safe
def visit_photo(request, photo_id: int, size: str):
    photo = get_object_or_404(VisitPhoto.objects.select_related("visit__nomination__cycle"), pk=photo_id)
    visit = photo.visit
    if not (permissions.is_visit_assessor(request.user, visit)
            or permissions.can_manage(request.user, visit.nomination.cycle.programme_id)):
        raise Http404
    image = photo.thumbnail if size == "thumb" else photo.image
    return _attachment(image.open("rb"), filename=f"visit-{visit.pk}-{photo.pk}.jpg", content_type="image/jpeg",
                       inline=True)

