"""The speaker portal and the organizers' paper pages.

Files are never linked from MEDIA_URL: every download goes through a view
here that checks who is asking, and answers with Content-Disposition:
attachment and the file's real type.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from forum import formatting as fmt
from forum import permissions as forum_permissions
from forum.errors import DomainError
from forum.models import Forum

from . import selectors, services
from .forms import (
    AssignReviewerForm,
    CriterionForm,
    DecisionForm,
    EmailChangeForm,
    ExtensionForm,
    InviteForm,
    PaperDetailsForm,
    ProfileForm,
    ReviewForm,
    SettingsForm,
    UploadForm,
)
from .models import Invitation, PaperFile, ProceedingsJob, ReviewAssignment, WorkingPaper
from .uploads import SizeLimitUploadHandler, too_large_error


def _attachment(fh, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
    # Even if a browser ignored the attachment, nothing in it may run.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _portal_person(request):
    return selectors.person_for_user(request.user)


def _error_messages(exc: DomainError) -> list[str]:
    return [m for ms in exc.errors.values() for m in ms]


# -- signing in -----------------------------------------------------------------------------


def invitation_open(request, token: str):
    """The personal link from the e-mail: sign the person in and take them to the portal."""
    try:
        invitation, user = services.invitation_sign_in(token=token)
    except DomainError as exc:
        response = render(
            request, "speakers/link_refused.html", {"message": _error_messages(exc)[0], "code": exc.code}, status=403
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The token leaves the address bar at once; the next page loads without it.
    response = redirect(reverse("speakers:portal") + f"#invitation-{invitation.pk}")
    response["Referrer-Policy"] = "no-referrer"
    return response


def sign_in(request):
    """The portal's old sign-in address: the product has one sign-in page (settings.LOGIN_URL)."""
    return redirect_to_login(request.GET.get("next") or reverse("speakers:portal"))


@require_POST
def sign_out(request):
    logout(request)
    return redirect(settings.LOGIN_URL)


def _require_user(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


# -- the portal -------------------------------------------------------------------------------


@require_safe
def portal(request):
    if (response := _require_user(request)) is not None:
        return response
    person = _portal_person(request)
    context = {
        "person": person,
        "invitations": [],
        "sessions": [],
        "papers": [],
        "chaired_papers": [],
        "reviews": list(selectors.reviews_for_reviewer(user=request.user)),
        "managed_forums": list(Forum.objects.filter(team__user=request.user).order_by("-first_day")),
    }
    if person is not None:
        papers = list(selectors.papers_for_person(person=person))
        chaired = list(selectors.papers_chaired_by(person=person))
        for paper in papers + chaired:
            _decorate_paper(paper, request.user)
        context.update(
            invitations=list(selectors.invitations_for_person(person=person)),
            sessions=list(selectors.sessions_for_person(person=person)),
            papers=papers,
            chaired_papers=chaired,
        )
    from .signals import portal_sections

    context["sections"] = [html for _receiver, html in portal_sections.send(sender=None, person=person, request=request)
                           if html]
    return render(request, "speakers/portal.html", context)


def _decorate_paper(paper: WorkingPaper, user) -> None:
    files = list(paper.files.all())
    paper.paper_versions = [f for f in files if f.role == PaperFile.Role.PAPER]
    paper.slide_versions = [f for f in files if f.role == PaperFile.Role.SLIDES]
    settings = selectors.paper_settings_for(forum=paper.forum)
    paper.deadline = selectors.paper_deadline(paper=paper, settings=settings)
    paper.upload_open = services.upload_allowed_now(paper=paper, user=user)
    paper.extended = bool(paper.extended_until and settings.deadline and paper.extended_until > settings.deadline)
    paper.accepted_labels = ", ".join(str(k).upper() for k in settings.accepted_kinds)
    paper.max_mb = settings.max_upload_mb


@require_POST
def invitation_respond(request, invitation_id: int):
    if (response := _require_user(request)) is not None:
        return response
    person = _portal_person(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, person=person) if person else None
    if invitation is None:
        raise Http404
    accept = request.POST.get("answer") == "accept"
    try:
        services.invitation_respond(invitation=invitation, person=person, accept=accept)
        messages.success(request, _("Thank you; your reply was recorded."))
    except DomainError as exc:
        messages.error(request, _error_messages(exc)[0])
    return redirect("speakers:portal")


def profile(request):
    if (response := _require_user(request)) is not None:
        return response
    person = _portal_person(request)
    if person is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "email":
        return _profile_email(request, person)
    form = ProfileForm.for_person(person, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None) or None
        org = data.pop("organization_name", None)
        try:
            services.profile_update(person=person, organization_name=org, photo=photo, **data)
            messages.success(request, _("Your profile was saved."))
            return redirect("speakers:profile")
        except DomainError as exc:
            for key, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error("photo" if key == "file" else (key if key in form.fields else None), m)
    return _profile_page(request, person, form, EmailChangeForm())


def _profile_page(request, person, form, email_form, status=200):
    thumb = getattr(person, "photo_thumbnail", None) if person.photo else None
    return render(
        request, "speakers/profile.html",
        {"form": form, "person": person, "thumbnail": thumb, "email_form": email_form}, status=status,
    )


def _profile_email(request, person):
    """The person asks to change their e-mail: a confirmation link goes to the new address."""
    email_form = EmailChangeForm(request.POST)
    if email_form.is_valid():
        try:
            services.profile_email_change_request(person=person, new_email=email_form.cleaned_data["email"])
            messages.success(request, _("We sent a confirmation link to the new address; your e-mail changes "
                                        "when you open it. Your current address was told."))
            return redirect("speakers:profile")
        except DomainError as exc:
            for msgs in exc.errors.values():
                for m in msgs:
                    email_form.add_error("email", m)
    return _profile_page(request, person, ProfileForm.for_person(person), email_form, status=400)


@require_safe
def email_confirm(request, token: str):
    """The link from the confirmation e-mail: the new address proved, the change is made."""
    try:
        services.profile_email_change_confirm(token=token)
    except DomainError as exc:
        response = render(
            request, "speakers/link_refused.html", {"message": _error_messages(exc)[0], "code": exc.code}, status=403
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
    messages.success(request, _("Your e-mail address was changed."))
    response = redirect("speakers:profile" if request.user.is_authenticated else "speakers:portal")
    response["Referrer-Policy"] = "no-referrer"
    return response


def _paper_for_reader(request, paper_id: int) -> WorkingPaper:
    paper = get_object_or_404(WorkingPaper.objects.select_related("forum", "session__hall"), pk=paper_id)
    if not selectors.user_can_read_paper_files(request.user, paper):
        raise Http404  # not even confirmed to exist
    return paper


@csrf_exempt  # only to add the size limit before the body is read; csrf_protect checks it below
def paper_detail(request, paper_id: int):
    if (response := _require_user(request)) is not None:
        return response
    paper = _paper_for_reader(request, paper_id)
    limiter = None
    if request.method == "POST":
        max_bytes = selectors.paper_settings_for(forum=paper.forum).max_upload_bytes
        limiter = SizeLimitUploadHandler(request, limit=max_bytes)
        request.upload_handlers.insert(0, limiter)
    return _paper_detail(request, paper, limiter)


@csrf_protect
def _paper_detail(request, paper: WorkingPaper, limiter: SizeLimitUploadHandler | None):
    can_upload = selectors.user_can_upload(request.user, paper)
    upload_errors: dict[str, list[str]] = {}
    details_form = PaperDetailsForm(instance=paper) if can_upload else None
    if request.method == "POST":
        if not can_upload:
            return HttpResponseForbidden(_("You cannot change this paper."))
        request.POST  # noqa: B018 - parse the body now, through the size limit
        if limiter is not None and limiter.exceeded_at is not None:
            role = request.POST.get("role", "paper")
            upload_errors[role] = _error_messages(too_large_error(max_bytes=limiter.limit))
        elif request.POST.get("action") == "details":
            details_form = PaperDetailsForm(request.POST, instance=WorkingPaper.objects.get(pk=paper.pk))
            if details_form.is_valid():
                try:
                    services.paper_update(
                        paper=paper, user=request.user,
                        **{k: details_form.cleaned_data[k] for k in PaperDetailsForm.Meta.fields},
                    )
                    messages.success(request, _("Saved."))
                    return redirect("speakers:paper", paper_id=paper.pk)
                except DomainError as exc:
                    for key, msgs in exc.errors.items():
                        for m in msgs:
                            details_form.add_error(key if key in details_form.fields else None, m)
        else:
            form = UploadForm(request.POST, request.FILES)
            role = request.POST.get("role", "paper")
            if form.is_valid():
                try:
                    stored = services.paper_file_upload(
                        paper=paper, user=request.user, upload=form.cleaned_data["file"], role=form.cleaned_data["role"]
                    )
                    messages.success(
                        request, _("Version %(version)s was uploaded.") % {"version": stored.version}
                    )
                    return redirect("speakers:paper", paper_id=paper.pk)
                except DomainError as exc:
                    upload_errors[role] = _error_messages(exc)
            else:
                upload_errors[role] = [m for ms in form.errors.values() for m in ms]
    paper = (
        WorkingPaper.objects.select_related("forum__paper_settings", "session__hall")
        .prefetch_related("files__uploaded_by__person", "speakers__organization")
        .get(pk=paper.pk)
    )
    _decorate_paper(paper, request.user)
    return render(
        request, "speakers/paper.html",
        {
            "paper": paper, "can_upload": can_upload, "upload_errors": upload_errors, "details_form": details_form,
            "is_speaker": selectors.user_is_paper_speaker(request.user, paper),
        },
        status=400 if upload_errors else 200,
    )


@require_safe
def file_download(request, file_id: int):
    """A version of a paper or slides, for those who may read the paper's files."""
    stored = get_object_or_404(PaperFile.objects.select_related("paper__forum"), pk=file_id)
    if not selectors.user_can_read_paper_files(request.user, stored.paper):
        raise Http404
    return _attachment(stored.file.open("rb"), filename=stored.download_name, content_type=stored.content_type)


def paper_download(request, paper_id: int):
    """The public download of a published paper's final version; 404 for anything unpublished."""
    paper = get_object_or_404(WorkingPaper.objects.select_related("forum"), pk=paper_id)
    if not selectors.paper_is_published(paper=paper):
        raise Http404
    stored = selectors.paper_current_file(paper=paper)
    if stored is None:
        raise Http404
    filename = f"{(paper.title_en or paper.title_ar)[:80]}.{stored.kind}".replace("/", "-")
    return _attachment(stored.file.open("rb"), filename=filename, content_type=stored.content_type)


@require_safe
def session_ics(request, session_id: int):
    """The person's own session as an .ics file, from the project's single iCalendar builder."""
    if (response := _require_user(request)) is not None:
        return response
    from sessions import ics
    from sessions.selectors import agenda_snapshot_build

    person = _portal_person(request)
    if person is None:
        raise Http404
    session = next((s for s in selectors.sessions_for_person(person=person) if s.pk == session_id), None)
    if session is None:
        raise Http404
    snapshot = agenda_snapshot_build(forum=session.forum)
    chosen = [s for s in snapshot["sessions"] if s["id"] == session_id]
    body = ics.calendar_bytes(
        snapshot, chosen, method="PUBLISH", name=session.forum.title,
        attendee={"email": person.email, "name": person.display_name, "person_id": person.pk,
                  "language": person.preferred_language} if person.email else None,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session_id}.ics"'
    return response


def review(request, assignment_id: int):
    if (response := _require_user(request)) is not None:
        return response
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("paper__forum", "paper__session"), pk=assignment_id,
        reviewer=request.user,
    )
    paper = assignment.paper
    criteria = selectors.criteria_for_forum(forum=paper.forum)
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and not assignment.is_submitted and form.is_valid():
        try:
            services.review_submit(
                assignment=assignment, user=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("Your review was submitted."))
            return redirect("speakers:review", assignment_id=assignment.pk)
        except DomainError as exc:
            for key, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(key if key in form.fields else None, m)
    return render(
        request, "speakers/review.html",
        {
            "assignment": assignment, "paper": paper, "form": form,
            "reviews": selectors.paper_reviews(paper=paper, for_user=request.user),
            "current_file": selectors.paper_current_file(paper=paper),
        },
    )


# -- organizers -------------------------------------------------------------------------------


def _team_forum(request, forum_slug: str) -> Forum:
    forum = forum_permissions.forum_for_page(request.user, forum_slug)
    timezone.activate(forum.tzinfo)
    return forum


def _require_edit(request, forum: Forum):
    if not forum_permissions.can_edit_forum(request.user, forum):
        return HttpResponseForbidden(_("Only the forum's owners and editors may do this."))
    return None


def manage_dashboard(request, forum_slug: str):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    invite_form = InviteForm(forum=forum, user=request.user, prefix="invite") if can_edit else None
    if request.method == "POST":
        if (refused := _require_edit(request, forum)) is not None:
            return refused
        invite_form = InviteForm(request.POST, forum=forum, user=request.user, prefix="invite")
        if invite_form.is_valid():
            data = invite_form.cleaned_data
            try:
                services.invitation_create(
                    forum=forum, session=data["session"], person=data["person"], role=data["role"],
                    invited_by=request.user, paper_title_ar=data["paper_title_ar"],
                    paper_title_en=data["paper_title_en"], message=data["message"],
                )
                messages.success(request, _("The invitation was sent."))
                return redirect("speakers:manage", forum_slug=forum.slug)
            except DomainError as exc:
                for key, msgs in exc.errors.items():
                    for m in msgs:
                        invite_form.add_error(key if key in invite_form.fields else None, m)
    statuses = selectors.forum_dashboard(forum=forum)
    return render(
        request, "speakers/manage/dashboard.html",
        {
            "forum": forum, "can_edit": can_edit, "statuses": statuses,
            "papers": list(selectors.papers_for_forum(forum=forum)), "invite_form": invite_form,
            "paper_settings": selectors.paper_settings_for(forum=forum),
            "show_contact": forum_permissions.can_view_personal_data(request.user, forum),
            "contact_ids": forum_permissions.contact_visible_ids(
                request.user, {part.person.pk for st in statuses for part in st.parts}
            ),
        },
    )


@require_POST
def manage_remind(request, forum_slug: str):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    if (refused := _require_edit(request, forum)) is not None:
        return refused
    count = services.reminders_send(forum=forum, user=request.user)
    messages.success(request, _("Reminders sent to %(count)s people.") % {"count": count})
    return redirect("speakers:manage", forum_slug=forum.slug)


@require_POST
def manage_revoke(request, forum_slug: str, invitation_id: int):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    if (refused := _require_edit(request, forum)) is not None:
        return refused
    services.invitation_revoke(invitation=get_object_or_404(Invitation, pk=invitation_id, forum=forum))
    messages.success(request, _("The invitation was withdrawn; its link no longer works."))
    return redirect("speakers:manage", forum_slug=forum.slug)


def manage_settings(request, forum_slug: str):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    current = selectors.paper_settings_for(forum=forum)
    form = SettingsForm(instance=current)
    criterion_form = CriterionForm(prefix="criterion")
    if request.method == "POST":
        if (refused := _require_edit(request, forum)) is not None:
            return refused
        if request.POST.get("action") == "criterion":
            criterion_form = CriterionForm(request.POST, prefix="criterion")
            if criterion_form.is_valid():
                try:
                    services.criterion_create(forum=forum, user=request.user, **criterion_form.cleaned_data)
                    return redirect("speakers:manage_settings", forum_slug=forum.slug)
                except DomainError as exc:
                    criterion_form.add_error(None, _error_messages(exc)[0])
        else:
            form = SettingsForm(request.POST, instance=selectors.paper_settings_for(forum=forum))
            if form.is_valid():
                try:
                    services.paper_settings_update(
                        forum=forum, user=request.user, **{k: form.cleaned_data[k] for k in SettingsForm.Meta.fields}
                    )
                    messages.success(request, _("The paper settings were saved."))
                    return redirect("speakers:manage_settings", forum_slug=forum.slug)
                except DomainError as exc:
                    for key, msgs in exc.errors.items():
                        for m in msgs:
                            form.add_error(key if key in form.fields else None, m)
    return render(
        request, "speakers/manage/settings.html",
        {"forum": forum, "form": form, "can_edit": can_edit, "criterion_form": criterion_form,
         "criteria": selectors.criteria_for_forum(forum=forum)},
    )


def manage_paper(request, forum_slug: str, paper_id: int):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    paper = get_object_or_404(WorkingPaper, pk=paper_id, forum=forum)
    can_edit = forum_permissions.can_edit_forum(request.user, forum)
    decision_form, extension_form, assign_form = DecisionForm(), ExtensionForm(), AssignReviewerForm()
    if request.method == "POST":
        if (refused := _require_edit(request, forum)) is not None:
            return refused
        action = request.POST.get("action")
        try:
            if action == "decide":
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    services.paper_decide(paper=paper, user=request.user, **decision_form.cleaned_data)
                    messages.success(request, _("The decision was recorded and the speakers were told."))
                    return redirect("speakers:manage_paper", forum_slug=forum.slug, paper_id=paper.pk)
            elif action == "extend":
                extension_form = ExtensionForm(request.POST)
                if extension_form.is_valid():
                    services.paper_extension_grant(
                        paper=paper, until=extension_form.cleaned_data["until"], granted_by=request.user
                    )
                    messages.success(request, _("The extension was granted."))
                    return redirect("speakers:manage_paper", forum_slug=forum.slug, paper_id=paper.pk)
            elif action == "assign":
                assign_form = AssignReviewerForm(request.POST)
                if assign_form.is_valid():
                    services.review_assign(
                        paper=paper, reviewer=assign_form.cleaned_data["reviewer"], assigned_by=request.user
                    )
                    messages.success(request, _("The reviewer was assigned."))
                    return redirect("speakers:manage_paper", forum_slug=forum.slug, paper_id=paper.pk)
        except DomainError as exc:
            messages.error(request, _error_messages(exc)[0])
    paper = (
        WorkingPaper.objects.select_related("session__hall", "decided_by")
        .prefetch_related("files__uploaded_by__person", "speakers__organization")
        .get(pk=paper.pk)
    )
    _decorate_paper(paper, request.user)
    return render(
        request, "speakers/manage/paper.html",
        {
            "forum": forum, "paper": paper, "can_edit": can_edit, "reviews": selectors.paper_reviews(paper=paper),
            "decision_form": decision_form, "extension_form": extension_form, "assign_form": assign_form,
            "published": selectors.paper_is_published(paper=paper),
        },
    )


def manage_proceedings(request, forum_slug: str):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    if request.method == "POST":
        if (refused := _require_edit(request, forum)) is not None:
            return refused
        try:
            services.proceedings_request(forum=forum, user=request.user, digits=fmt.digits_of_request(request))
        except Exception:  # a failed build is recorded on its job and shown below
            messages.error(request, _("The proceedings could not be built; see the error below."))
        return redirect("speakers:manage_proceedings", forum_slug=forum.slug)
    jobs = list(ProceedingsJob.objects.filter(forum=forum)[:10])
    return render(
        request, "speakers/manage/proceedings.html",
        {
            "forum": forum, "jobs": jobs, "can_edit": forum_permissions.can_edit_forum(request.user, forum),
            "in_progress": any(j.status in (ProceedingsJob.Status.QUEUED, ProceedingsJob.Status.RUNNING) for j in jobs),
        },
    )


def proceedings_download(request, forum_slug: str, job_id: int):
    if (response := _require_user(request)) is not None:
        return response
    forum = _team_forum(request, forum_slug)
    job = get_object_or_404(ProceedingsJob, pk=job_id, forum=forum, status=ProceedingsJob.Status.DONE)
    return _attachment(job.file.open("rb"), filename=f"proceedings-{forum.slug}.pdf", content_type="application/pdf")
