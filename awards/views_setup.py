"""The set-up pages: programme owners and award staff create and change programmes, cycles, categories,
criteria, tiers and the people with a role, in the product (not the Django admin).

Each page works without JavaScript: one form per change, posted with an `action`; the change is made
by a service; a refusal re-renders the page with what was typed and the message beside its field.
Pages are refused (404) to whoever may not manage the programme.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forum.admin_base import form_errors_add
from forum.errors import DomainError

from . import forms, permissions, selectors, services
from .models import Category, Criterion, Cycle, Programme, ProgrammeMember, Question, RequiredDocument
from .views import _signed_in  # the same sign-in redirect as the other award pages

BLANK_TIER_ROWS = 3


def _programme(request, slug: str) -> Programme:
    programme = get_object_or_404(Programme.objects.select_related("owner"), slug=slug)
    if not permissions.can_manage(request.user, programme):
        raise Http404
    return programme


def _cycle(request, slug: str, number: int) -> Cycle:
    cycle = selectors.cycle_get(programme_slug=slug, number=number)
    if cycle is None or not permissions.can_manage(request.user, cycle.programme_id):
        raise Http404
    return cycle


def _refused(form, exc: DomainError) -> None:
    form_errors_add(form, exc)


def _done(request, to: str, **kwargs):
    messages.success(request, _("Saved."))
    return redirect(to, **kwargs)


# -- programmes -----------------------------------------------------------------------------------


@require_safe
def setup_index(request):
    """The programmes the user owns or staffs, with their cycles, and the way to start a new one."""
    if (response := _signed_in(request)) is not None:
        return response
    may_start = permissions.can_start_programme(request.user)
    if not (may_start or permissions.manages_any_programme(request.user)):
        raise Http404
    return render(request, "awards/setup/index.html", {
        "programmes": selectors.setup_programmes(user=request.user), "may_start": may_start,
    })


@require_http_methods(["GET", "POST"])
def programme_new(request):
    if (response := _signed_in(request)) is not None:
        return response
    if not permissions.can_start_programme(request.user):
        raise Http404
    form = forms.ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            programme = services.programme_create(
                user=request.user, owner=data.pop("owner"), slug=data.pop("slug"), name_ar=data.pop("name_ar"), **data)
            return _done(request, "awards:setup_programme", slug=programme.slug)
        except DomainError as exc:
            _refused(form, exc)
    return render(request, "awards/setup/programme.html", {"form": form, "programme": None},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def programme_edit(request, slug: str):
    """The programme's settings (owners change them) and its cycles."""
    if (response := _signed_in(request)) is not None:
        return response
    programme = _programme(request, slug)
    is_owner = permissions.is_owner(request.user, programme)
    form = forms.ProgrammeForm(request.POST or None, instance=Programme.objects.get(pk=programme.pk),
                               user=request.user)
    if not is_owner:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if form.is_valid():
            try:
                services.programme_update(programme=programme, user=request.user, **form.changes())
                return _done(request, "awards:setup_programme", slug=programme.slug)
            except DomainError as exc:
                _refused(form, exc)
    return render(request, "awards/setup/programme.html", {
        "form": form, "programme": programme, "is_owner": is_owner,
        "cycles": list(programme.cycles.order_by("-number")),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def members(request, slug: str):
    """Owners, award staff, judges, assessors and committee members of the programme."""
    if (response := _signed_in(request)) is not None:
        return response
    programme = _programme(request, slug)
    form = forms.MemberForm(request.POST if request.POST.get("action") == "add" else None)
    remove_errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                row = get_object_or_404(ProgrammeMember, pk=request.POST.get("member") or 0, programme=programme)
                services.member_remove(member=row, user=request.user)
                return _done(request, "awards:setup_members", slug=slug)
            if form.is_valid():
                services.member_invite(programme=programme, user=request.user, email=form.cleaned_data["email"],
                                       role=form.cleaned_data["role"])
                return _done(request, "awards:setup_members", slug=slug)
        except DomainError as exc:
            if request.POST.get("action") == "remove":
                remove_errors = [m for ms in exc.errors.values() for m in ms]
            else:
                _refused(form, exc)
    return render(request, "awards/setup/members.html", {
        "programme": programme, "form": form, "remove_errors": remove_errors,
        "members": selectors.programme_members(programme=programme),
        "is_owner": permissions.is_owner(request.user, programme),
    }, status=400 if (form.errors or remove_errors) else 200)


# -- cycles ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cycle_new(request, slug: str):
    if (response := _signed_in(request)) is not None:
        return response
    programme = _programme(request, slug)
    last = programme.cycles.order_by("-number").values_list("number", flat=True).first() or 0
    form = forms.CycleForm(request.POST or None, instance=Cycle(programme=programme), user=request.user,
                           programme=programme, initial={"number": last + 1})
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            cycle = services.cycle_create(
                programme=programme, user=request.user, number=data.pop("number"),
                nominations_open=data.pop("nominations_open"), nominations_close=data.pop("nominations_close"), **data)
            return _done(request, "awards:setup_cycle", slug=slug, number=cycle.number)
        except DomainError as exc:
            _refused(form, exc)
    return render(request, "awards/setup/cycle_new.html", {"form": form, "programme": programme},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cycle_setup(request, slug: str, number: int):
    """A cycle's timeline, ceremony and chair, and its categories (with a form to add one)."""
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(request, slug, number)
    action = request.POST.get("action")
    form = forms.CycleForm(request.POST if action == "cycle" else None, instance=Cycle.objects.get(pk=cycle.pk),
                           user=request.user, programme=cycle.programme)
    category_form = forms.CategoryForm(request.POST if action == "category" else None, prefix="new")
    delete_errors: list[str] = []
    if request.method == "POST":
        try:
            if action == "cycle_delete":
                services.cycle_delete(cycle=cycle, user=request.user)
                return _done(request, "awards:setup_programme", slug=slug)
            if action == "cycle" and form.is_valid():
                services.cycle_update(cycle=cycle, user=request.user, **form.changes())
                return _done(request, "awards:setup_cycle", slug=slug, number=number)
            if action == "category" and category_form.is_valid():
                data = category_form.changes()
                category = services.category_create(cycle=cycle, user=request.user, name_ar=data.pop("name_ar"),
                                                    kind=data.pop("kind"), **data)
                return _done(request, "awards:setup_category", slug=slug, number=number, category_id=category.pk)
            if action not in ("cycle", "category"):
                raise Http404
        except DomainError as exc:
            if action == "cycle_delete":
                delete_errors = [m for ms in exc.errors.values() for m in ms]
            else:
                _refused(form if action == "cycle" else category_form, exc)
    return render(request, "awards/setup/cycle.html", {
        "cycle": cycle, "programme": cycle.programme, "form": form, "category_form": category_form,
        "categories": selectors.setup_categories(cycle=cycle), "tiers": selectors.cycle_tiers(cycle=cycle),
        "delete_errors": delete_errors,
    }, status=400 if (form.errors or category_form.errors or delete_errors) else 200)


@require_http_methods(["GET", "POST"])
def tiers(request, slug: str, number: int):
    """The tiers of an assessment, highest first, all saved at once (thresholds must not overlap)."""
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(request, slug, number)
    errors: dict = {}
    if request.method == "POST":
        if not (request.POST.get("rows") or "").isdigit():
            # A table posted without its row count is not this page's form: change nothing.
            return render(request, "awards/setup/tiers.html", {
                "cycle": cycle, "programme": cycle.programme, "rows": [], "row_count": 0,
                "errors": {"non_field_errors": [_("Unknown action.")]}}, status=400)
        count = min(int(request.POST["rows"]), 50)
        posted = [{"name_ar": request.POST.get(f"tiers-{i}-name_ar", ""),
                   "name_en": request.POST.get(f"tiers-{i}-name_en", ""),
                   "min_score": request.POST.get(f"tiers-{i}-min_score", ""),
                   "honored": request.POST.get(f"tiers-{i}-honored") == "on"} for i in range(count)]
        # Blank lines are spare lines; the service numbers the others, so its messages are mapped back.
        kept = [i for i, row in enumerate(posted) if (row["name_ar"] + row["name_en"] + row["min_score"]).strip()]
        try:
            services.tiers_set(cycle=cycle, user=request.user, rows=[posted[i] for i in kept])
            return _done(request, "awards:setup_tiers", slug=slug, number=number)
        except DomainError as exc:
            for key, msgs in exc.errors.items():
                parts = key.split("-")
                if len(parts) == 3 and parts[0] == "tiers" and parts[1].isdigit():
                    key = f"tiers-{kept[int(parts[1])]}-{parts[2]}"
                errors[key] = msgs
        rows = posted
    else:
        rows = [{"name_ar": t.name_ar, "name_en": t.name_en, "min_score": f"{t.min_score.normalize():f}",
                 "honored": t.honored} for t in selectors.cycle_tiers(cycle=cycle)]
        rows += [{"name_ar": "", "name_en": "", "min_score": "", "honored": True}] * BLANK_TIER_ROWS
    return render(request, "awards/setup/tiers.html", {
        "cycle": cycle, "programme": cycle.programme, "errors": errors,
        "rows": [(i, row, {f: errors.get(f"tiers-{i}-{f}") for f in ("name_ar", "min_score")})
                 for i, row in enumerate(rows)],
        "row_count": len(rows),
    }, status=400 if errors else 200)


# -- categories -----------------------------------------------------------------------------------


CATEGORY_ACTIONS = {"category", "category_delete", "criterion", "criterion_update", "criterion_delete", "copy",
                    "document", "document_update", "document_delete", "question", "question_update",
                    "question_delete", "judge", "judge_remove"}


@require_http_methods(["GET", "POST"])
def category_setup(request, slug: str, number: int, category_id: int):
    """A category: its settings, weighted criteria and sub-criteria (or a copy of another category's),
    required documents, questions and judges."""
    if (response := _signed_in(request)) is not None:
        return response
    cycle = _cycle(request, slug, number)
    category = get_object_or_404(Category, pk=category_id, cycle=cycle)
    programme = cycle.programme
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in CATEGORY_ACTIONS:
        raise Http404

    def bound(name):
        return request.POST if action == name else None

    form = forms.CategoryForm(bound("category"), instance=Category.objects.get(pk=category.pk))
    criterion_form = forms.CriterionForm(bound("criterion"), instance=Criterion(category=category),
                                         category=category, prefix="criterion")
    document_form = forms.DocumentForm(bound("document"), prefix="document")
    question_form = forms.QuestionForm(bound("question"), prefix="question")
    judge_form = forms.JudgeForm(bound("judge"), programme=programme, prefix="judge")
    sources = Category.objects.exclude(pk=category.pk).select_related("cycle__programme").order_by(
        "cycle__programme__name_ar", "-cycle__number", "order", "id")
    if not request.user.is_superuser:
        sources = sources.filter(cycle__programme__in=ProgrammeMember.objects.filter(
            user=request.user, role__in=[ProgrammeMember.Role.OWNER, ProgrammeMember.Role.STAFF]
        ).values("programme_id"))
    copy_form = forms.CopyForm(bound("copy"), sources=sources, prefix="copy")
    row_forms: dict[int, forms.CriterionRowForm] = {}
    document_forms: dict[int, forms.DocumentForm] = {}
    question_forms: dict[int, forms.QuestionForm] = {}
    list_errors: list[str] = []
    failed = None
    if request.method == "POST":
        data = request.POST
        try:
            if action == "category":
                failed = form
                if form.is_valid():
                    services.category_update(category=category, user=request.user, **form.changes())
            elif action == "criterion":
                failed = criterion_form
                if criterion_form.is_valid():
                    fields = criterion_form.changes()
                    services.criterion_create(category=category, user=request.user, name_ar=fields.pop("name_ar"),
                                              **fields)
            elif action == "criterion_update":
                criterion = get_object_or_404(Criterion, pk=data.get("criterion") or 0, category=category)
                failed = row_forms[criterion.pk] = forms.CriterionRowForm(data, instance=criterion,
                                                                         prefix=f"c{criterion.pk}")
                if failed.is_valid():
                    services.criterion_update(criterion=criterion, user=request.user, **failed.changes())
            elif action == "copy":
                failed = copy_form
                if copy_form.is_valid():
                    services.criteria_copy(source=copy_form.cleaned_data["source"], target=category,
                                           user=request.user)
            elif action == "document":
                failed = document_form
                if document_form.is_valid():
                    fields = document_form.changes()
                    services.document_create(category=category, user=request.user, name_ar=fields.pop("name_ar"),
                                             **fields)
            elif action == "document_update":
                document = get_object_or_404(RequiredDocument, pk=data.get("document") or 0, category=category)
                failed = document_forms[document.pk] = forms.DocumentForm(data, instance=document,
                                                                          prefix=f"d{document.pk}")
                if failed.is_valid():
                    services.document_update(document=document, user=request.user, **failed.changes())
            elif action == "question_update":
                question = get_object_or_404(Question, pk=data.get("question") or 0, category=category)
                failed = question_forms[question.pk] = forms.QuestionForm(data, instance=question,
                                                                          prefix=f"q{question.pk}")
                if failed.is_valid():
                    services.question_update(question=question, user=request.user, **failed.changes())
            elif action == "category_delete":
                services.category_delete(category=category, user=request.user)
                return _done(request, "awards:setup_cycle", slug=slug, number=number)
            elif action == "question":
                failed = question_form
                if question_form.is_valid():
                    fields = question_form.changes()
                    services.question_create(category=category, user=request.user, label_ar=fields.pop("label_ar"),
                                             **fields)
            elif action == "judge":
                failed = judge_form
                if judge_form.is_valid():
                    services.judge_assign(category=category, user=request.user, judge=judge_form.cleaned_data["judge"])
            elif action == "criterion_delete":
                services.criterion_delete(
                    criterion=get_object_or_404(Criterion, pk=data.get("criterion") or 0, category=category),
                    user=request.user)
            elif action == "document_delete":
                services.document_delete(
                    document=get_object_or_404(RequiredDocument, pk=data.get("document") or 0, category=category),
                    user=request.user)
            elif action == "question_delete":
                services.question_delete(
                    question=get_object_or_404(Question, pk=data.get("question") or 0, category=category),
                    user=request.user)
            elif action == "judge_remove":
                services.judge_unassign(category=category, user=request.user,
                                        judge=get_object_or_404(get_user_model(), pk=data.get("judge") or 0))
            if failed is None or not failed.errors:
                return _done(request, "awards:setup_category", slug=slug, number=number, category_id=category.pk)
        except DomainError as exc:
            if failed is not None:
                _refused(failed, exc)
            else:
                list_errors = [m for ms in exc.errors.values() for m in ms]
    shown = next(c for c in selectors.setup_categories(cycle=cycle) if c.pk == category.pk)
    rows = []
    for top in shown.top_criteria:
        for criterion in (top, *top.children.all()):
            row_form = row_forms.get(criterion.pk) or forms.CriterionRowForm(instance=criterion,
                                                                            prefix=f"c{criterion.pk}")
            rows.append((criterion, row_form))
    documents = [(d, document_forms.get(d.pk) or forms.DocumentForm(instance=d, prefix=f"d{d.pk}"))
                 for d in shown.documents.all()]
    questions = [(q, question_forms.get(q.pk) or forms.QuestionForm(instance=q, prefix=f"q{q.pk}"))
                 for q in shown.questions.all()]
    status = 400 if (list_errors or (failed is not None and failed.errors)) else 200
    return render(request, "awards/setup/category.html", {
        "cycle": cycle, "programme": programme, "category": shown, "form": form, "criterion_form": criterion_form,
        "document_form": document_form, "question_form": question_form, "judge_form": judge_form,
        "copy_form": copy_form, "criteria_rows": rows, "list_errors": list_errors,
        "document_rows": documents, "question_rows": questions,
        "total_weight": f"{sum((c.weight for c in shown.top_criteria), Decimal(0)).normalize():f}",
    }, status=status)

