"""Pages of the call: the public call page, the submitter portal (sign-in by e-mailed link, drafts
that autosave, edit, withdraw, confirm), the reviewers' list, and the organizers' pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import formatting as fmt
from forum import permissions as forum_permissions
from forum.errors import DomainError
from forum.models import Forum
from forum.spreadsheets import export_csv, export_xlsx, safe_cell
from sessions.models import Session
from speakers import selectors as speaker_selectors
from speakers.models import CONTENT_TYPES

from . import selectors, services
from .forms import (
    COAUTHOR_FIELDS,
    HONORIFICS,
    CallForm,
    DecisionForm,
    SignInForm,
    SubmissionForm,
    TemplateForm,
    TypeForm,
    coauthor_rows,
)
from .models import Call, Outcome, Submission, ThemeReviewer

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _lang() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _call(request, forum_slug: str) -> Call:
    forum = get_object_or_404(Forum, slug=forum_slug)
    if not (forum.is_public or forum_permissions.can_view_drafts(request.user, forum)):
        raise Http404
    call = Call.objects.select_related("forum").filter(forum=forum).first()
    if call is None:
        raise Http404
    return call


def _organizer_call(request, forum_slug: str) -> Call:
    call = _call(request, forum_slug)
    if not forum_permissions.can_edit_forum(request.user, call.forum):
        raise Http404
    return call


def _when(call: Call, value) -> dict | None:
    """A moment in the forum's time zone, Hijri beside Gregorian."""
    if value is None:
        return None
    local = value.astimezone(call.forum.tzinfo)
    lang = _lang()
    return {"hijri": fmt.hijri_date(local.date(), lang, weekday=True), "gregorian": fmt.gregorian_date(local.date(),
            lang), "time": local.strftime("%H:%M:%S"), "tz": call.forum.time_zone, "iso": local.isoformat()}


def _posted_id(request) -> int | None:
    raw = (request.POST.get("submission") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _state(call: Call) -> str:
    now = timezone.now()
    return "not_yet" if now < call.opens_at else ("open" if now < call.closes_at else "closed")


def _add_errors(form, exc: DomainError) -> list[str]:
    """Field messages go to their fields; the rest (co-authors, general) are returned for the page."""
    other = []
    for key, msgs in exc.errors.items():
        for m in msgs:
            if form is not None and key in form.fields:
                form.add_error(key, m)
            else:
                other.append(m)
    return other


def _coauthor_row_errors(rows: list[dict], exc: DomainError) -> DomainError:
    """A co-author row's messages (coauthors.N) go beside that row; the rest is returned as it was."""
    rest = {}
    for key, msgs in exc.errors.items():
        head, _dot, index = key.partition(".")
        if head == "coauthors" and index.isdigit() and int(index) < len(rows):
            rows[int(index)]["errors"] = list(msgs)
        else:
            rest[key] = msgs
    return DomainError(errors=rest, code=exc.code)


# -- public call page and signing in -----------------------------------------------------------


def _call_context(request, call: Call, form=None) -> dict:
    return {"call": call, "forum": call.forum, "types": list(call.types.all()),
            "themes": list(call.forum.tracks.all()), "opens": _when(call, call.opens_at),
            "closes": _when(call, call.closes_at), "state": _state(call), "form": form or SignInForm(),
            "signed_in": speaker_selectors.person_for_user(request.user) is not None}


@require_safe
def call_page(request, forum_slug: str):
    call = _call(request, forum_slug)
    return render(request, "calls/call.html", _call_context(request, call))


@require_POST
def sign_in(request, forum_slug: str):
    call = _call(request, forum_slug)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return render(request, "calls/call.html", _call_context(request, call, form), status=400)
    try:
        services.sign_in_link_send(call=call, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                                   ip=_ip(request), honeypot=form.cleaned_data["website"])
    except DomainError as exc:
        for m in _add_errors(form, exc):
            form.add_error(None, m)
        return render(request, "calls/call.html", _call_context(request, call, form), status=exc.status_code)
    return render(request, "calls/link_sent.html", {"call": call, "forum": call.forum,
                                                    "email": form.cleaned_data["email"]})


@require_safe
def link_open(request, token: str):
    try:
        user, call = services.sign_in_link_user(token=token)
    except DomainError as exc:
        response = render(request, "calls/refused.html", {"message": next(iter(exc.errors.values()))[0]},
                          status=403)
        response["Referrer-Policy"] = "no-referrer"
        return response
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    login(request, user, backend=BACKEND)
    response = redirect("calls:portal", forum_slug=call.forum.slug)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def coauthor_confirm(request, token: str):
    """GET shows the question (mail scanners open links); POST confirms."""
    try:
        if request.method == "GET":
            coauthor = services.coauthor_for_token(token)
            return render(request, "calls/coauthor.html", {"coauthor": coauthor, "done": bool(coauthor.confirmed_at)})
        coauthor = services.coauthor_confirm(token=token)
    except DomainError as exc:
        return render(request, "calls/refused.html", {"message": next(iter(exc.errors.values()))[0]}, status=403)
    return render(request, "calls/coauthor.html", {"coauthor": coauthor, "done": True})


# -- the submitter portal ------------------------------------------------------------------------


def _person_or_refuse(request):
    person = speaker_selectors.person_for_user(request.user)
    if person is None:
        raise Http404
    return person


@require_safe
def portal(request, forum_slug: str):
    call = _call(request, forum_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = speaker_selectors.person_for_user(request.user)
    subs = list(selectors.submissions_for_person(person=person, call=call))
    for sub in subs:
        sub.confirm_when = _when(call, sub.confirm_by)
    return render(request, "calls/portal.html", {"call": call, "forum": call.forum, "submissions": subs,
                                                 "state": _state(call), "closes": _when(call, call.closes_at),
                                                 "person": person})


def _edit_context(call, form, submission, coauthors, errors=()):
    rows = list(coauthors) + [{} for _n in range(max(1, 3 - len(coauthors)))]
    return {"call": call, "forum": call.forum, "form": form, "submission": submission, "coauthor_rows": rows,
            "honorifics": HONORIFICS, "errors": list(errors), "state": _state(call),
            "closes": _when(call, call.closes_at), "editable": submission is None or submission.status in (
                Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.UNDER_REVIEW)}


@require_http_methods(["GET", "POST"])
def submission_edit(request, forum_slug: str, submission_id: int | None = None):
    call = _call(request, forum_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = _person_or_refuse(request)
    submission = None
    # A draft already saved on this page (by autosave, or by a refused save) is edited, never duplicated.
    if submission_id is None and request.method == "POST":
        submission_id = _posted_id(request)
    if submission_id is not None:
        submission = get_object_or_404(Submission.objects.select_related("type", "theme"), pk=submission_id,
                                       call=call, submitter=person)
    if request.method == "GET":
        initial = {}
        if submission is not None:
            initial = {f: getattr(submission, f) for f in ("title_ar", "title_en", "abstract_ar", "abstract_en",
                                                             "keywords")}
            initial.update(type=submission.type_id, theme=submission.theme_id)
        form = SubmissionForm(call=call, initial=initial)
        coauthors = [{f: getattr(c, f) for f in COAUTHOR_FIELDS} | {"confirmed": c.confirmed_at is not None}
                     for c in submission.coauthors.all()] if submission else []
        return render(request, "calls/edit.html", _edit_context(call, form, submission, coauthors))
    action = request.POST.get("action", "save")
    try:
        if action == "withdraw" and submission is not None:
            services.submission_withdraw(submission=submission, person=person)
            messages.success(request, _("Your submission was withdrawn."))
            return redirect("calls:portal", forum_slug=call.forum.slug)
        if action == "confirm" and submission is not None:
            services.submission_confirm(submission=submission, person=person)
            messages.success(request, _("Thank you: your attendance is confirmed."))
            return redirect("calls:portal", forum_slug=call.forum.slug)
    except DomainError as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("calls:portal", forum_slug=call.forum.slug)
    form = SubmissionForm(request.POST, request.FILES, call=call)
    coauthors = coauthor_rows(request.POST, submission.coauthors.all() if submission else ())
    if not form.is_valid():
        return render(request, "calls/edit.html", _edit_context(call, form, submission, coauthors), status=400)
    data = form.cleaned_data
    try:
        submission = services.submission_save(
            call=call, person=person, submission=submission, type=data["type"], theme=data["theme"],
            coauthors=coauthors, upload=data["file"], honeypot=data["website"], ip=_ip(request),
            **{f: data[f] for f in ("title_ar", "title_en", "abstract_ar", "abstract_en", "keywords")},
        )
        if action == "submit" and submission.status == Submission.Status.DRAFT:
            services.submission_submit(submission=submission, person=person, ip=_ip(request))
            messages.success(request, _("Your submission was received. A receipt is on its way by e-mail."))
            return redirect("calls:portal", forum_slug=call.forum.slug)
    except DomainError as exc:
        submission = getattr(exc, "submission", None) or submission
        errors = _add_errors(form, _coauthor_row_errors(coauthors, exc))
        if submission is not None and submission.pk:
            submission.refresh_from_db()
        return render(request, "calls/edit.html", _edit_context(call, form, submission, coauthors, errors),
                      status=exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("calls:edit", forum_slug=call.forum.slug, submission_id=submission.pk)


@require_POST
def autosave(request, forum_slug: str):
    """The draft as it is being typed (no file): JSON {id} or {errors}."""
    call = _call(request, forum_slug)
    if not request.user.is_authenticated:
        return JsonResponse({"errors": {"non_field_errors": [_("Sign in again.")]}}, status=403)
    person = _person_or_refuse(request)
    submission = None
    if _posted_id(request) is not None:
        submission = get_object_or_404(Submission, pk=_posted_id(request), call=call, submitter=person)
    form = SubmissionForm(request.POST, call=call)
    form.is_valid()
    data = form.cleaned_data
    texts = {f: data.get(f, "") or "" for f in ("title_ar", "title_en", "abstract_ar", "abstract_en", "keywords")}
    live = submission is not None and submission.status != Submission.Status.DRAFT
    if live:
        return JsonResponse({"id": submission.pk, "saved": False})  # a submitted paper is saved by its button
    try:
        submission = services.submission_save(
            call=call, person=person, submission=submission, type=data.get("type"), theme=data.get("theme"),
            honeypot=data.get("website", ""), ip=_ip(request), **texts)
    except DomainError as exc:
        return JsonResponse({"errors": exc.errors}, status=exc.status_code)
    return JsonResponse({"id": submission.pk, "saved": True})


@require_safe
def submission_file(request, forum_slug: str, submission_id: int):
    call = _call(request, forum_slug)
    submission = get_object_or_404(Submission, pk=submission_id, call=call)
    if selectors.submission_visible_to(request.user, submission) not in ("author", "organizer") \
            or not submission.file:
        raise Http404
    response = FileResponse(submission.file.open("rb"), as_attachment=True,
                            filename=f"submission-{submission.pk}.{submission.file_kind}",
                            content_type=CONTENT_TYPES[submission.file_kind])
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- reviewers ----------------------------------------------------------------------------------


@require_safe
def reviewer_list(request, forum_slug: str):
    call = _call(request, forum_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    assignments = list(selectors.assignments_for_reviewer(user=request.user, call=call))
    return render(request, "calls/reviews.html", {"call": call, "forum": call.forum, "assignments": assignments,
                                                  "blind": call.blind_review})


# -- organizers ---------------------------------------------------------------------------------


def _local_datetime(call: Call, raw: str):
    """A date and time typed in the forum's time zone (datetime-local field), or a field error."""
    from datetime import datetime

    try:
        naive = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        raise DomainError(_("Enter a date and time."), field="confirm_by", code="invalid") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=call.forum.tzinfo)


def _emails_to_users(text: str):
    emails = [e.strip() for e in (text or "").replace("،", ",").replace("\n", ",").split(",") if e.strip()]
    users = list(get_user_model().objects.filter(email__in=emails))
    found = {u.email.lower() for u in users}
    missing = [e for e in emails if e.lower() not in found]
    return users, missing


@require_http_methods(["GET", "POST"])
def manage(request, forum_slug: str):
    call = _organizer_call(request, forum_slug)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                theme = call.forum.tracks.filter(pk=request.POST.get("theme") or 0).first()
                result = services.reviewers_assign_bulk(call=call, user=request.user, theme=theme)
                messages.success(request, _("%(n)s reviews assigned.") % {"n": result["assigned"]})
                if result["short"]:
                    messages.warning(request, _("Not enough reviewers without a conflict for: %(ids)s.")
                                     % {"ids": ", ".join(f"#{i}" for i in result["short"])})
            elif action == "confirm_by":
                value = _local_datetime(call, request.POST.get("confirm_by", ""))
                services.call_save(forum=call.forum, user=request.user, confirm_by=value)
                messages.success(request, _("Saved."))
            elif action == "release":
                n = services.decisions_release(call=call, user=request.user)
                messages.success(request, _("%(n)s decisions sent.") % {"n": n})
            elif action == "pool":
                theme = get_object_or_404(call.forum.tracks, pk=request.POST.get("theme"))
                users, missing = _emails_to_users(request.POST.get("reviewers", ""))
                services.theme_reviewers_set(call=call, theme=theme, reviewers=users, user=request.user)
                if missing:
                    messages.warning(request, _("No account with: %(emails)s.") % {"emails": ", ".join(missing)})
        except DomainError as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("calls:manage", forum_slug=call.forum.slug)
    pools: dict[int, list[str]] = {}
    for row in ThemeReviewer.objects.filter(call=call).select_related("reviewer"):
        pools.setdefault(row.theme_id, []).append(row.reviewer.email)
    themes = [{"theme": t, "pool": ", ".join(pools.get(t.pk, []))} for t in call.forum.tracks.all()]
    return render(request, "calls/manage.html", {
        "call": call, "forum": call.forum, "submissions": list(selectors.submissions_for_organizers(call=call)),
        "stats": selectors.statistics(call=call), "themes": themes, "closes": _when(call, call.closes_at),
        "confirm_by": _when(call, call.confirm_by),
        "confirm_by_input": call.confirm_by.astimezone(call.forum.tzinfo).strftime("%Y-%m-%dT%H:%M:%S")
        if call.confirm_by else "",
    })


@require_http_methods(["GET", "POST"])
def manage_submission(request, forum_slug: str, submission_id: int):
    call = _organizer_call(request, forum_slug)
    submission = get_object_or_404(selectors.submissions_for_organizers(call=call), pk=submission_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reviewer":
                users, missing = _emails_to_users(request.POST.get("reviewer", ""))
                if not users:
                    raise DomainError(_("No account with this e-mail."), field="reviewer")
                services.reviewer_assign(submission=submission, reviewer=users[0], user=request.user)
                messages.success(request, _("Reviewer assigned."))
            elif form.is_valid():
                services.submission_decide(submission=submission, outcome=form.cleaned_data["outcome"],
                                           user=request.user)
                messages.success(request, _("Decision recorded. It is sent when you release the decisions."))
        except DomainError as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("calls:manage_submission", forum_slug=call.forum.slug, submission_id=submission.pk)
    reviews = speaker_selectors.paper_reviews(paper=submission.paper) if submission.paper_id else None
    return render(request, "calls/manage_submission.html", {"call": call, "forum": call.forum,
                                                            "submission": submission, "form": form,
                                                            "reviews": reviews})


@require_safe
def manage_ranking(request, forum_slug: str):
    call = _organizer_call(request, forum_slug)
    return render(request, "calls/ranking.html", {"call": call, "forum": call.forum,
                                                  "groups": selectors.ranking(call=call), "outcomes": Outcome.choices})


@require_safe
def manage_statistics(request, forum_slug: str):
    call = _organizer_call(request, forum_slug)
    return render(request, "calls/statistics.html", {"call": call, "forum": call.forum,
                                                     "stats": selectors.statistics(call=call)})


@require_http_methods(["GET", "POST"])
def manage_templates(request, forum_slug: str):
    call = _organizer_call(request, forum_slug)
    outcome = request.POST.get("outcome") if request.method == "POST" else None
    forms_by_outcome = []
    status = 200
    for value, label in Outcome.choices:
        template = services.template_for(call, value)
        posted = request.method == "POST" and outcome == value
        form = TemplateForm(request.POST if posted else None, initial={
            "subject_ar": template.subject_ar, "subject_en": template.subject_en, "body_ar": template.body_ar,
            "body_en": template.body_en}, prefix=value)
        if posted and form.is_valid():
            try:
                services.template_save(call=call, outcome=value, user=request.user, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("calls:templates", forum_slug=call.forum.slug)
            except DomainError as exc:
                for m in _add_errors(form, exc):
                    form.add_error(None, m)
                status = 400
        elif posted:
            status = 400
        forms_by_outcome.append((value, label, form))
    return render(request, "calls/templates.html", {"call": call, "forum": call.forum, "forms": forms_by_outcome,
                                                    "placeholders": services.PLACEHOLDERS}, status=status)


@require_http_methods(["GET", "POST"])
def manage_unscheduled(request, forum_slug: str):
    """The builder's "accepted, not yet scheduled" list, each placed into a session from here."""
    call = _organizer_call(request, forum_slug)
    if request.method == "POST":
        submission = get_object_or_404(Submission, pk=request.POST.get("submission") or 0, call=call)
        session = get_object_or_404(Session, pk=request.POST.get("session") or 0, forum=call.forum)
        try:
            services.submission_place(submission=submission, session=session, user=request.user)
            messages.success(request, _("The paper was placed in the session."))
        except DomainError as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
            return redirect(back)  # back to the builder the paper was placed from
        return redirect("calls:unscheduled", forum_slug=call.forum.slug)
    return render(request, "calls/unscheduled.html", {
        "call": call, "forum": call.forum, "papers": list(selectors.accepted_unscheduled(forum=call.forum)),
        "sessions": list(Session.objects.filter(forum=call.forum).order_by("starts_at", "id")),
    })


@require_safe
def manage_export(request, forum_slug: str, fmt: str):
    call = _organizer_call(request, forum_slug)
    rows = [[safe_cell(v) for v in row] for row in selectors.export_rows(call=call)]
    if fmt == "csv":
        body, content_type = export_csv(rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = export_xlsx(rows, title="submissions")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{call.forum.slug}-submissions.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
def manage_settings(request, forum_slug: str):
    """Organizers create the call or change it, and add its submission types (times in the forum's zone)."""
    forum = forum_permissions.forum_for_page(request.user, forum_slug)
    if not forum_permissions.can_edit_forum(request.user, forum):
        raise Http404
    call = Call.objects.filter(forum=forum).first()
    tz = forum.tzinfo
    initial = {"title_ar": Call._meta.get_field("title_ar").default, "title_en": Call._meta.get_field(
        "title_en").default, "blind_review": True, "reviewers_per_submission": 2}
    if call is not None:
        initial = {f: getattr(call, f) for f in ("title_ar", "title_en", "rules_ar", "rules_en", "blind_review",
                                                   "reviewers_per_submission")}
        initial.update(opens_at=call.opens_at.astimezone(tz).replace(tzinfo=None),
                       closes_at=call.closes_at.astimezone(tz).replace(tzinfo=None))
    posted_call = request.method == "POST" and request.POST.get("action") == "call"
    posted_type = request.method == "POST" and request.POST.get("action") == "type"
    form = CallForm(request.POST if posted_call else None, initial=initial)
    type_form = TypeForm(request.POST if posted_type else None, prefix="type")
    status = 200
    try:
        if posted_call and form.is_valid():
            data = dict(form.cleaned_data)
            for key in ("opens_at", "closes_at"):  # what was typed is the forum's local time
                data[key] = data[key].replace(tzinfo=None).replace(tzinfo=tz)
            services.call_save(forum=forum, user=request.user, **data)
            messages.success(request, _("Saved."))
            return redirect("calls:settings", forum_slug=forum.slug)
        if posted_type and call is not None and type_form.is_valid():
            services.type_save(call=call, user=request.user, **type_form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("calls:settings", forum_slug=forum.slug)
    except DomainError as exc:
        target = form if posted_call else type_form
        for m in _add_errors(target, exc):
            target.add_error(None, m)
    if request.method == "POST":
        status = 400
    return render(request, "calls/settings.html", {"forum": forum, "call": call, "form": form,
                                                   "type_form": type_form,
                                                   "types": list(call.types.all()) if call else []}, status=status)
