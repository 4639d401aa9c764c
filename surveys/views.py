"""Survey pages: the attendee's answer page (phone-first, no JavaScript needed), the organizers'
set-up and results, a speaker's own scores."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forum import permissions as forum_permissions
from forum.errors import DomainError
from forum.models import Forum
from registration.selectors import _safe_cell, export_csv, export_xlsx

from . import selectors, services
from .forms import CopyForm, QuestionForm, StatusForm, SurveyForm
from .models import Question, Survey

REFUSAL_TEMPLATE = "surveys/refused.html"


def _rtl() -> bool:
    return not (get_language() or "ar").startswith("en")


def _fields(questions: list[Question], data=None, errors: dict | None = None) -> list[dict]:
    """What the answer form shows for each question, with the values the person gave (kept on a refusal)."""
    errors = errors or {}
    out = []
    for q in questions:
        name = f"q{q.pk}"
        given = [str(v) for v in (data.getlist(name) if data is not None else [])]
        if q.scale:
            low, high = q.scale
            options = [(str(n), str(n)) for n in range(low, high + 1)]
        else:
            options = [(str(i), label) for i, label in enumerate(q.choice_labels())]
        out.append({"question": q, "name": name, "options": [(v, label, v in given) for v, label in options],
                    "value": given[0] if given else "", "errors": errors.get(name, [])})
    return out


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError:
        raise Http404 from None
    survey = invitation.survey
    refusal = services.survey_refusal(survey, invitation)
    if refusal and request.method == "GET":
        return render(request, REFUSAL_TEMPLATE, {"survey": survey, "message": refusal.errors[next(iter(
            refusal.errors))][0], "code": refusal.code}, status=refusal.status_code)
    questions = list(survey.questions.order_by("order", "id"))
    if request.method == "POST":
        try:
            services.response_submit(token=token, data=request.POST)
        except (services.SurveyClosed, services.LinkUsed) as exc:
            return render(request, REFUSAL_TEMPLATE, {"survey": survey, "message": next(iter(exc.errors.values()))[0],
                                                      "code": exc.code}, status=exc.status_code)
        except DomainError as exc:
            return render(request, "surveys/answer.html", {
                "survey": survey, "fields": _fields(questions, request.POST, exc.errors), "refused": True,
            }, status=400)
        return render(request, "surveys/done.html", {"survey": survey})
    return render(request, "surveys/answer.html", {"survey": survey, "fields": _fields(questions)})


def _forum_for_team(request, slug: str) -> Forum:
    forum = get_object_or_404(Forum, slug=slug)
    if not forum_permissions.can_view_results(request.user, forum):
        if forum.is_public and request.user.is_authenticated:
            raise PermissionError
        raise Http404
    return forum


def _team_page(view):
    def wrapped(request, slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            forum = _forum_for_team(request, slug)
        except PermissionError:
            return HttpResponse(_("Only the forum's team sees this page."), status=403)
        if request.method == "POST" and not forum_permissions.can_edit_forum(request.user, forum):
            return HttpResponse(_("Only the forum's owners and editors change surveys."), status=403)
        return view(request, forum, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _add_errors(form, exc: DomainError) -> None:
    for field, msgs in exc.errors.items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "POST"])
@_team_page
def manage(request, forum: Forum):
    """The forum's surveys; owners and editors create one (the forum's or a session's)."""
    form = SurveyForm(request.POST or None, forum=forum)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(forum=forum, **form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            return redirect("surveys:edit", forum.slug, survey.pk)
    return render(request, "surveys/manage.html", {
        "forum": forum, "surveys": selectors.surveys_of_forum(forum=forum), "form": form,
        "can_edit": forum_permissions.can_edit_forum(request.user, forum),
    }, status=400 if form.errors else 200)


def _copy_sources(request, survey: Survey):
    """Surveys the user may copy questions from: those of forums whose team they are in, this one aside."""
    qs = Survey.objects.exclude(pk=survey.pk).select_related("forum").order_by("-forum__first_day", "id")
    if request.user.is_superuser:
        return qs
    return qs.filter(forum__team__user=request.user)


@require_http_methods(["GET", "POST"])
@_team_page
def edit(request, forum: Forum, survey_id: int):
    survey = get_object_or_404(Survey.objects.select_related("session"), pk=survey_id, forum=forum)
    question_form = QuestionForm(prefix="question")
    copy_form = CopyForm(prefix="copy", sources=_copy_sources(request, survey))
    action_errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "question":
                question_form = QuestionForm(request.POST, prefix="question")
                if question_form.is_valid():
                    data = question_form.cleaned_data
                    services.question_add(survey=survey, kind=data["kind"], text_ar=data["text_ar"],
                                          text_en=data["text_en"], required=data["required"],
                                          choices=question_form.choices())
                    return redirect("surveys:edit", forum.slug, survey.pk)
            elif action == "copy":
                copy_form = CopyForm(request.POST, prefix="copy", sources=_copy_sources(request, survey))
                if copy_form.is_valid():
                    copied = services.questions_copy(survey=survey, source=copy_form.cleaned_data["source"])
                    messages.success(request, _("%(n)d questions copied.") % {"n": len(copied)})
                    return redirect("surveys:edit", forum.slug, survey.pk)
            elif action == "status":
                status_form = StatusForm(request.POST)
                if status_form.is_valid():
                    services.survey_status_set(survey=survey, status=status_form.cleaned_data["status"])
                    return redirect("surveys:edit", forum.slug, survey.pk)
                raise DomainError(_("Unknown status."), field="status")
            elif action == "invite":
                count = services.invitations_send(survey=survey)
                messages.success(request, _("%(n)d attendees invited.") % {"n": count})
                return redirect("surveys:edit", forum.slug, survey.pk)
            else:
                raise DomainError(_("Unknown action."), field="action")
        except DomainError as exc:
            target = copy_form if action == "copy" else question_form
            if target.is_bound:
                _add_errors(target, exc)
            else:
                action_errors = [message for msgs in exc.errors.values() for message in msgs]
        status = 400
    return render(request, "surveys/edit.html", {
        "forum": forum, "survey": survey, "questions": survey.questions.order_by("order", "id"),
        "question_form": question_form, "copy_form": copy_form, "statuses": Survey.Status.choices,
        "can_edit": forum_permissions.can_edit_forum(request.user, forum),
        "due_at": services.survey_due_at(survey), "action_errors": action_errors,
    }, status=status)


@require_safe
@_team_page
def overview(request, forum: Forum):
    """Satisfaction per session and per speaker, the forum's NPS, earlier editions side by side."""
    scores = selectors.session_scores(forum=forum)
    return render(request, "surveys/overview.html", {
        "forum": forum, "surveys": selectors.surveys_of_forum(forum=forum), "scores": scores,
        "speakers": selectors.speaker_scores(forum=forum, scores=scores),
        "editions": selectors.editions_side_by_side(forum=forum, user=request.user),
    })


@require_safe
@_team_page
def results(request, forum: Forum, survey_id: int):
    survey = get_object_or_404(Survey.objects.select_related("session"), pk=survey_id, forum=forum)
    search = request.GET.get("q", "").strip()[:100]
    return render(request, "surveys/results.html", {
        "forum": forum, **selectors.survey_results(survey=survey, search=search),
    })


@require_safe
@_team_page
def export(request, forum: Forum, survey_id: int, fmt: str):
    survey = get_object_or_404(Survey, pk=survey_id, forum=forum)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not survey.is_anonymous and not forum_permissions.can_view_personal_data(request.user, forum):
        return HttpResponse(_("Named responses carry personal data: owners and editors only."), status=403)
    rows = ([_safe_cell(v) for v in row] for row in selectors.export_rows(survey=survey))
    name = f"survey-{forum.slug}-{survey.pk}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(rows, title=_("Responses")), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def my_scores(request):
    """A speaker's, chair's or panelist's own sessions and their scores: nothing else."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = getattr(request.user, "person", None)
    rows = selectors.speaker_own_scores(person=person) if person is not None else []
    return render(request, "surveys/my_scores.html", {"rows": rows})
