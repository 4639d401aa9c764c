"""The awards API: thin over awards.services and awards.selectors.

Who may call what is decided by awards.permissions, checked before the body is
read, so a refused caller never learns whether their input was valid.

About 700 lines: one thin view per endpoint of the awards API, nothing else.
"""

from __future__ import annotations

import functools

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework import permissions as drf_permissions
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from forum.api.base import require
from forum.errors import DomainError

from .. import permissions, selectors, services
from ..models import Category, Criterion, Cycle, FieldVisit, Nomination, Programme, Question, RequiredDocument
from . import serializers as s


def _signed_in(request) -> None:
    if not (request.user and request.user.is_authenticated):
        raise NotAuthenticated


def _body_id(request, key: str) -> str:
    """An id named in the body, read before any validation (unreadable bodies name nothing)."""
    try:
        data = request.data
    except ParseError:
        return ""
    raw = data.get(key) if hasattr(data, "get") else None
    return str(raw) if str(raw or "").isdigit() else ""


def _cycle(pk: int, user) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
    if not permissions.can_view_cycle_page(user, cycle):
        raise Http404
    return cycle


def _managed_cycle(request, pk: int) -> Cycle:
    _signed_in(request)
    cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
    if not permissions.can_manage(request.user, cycle.programme_id):
        raise Http404
    return cycle


def _nomination(request, pk: int) -> Nomination:
    _signed_in(request)
    nomination = get_object_or_404(
        Nomination.objects.select_related("cycle__programme", "category", "nominee_person", "nominee_organization"),
        pk=pk,
    )
    if not permissions.can_read_nomination(request.user, nomination):
        raise Http404
    return nomination


def _own(request, pk: int) -> Nomination:
    nomination = _nomination(request, pk)
    if not permissions.is_applicant(request.user, nomination):
        raise Http404
    return nomination


def _staff_nomination(request, pk: int) -> Nomination:
    nomination = _nomination(request, pk)
    if not permissions.can_manage(request.user, nomination.cycle.programme_id):
        raise Http404
    return nomination


# -- sign-in --------------------------------------------------------------------------------------


class SignInView(APIView):
    """E-mail a one-time sign-in link for the nominations portal (the answer is the same for any address)."""

    permission_classes = [drf_permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=s.EmailSerializer, responses={202: None})
    def post(self, request):
        serializer = s.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.signin_link_send(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


# -- programmes and cycles ------------------------------------------------------------------------


class ProgrammeList(generics.ListCreateAPIView):
    """Programmes with a public cycle, and those in which the caller has a role. Whoever speaks for an
    organization (awards.permissions.can_own_for) starts one for it."""

    serializer_class = s.ProgrammeSerializer
    filterset_fields = ["kind", "owner"]
    search_fields = ["name_ar", "name_en"]

    def get_queryset(self):
        user = self.request.user
        public = Q(cycles__is_public=True)
        if user.is_authenticated and user.is_superuser:
            return Programme.objects.all().order_by("name_ar")
        if user.is_authenticated:
            public |= Q(members__user=user)
        return Programme.objects.filter(public).distinct().order_by("name_ar")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.programme_create(
            user=self.request.user, owner=data.pop("owner"), slug=data.pop("slug"), name_ar=data.pop("name_ar"),
            **data,
        )


class ProgrammeDetail(generics.RetrieveAPIView):
    """A programme; its owners change it with PATCH (the slug stays)."""

    serializer_class = s.ProgrammeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return ProgrammeList.get_queryset(self)

    @extend_schema(request=s.ProgrammeSerializer, responses=s.ProgrammeSerializer)
    def patch(self, request, slug: str):
        programme = _managed_programme(request, slug)
        serializer = s.ProgrammeSerializer(programme, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("slug", None)
        programme = services.programme_update(programme=programme, user=request.user, **changes)
        return Response(s.ProgrammeSerializer(programme).data)


def _managed_programme(request, slug: str) -> Programme:
    _signed_in(request)
    programme = get_object_or_404(Programme, slug=slug)
    if not permissions.can_manage(request.user, programme):
        raise Http404
    return programme


class ProgrammeCycles(APIView):
    """Start a numbered cycle with its timeline (owners and award staff)."""

    @extend_schema(request=s.CycleWriteSerializer, responses={201: s.CycleSerializer})
    def post(self, request, slug: str):
        programme = _managed_programme(request, slug)
        serializer = s.CycleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("number") is None:
            raise DomainError(_("The cycle number must be 1 or more."), field="number", code="required")
        cycle = services.cycle_create(programme=programme, user=request.user, number=data.pop("number"),
                                      nominations_open=data.pop("nominations_open"),
                                      nominations_close=data.pop("nominations_close"), **data)
        return Response(s.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)


class ProgrammeMembers(APIView):
    """Who has which role (GET), and giving someone a role by e-mail (POST)."""

    @extend_schema(responses=s.MemberSerializer(many=True))
    def get(self, request, slug: str):
        programme = _managed_programme(request, slug)
        return Response(s.MemberSerializer(selectors.programme_members(programme=programme), many=True).data)

    @extend_schema(request=s.MemberInviteSerializer, responses={201: s.MemberSerializer})
    def post(self, request, slug: str):
        programme = _managed_programme(request, slug)
        serializer = s.MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.member_invite(programme=programme, user=request.user, **serializer.validated_data)
        return Response(s.MemberSerializer(row).data, status=status.HTTP_201_CREATED)


class CycleTiers(APIView):
    """Replace the cycle's tiers, listed from the highest down (thresholds must not overlap)."""

    @extend_schema(request=s.TiersSerializer, responses=s.TierSerializer(many=True))
    def put(self, request, pk: int):
        cycle = _managed_cycle(request, pk)
        serializer = s.TiersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.tiers_set(cycle=cycle, user=request.user, rows=serializer.validated_data["tiers"])
        return Response(s.TierSerializer(rows, many=True).data)


class CycleDetail(APIView):
    """A cycle as its public page shows it: timeline, categories with criteria, tiers."""

    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(responses=s.CycleDetailSerializer)
    def get(self, request, pk: int):
        cycle = _cycle(pk, request.user)
        cycle = Cycle.objects.prefetch_related("categories__criteria", "tiers").get(pk=cycle.pk)
        return Response(s.CycleDetailSerializer(cycle).data)

    @extend_schema(request=s.CycleWriteSerializer, responses=s.CycleSerializer)
    def patch(self, request, pk: int):
        """Change the timeline, ceremony or chair (owners and award staff)."""
        cycle = _managed_cycle(request, pk)
        serializer = s.CycleWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("number", None)
        cycle = services.cycle_update(cycle=cycle, user=request.user, **changes)
        return Response(s.CycleSerializer(cycle).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Remove a cycle nobody has nominated in (owners and award staff)."""
        services.cycle_delete(cycle=_managed_cycle(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CycleResults(APIView):
    """Published results for everyone (winners, or tiers of an assessment); before publication,
    the full table with flags for staff, owners and the chair."""

    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(responses=s.ResultSerializer(many=True))
    def get(self, request, pk: int):
        cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
        if permissions.can_manage(request.user, cycle.programme_id) or permissions.is_committee_member(
                request.user, cycle):
            return Response(s.ResultSerializer(selectors.results_table(cycle=cycle), many=True).data)
        if not permissions.can_view_results(request.user, cycle):
            raise Http404
        rows = selectors.results_table(cycle=cycle, winners_only=not cycle.programme.is_assessment)
        return Response(s.PublicResultSerializer(rows, many=True).data)


RESULT_STEPS = {
    "finalize": services.results_finalize,
    "reopen": services.results_reopen,
    "approve": services.results_approve,
    "withdraw": services.results_approval_withdraw,
    "publish": services.results_publish,
}


class CycleResultStep(APIView):
    """finalize / reopen (the committee chair), approve and withdraw an approval (each committee member,
    the chair included: the results are approved when the chair and a majority have) and publish
    (programme owners)."""

    @extend_schema(request=None, responses=s.CycleSerializer)
    def post(self, request, pk: int, step: str):
        _signed_in(request)
        cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
        if step == "publish":
            allowed = permissions.can_publish(request.user, cycle)
        elif step in ("approve", "withdraw"):
            allowed = permissions.is_committee_member(request.user, cycle)
        else:
            allowed = permissions.is_chair(request.user, cycle)
        if step not in RESULT_STEPS or not (allowed or permissions.can_manage(request.user, cycle.programme_id)):
            raise Http404
        require(allowed)
        RESULT_STEPS[step](cycle=cycle, user=request.user)
        cycle.refresh_from_db()
        return Response(s.CycleSerializer(cycle).data)


class WinnersOrder(APIView):
    @extend_schema(request=s.OrderSerializer, responses=s.ResultSerializer(many=True))
    def post(self, request, pk: int):
        _signed_in(request)
        cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
        require(permissions.is_chair(request.user, cycle) or permissions.is_owner(request.user, cycle.programme_id))
        serializer = s.OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.winners_order_set(cycle=cycle, user=request.user, ids=serializer.validated_data["ids"])
        return Response(s.ResultSerializer(rows, many=True).data)


class CycleProgress(APIView):
    """Who has scored what: staff and owners."""

    @extend_schema(responses=s.ProgressCellSerializer(many=True))
    def get(self, request, pk: int):
        cycle = _managed_cycle(request, pk)
        cells = [
            {"nomination": row.nomination.pk, "judge": judge.pk, "state": state}
            for _category, _judges, rows in selectors.judging_progress(cycle=cycle)
            for row in rows for judge, state in row.cells
        ]
        return Response(s.ProgressCellSerializer(cells, many=True).data)


class CycleReport(APIView):
    @extend_schema(responses=dict)
    def get(self, request, pk: int):
        cycle = _managed_cycle(request, pk)
        report = selectors.cycle_report(cycle=cycle)
        return Response({
            "per_category": [{"category": c, "nominations": n} for c, n in report.per_category],
            "per_organization": [{"organization": o, "nominations": n} for o, n in report.per_organization],
            "per_stage": [{"stage": st, "nominations": n} for st, n in report.per_stage],
            "distributions": [{"category": c, "criterion": k, "buckets": b} for c, k, b in report.distributions],
            "comparison": [
                {"category": c, "nominations": n, "previous_nominations": p, "mean_score": m, "previous_mean": pm}
                for c, n, p, m, pm in report.comparison
            ],
        })


class MyJudging(APIView):
    """The caller's judging dashboard for a cycle: their entries (conflicts left out) and progress."""

    @extend_schema(responses=s.JudgeEntrySerializer(many=True))
    def get(self, request, pk: int):
        _signed_in(request)
        cycle = get_object_or_404(Cycle, pk=pk)
        groups = selectors.judge_dashboard(user=request.user, cycle=cycle)
        if not groups:
            raise Http404
        return Response(s.JudgeEntrySerializer([e for g in groups for e in g.entries], many=True).data)


# -- set-up ---------------------------------------------------------------------------------------


class _SetupCreate(APIView):
    """Create one set-up row through its service; the programme's staff and owners only."""

    serializer_class: type
    parent_model: type
    parent_field: str

    def _parent(self, request):
        """The cycle or category named in the body, if the caller manages its programme.

        Checked before the body is validated: an outsider gets 404 whatever they send.
        """
        _signed_in(request)
        raw = _body_id(request, self.parent_field)
        parent = self.parent_model.objects.filter(pk=raw).first() if raw else None
        if parent is None:
            if not permissions.manages_any_programme(request.user):
                raise Http404
            raise DomainError(_("Choose one of your programme's rows."), field=self.parent_field, code="not_found")
        programme_id = parent.programme_id if isinstance(parent, Cycle) else parent.cycle.programme_id
        if not permissions.can_manage(request.user, programme_id):
            raise Http404
        return parent


class CategoryCreate(_SetupCreate):
    parent_model, parent_field = Cycle, "cycle"

    @extend_schema(request=s.CategorySerializer, responses={201: s.CategorySerializer})
    def post(self, request):
        cycle = self._parent(request)
        serializer = s.CategorySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("cycle")
        row = services.category_create(cycle=cycle, user=request.user, name_ar=data.pop("name_ar"),
                                       kind=data.pop("kind"), **data)
        return Response(s.CategorySerializer(row).data, status=status.HTTP_201_CREATED)


class CriterionCreate(_SetupCreate):
    parent_model, parent_field = Category, "category"

    @extend_schema(request=s.CriterionSerializer, responses={201: s.CriterionSerializer})
    def post(self, request):
        category = self._parent(request)
        serializer = s.CriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("category")
        row = services.criterion_create(category=category, user=request.user, name_ar=data.pop("name_ar"), **data)
        return Response(s.CriterionSerializer(row).data, status=status.HTTP_201_CREATED)


class TierCreate(_SetupCreate):
    parent_model, parent_field = Cycle, "cycle"

    @extend_schema(request=s.TierSerializer, responses={201: s.TierSerializer})
    def post(self, request):
        cycle = self._parent(request)
        serializer = s.TierSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("cycle")
        row = services.tier_create(cycle=cycle, user=request.user, name_ar=data.pop("name_ar"),
                                   min_score=data.pop("min_score"), **data)
        return Response(s.TierSerializer(row).data, status=status.HTTP_201_CREATED)


class JudgeAssign(_SetupCreate):
    parent_model, parent_field = Category, "category"

    @extend_schema(request=s.JudgeAssignmentSerializer, responses={201: s.JudgeAssignmentSerializer})
    def post(self, request):
        category = self._parent(request)
        serializer = s.JudgeAssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.judge_assign(category=category, user=request.user, judge=serializer.validated_data["judge"])
        return Response(s.JudgeAssignmentSerializer(row).data, status=status.HTTP_201_CREATED)


class DocumentCreate(_SetupCreate):
    parent_model, parent_field = Category, "category"

    @extend_schema(request=s.RequiredDocumentSerializer, responses={201: s.RequiredDocumentSerializer})
    def post(self, request):
        category = self._parent(request)
        serializer = s.RequiredDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("category")
        row = services.document_create(category=category, user=request.user, name_ar=data.pop("name_ar"), **data)
        return Response(s.RequiredDocumentSerializer(row).data, status=status.HTTP_201_CREATED)


class QuestionCreate(_SetupCreate):
    parent_model, parent_field = Category, "category"

    @extend_schema(request=s.AwardQuestionSerializer, responses={201: s.AwardQuestionSerializer})
    def post(self, request):
        category = self._parent(request)
        serializer = s.AwardQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("category")
        row = services.question_create(category=category, user=request.user, label_ar=data.pop("label_ar"), **data)
        return Response(s.AwardQuestionSerializer(row).data, status=status.HTTP_201_CREATED)


class _SetupRow(APIView):
    """Change (PATCH) or remove (DELETE) one set-up row through its services; the programme's staff and
    owners only, everyone else 404 before the body is read."""

    model: type
    cycle_path = "category__cycle"  # how a row reaches its cycle (and so its programme)
    update_serializer: type
    read_serializer: type
    update: staticmethod
    delete_row: staticmethod
    keyword: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        # Each row's methods are their own functions, so that each carries its own schema.
        def patch(self, request, pk: int):
            return self._patch(request, pk)

        def delete(self, request, pk: int):
            return self._delete(request, pk)

        cls.patch = extend_schema(request=cls.update_serializer, responses=cls.read_serializer)(patch)
        cls.delete = extend_schema(request=None, responses={204: None})(delete)

    def _row(self, request, pk: int):
        _signed_in(request)
        row = get_object_or_404(self.model.objects.select_related(self.cycle_path), pk=pk)
        cycle = functools.reduce(getattr, self.cycle_path.split("__"), row)
        if not permissions.can_manage(request.user, cycle.programme_id):
            raise Http404
        return row

    def _patch(self, request, pk: int):
        row = self._row(request, pk)
        serializer = self.update_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = self.update(**{self.keyword: row}, user=request.user, **serializer.validated_data)
        return Response(self.read_serializer(row).data)

    def _delete(self, request, pk: int):
        self.delete_row(**{self.keyword: self._row(request, pk)}, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryDetail(_SetupRow):
    """A category's settings; removed only while nobody has nominated in it."""

    model, keyword, cycle_path = Category, "category", "cycle"
    update_serializer, read_serializer = s.CategoryUpdateSerializer, s.CategorySerializer
    update, delete_row = staticmethod(services.category_update), staticmethod(services.category_delete)


class CriterionDetail(_SetupRow):
    """A criterion's names, descriptions, weight, maximum and order; fixed once judging has started."""

    model, keyword = Criterion, "criterion"
    update_serializer, read_serializer = s.CriterionUpdateSerializer, s.CriterionSerializer
    update, delete_row = staticmethod(services.criterion_update), staticmethod(services.criterion_delete)


class DocumentDetail(_SetupRow):
    """A required document; removed only while no applicant has uploaded it."""

    model, keyword = RequiredDocument, "document"
    update_serializer, read_serializer = s.RequiredDocumentUpdateSerializer, s.RequiredDocumentSerializer
    update, delete_row = staticmethod(services.document_update), staticmethod(services.document_delete)


class QuestionDetail(_SetupRow):
    """A question of the application form; removed only while no submitted nomination answered it."""

    model, keyword = Question, "question"
    update_serializer, read_serializer = s.AwardQuestionUpdateSerializer, s.AwardQuestionSerializer
    update, delete_row = staticmethod(services.question_update), staticmethod(services.question_delete)


class CriteriaCopy(APIView):
    """Copy the criteria of another category (a previous cycle's, or a sibling) into this empty one."""

    @extend_schema(request=None, responses={201: s.CriterionSerializer(many=True)})
    def post(self, request, pk: int, source: int):
        _signed_in(request)
        target = get_object_or_404(Category.objects.select_related("cycle__programme"), pk=pk)
        if not permissions.can_manage(request.user, target.cycle.programme_id):
            raise Http404
        source_category = get_object_or_404(Category.objects.select_related("cycle"), pk=source)
        rows = services.criteria_copy(source=source_category, target=target, user=request.user)
        return Response(s.CriterionSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


# -- nominations ----------------------------------------------------------------------------------


class NominationList(generics.ListAPIView):
    """The caller's nominations as applicant, every nomination of programmes they staff, and the
    entries they judge (conflicts left out). POST starts a draft as applicant."""

    serializer_class = s.NominationSerializer
    filterset_fields = ["cycle", "category", "status"]
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Nomination.objects.none()
        qs = Nomination.objects.select_related("nominee_person", "nominee_organization", "cycle__programme")
        if user.is_superuser:
            return qs.order_by("id")
        person = getattr(user, "person", None)
        managed = Q(cycle__programme__members__user=user, cycle__programme__members__role__in=["owner", "staff"])
        own = Q(applicant=person) if person is not None else Q(pk__in=[])
        # Judges list the entries of their categories (not of blind programmes, which they reach by reference).
        judged = Q(category__judges__judge=user, status__in=permissions.JUDGEABLE,
                   cycle__programme__blind_judging=False)
        judged_only = list(qs.filter(judged).exclude(own).exclude(managed).select_related("nominee_person"))
        hidden = permissions.conflicted_ids(user, judged_only)
        return qs.filter(managed | own | judged).exclude(pk__in=hidden).distinct().order_by("id")

    @extend_schema(request=s.NominationCreateSerializer, responses={201: s.NominationSerializer})
    def post(self, request):
        _signed_in(request)
        services.applicant_for(request.user)
        serializer = s.NominationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        category = data["category"]
        person = organization = None
        if category.kind == Category.Kind.INDIVIDUAL and data.get("nominee_name_ar"):
            person = services.nominee_person_resolve(name_ar=data["nominee_name_ar"],
                                                     name_en=data.get("nominee_name_en", ""),
                                                     email=data.get("nominee_email", ""))
        elif category.kind == Category.Kind.INSTITUTIONAL and data.get("organization_name_ar"):
            organization = services.nominee_organization_resolve(name_ar=data["organization_name_ar"],
                                                                 name_en=data.get("organization_name_en", ""))
        nomination = services.nomination_create(category=category, user=request.user, nominee_person=person,
                                                nominee_organization=organization, title=data.get("title", ""))
        return Response(s.NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)


class NominationDetail(APIView):
    """One nomination: the applicant, staff, or a judge who may score it (blind programmes hide names)."""

    @extend_schema(responses=s.NominationSerializer)
    def get(self, request, pk: int):
        nomination = _nomination(request, pk)
        blind = nomination.cycle.programme.blind_judging and not (
            permissions.is_applicant(request.user, nomination)
            or permissions.can_manage(request.user, nomination.cycle.programme_id)
        )
        serializer = s.BlindNominationSerializer if blind else s.NominationSerializer
        return Response(serializer(nomination).data)

    @extend_schema(request=s.NominationSaveSerializer, responses=s.NominationSerializer)
    def patch(self, request, pk: int):
        nomination = _own(request, pk)
        serializer = s.NominationSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        nomination = services.nomination_save(nomination=nomination, user=request.user,
                                              answers=data.get("answers"), title=data.get("title"))
        return Response(s.NominationSerializer(nomination).data)


class NominationSubmit(APIView):
    @extend_schema(request=None, responses=s.NominationSerializer)
    def post(self, request, pk: int):
        nomination = services.nomination_submit(nomination=_own(request, pk), user=request.user)
        return Response(s.NominationSerializer(nomination).data)


class NominationWithdraw(APIView):
    @extend_schema(request=s.ReasonSerializer, responses=s.NominationSerializer)
    def post(self, request, pk: int):
        nomination = _own(request, pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        nomination = services.nomination_withdraw(nomination=nomination, user=request.user,
                                                  reason=serializer.validated_data.get("reason", ""))
        return Response(s.NominationSerializer(nomination).data)


class NominationDocumentUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.DocumentUploadSerializer, responses={201: dict})
    def post(self, request, pk: int):
        nomination = _own(request, pk)
        serializer = s.DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = RequiredDocument.objects.filter(pk=serializer.validated_data["document"],
                                                   category=nomination.category_id).first()
        if document is None:
            raise DomainError("No such document in this category.", field="document")
        stored = services.document_upload(nomination=nomination, user=request.user, document=document,
                                          upload=serializer.validated_data["file"])
        return Response({"id": stored.pk, "document": document.pk, "version": stored.version, "kind": stored.kind,
                         "sha256": stored.sha256}, status=status.HTTP_201_CREATED)


class NominationScreen(APIView):
    @extend_schema(request=s.ScreenSerializer, responses=s.NominationSerializer)
    def post(self, request, pk: int):
        nomination = _staff_nomination(request, pk)
        serializer = s.ScreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        nomination = services.nomination_screen(nomination=nomination, user=request.user, decision=data["decision"],
                                                reason=data.get("reason", ""), complete_by=data.get("complete_by"))
        return Response(s.NominationSerializer(nomination).data)


class NominationShortlist(APIView):
    @extend_schema(request=None, responses=s.NominationSerializer)
    def post(self, request, pk: int):
        nomination = services.nomination_shortlist(nomination=_staff_nomination(request, pk), user=request.user)
        return Response(s.NominationSerializer(nomination).data)


class NominationExtension(APIView):
    @extend_schema(request=s.NominationExtensionSerializer, responses=s.NominationSerializer)
    def post(self, request, pk: int):
        nomination = _staff_nomination(request, pk)
        serializer = s.NominationExtensionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        nomination = services.extension_grant(nomination=nomination, user=request.user,
                                              until=serializer.validated_data["until"])
        return Response(s.NominationSerializer(nomination).data)


class NominationConflict(APIView):
    """A judge of the category declares a conflict of interest with this entry."""

    @extend_schema(request=s.ReasonSerializer, responses={201: None})
    def post(self, request, pk: int):
        nomination = _nomination(request, pk)
        if not permissions.judge_may_score(request.user, nomination)[0]:
            raise Http404
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.conflict_declare(nomination=nomination, user=request.user,
                                  reason=serializer.validated_data.get("reason", ""))
        return Response(status=status.HTTP_201_CREATED)


class NominationScores(APIView):
    """The caller's own score sheets for an entry (a judge of its category, not conflicted)."""

    def _judge(self, request, pk):
        nomination = _nomination(request, pk)
        if not permissions.judge_may_score(request.user, nomination)[0]:
            raise Http404
        return nomination

    @extend_schema(responses=s.ScoreSheetSerializer(many=True))
    def get(self, request, pk: int):
        nomination = self._judge(request, pk)
        sheets = selectors.judge_sheets(user=request.user, nomination=nomination).values()
        return Response(s.ScoreSheetSerializer(sheets, many=True).data)

    @extend_schema(request=s.ScoresInputSerializer, responses=s.ScoreSheetSerializer(many=True))
    def post(self, request, pk: int):
        nomination = self._judge(request, pk)
        serializer = s.ScoresInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sheets = services.score_sheets_save(nomination=nomination, user=request.user,
                                            sheets=serializer.validated_data["sheets"])
        return Response(s.ScoreSheetSerializer(sheets, many=True).data)


# -- visits ---------------------------------------------------------------------------------------


class VisitList(generics.ListAPIView):
    """Visits the caller is on (assessors) or schedules (staff). POST schedules one (staff)."""

    serializer_class = s.VisitSerializer
    filterset_fields = ["status", "nomination"]
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return FieldVisit.objects.none()
        qs = FieldVisit.objects.prefetch_related("assessors")
        if user.is_superuser:
            return qs.order_by("starts_at", "id")
        managed = Programme.objects.filter(members__user=user, members__role__in=["owner", "staff"])
        return qs.filter(Q(assessors=user) | Q(nomination__cycle__programme__in=managed)).distinct().order_by(
            "starts_at", "id")

    @extend_schema(request=s.VisitSerializer, responses={201: s.VisitSerializer})
    def post(self, request):
        _signed_in(request)
        raw = _body_id(request, "nomination")
        nomination = Nomination.objects.select_related("cycle").filter(pk=raw).first() if raw else None
        if nomination is None or not permissions.can_manage(request.user, nomination.cycle.programme_id):
            raise Http404
        serializer = s.VisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = services.visit_schedule(nomination=nomination, user=request.user, starts_at=data["starts_at"],
                                        ends_at=data["ends_at"], address=data["address"],
                                        assessors=list(data["assessors"]))
        return Response(s.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


def _assessor_visit(request, pk: int) -> FieldVisit:
    _signed_in(request)
    visit = get_object_or_404(FieldVisit, pk=pk)
    if not permissions.is_visit_assessor(request.user, visit):
        raise Http404
    return visit


class VisitReport(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.VisitReportSerializer, responses=s.VisitSerializer)
    def post(self, request, pk: int):
        visit = _assessor_visit(request, pk)
        serializer = s.VisitReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = services.visit_report(visit=visit, user=request.user, report=data["report"],
                                      checks=data.get("checks"), score_adjustment=data.get("score_adjustment") or 0,
                                      adjustment_reason=data.get("adjustment_reason", ""))
        return Response(s.VisitSerializer(visit).data)


class VisitPhotos(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.PhotoUploadSerializer, responses={201: dict})
    def post(self, request, pk: int):
        visit = _assessor_visit(request, pk)
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.visit_photo_add(visit=visit, user=request.user, upload=serializer.validated_data["photo"],
                                         caption=serializer.validated_data.get("caption", ""))
        return Response({"id": photo.pk, "caption": photo.caption}, status=status.HTTP_201_CREATED)


class VerifiedResult(APIView):
    """A published winner's result by its unguessable code: anyone can verify it."""

    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(responses=s.VerifiedResultSerializer)
    def get(self, request, code: str):
        result = selectors.result_by_code(code)
        if result is None:
            raise Http404
        return Response(s.VerifiedResultSerializer(result).data)

