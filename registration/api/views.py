"""Registration over the API: thin views over registration.services and selectors.

Who may do what:
- anyone: read a published forum's types and questions, register, join the waiting list;
- the attendee, holding the secret access token: read, pay for and cancel their own registration;
- owners and editors: configure, list and export registrations (personal data), approve, reject, cancel;
- viewers: the counts only; check-in staff: nothing here.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework import serializers as rest_serializers
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedMixin, ForumScopedViewSet, require
from forum.errors import DomainError, NotFound

from .. import payments, selectors, services
from ..models import Answer, InviteCode, Question, Registration, RegistrationType, WaitlistEntry
from . import serializers


class RegistrationTypeViewSet(ForumScopedViewSet):
    queryset = RegistrationType.objects.all()
    serializer_class = serializers.RegistrationTypeSerializer
    filterset_fields = ["category", "pricing", "is_active"]
    ordering_fields = ["order", "name_ar"]

    def perform_update(self, serializer):
        # Through the service: the seat counter is never written back from this request's read.
        serializer.instance = services.registration_type_update(
            registration_type=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.registration_type_delete(registration_type=instance)


class QuestionViewSet(ForumScopedViewSet):
    queryset = Question.objects.all()
    serializer_class = serializers.QuestionSerializer
    ordering_fields = ["order"]


class RegistrationSettingsView(ForumScopedMixin, APIView):
    """GET/PUT /forums/<slug>/registration-settings/: capacity, hold minutes, waiting list."""

    @extend_schema(responses=serializers.RegistrationSettingsSerializer)
    def get(self, request, forum_slug):
        return Response(serializers.RegistrationSettingsSerializer(
            services.registration_settings_get(forum=self.forum)).data)

    @extend_schema(request=serializers.RegistrationSettingsSerializer, responses=serializers.RegistrationSettingsSerializer)
    def put(self, request, forum_slug):
        serializer = serializers.RegistrationSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.registration_settings_update(forum=self.forum, **serializer.validated_data)
        return Response(serializers.RegistrationSettingsSerializer(row).data)

    @extend_schema(request=serializers.RegistrationSettingsSerializer, responses=serializers.RegistrationSettingsSerializer)
    def patch(self, request, forum_slug):
        return self.put(request, forum_slug)


class _ReasonSerializer(rest_serializers.Serializer):
    reason = rest_serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=Registration._meta.get_field("cancel_reason").max_length)


def _reason(request) -> str:
    """The optional reason of a reject/cancel; a body that is not a JSON object is a 400, not a crash."""
    serializer = _ReasonSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"][:255]


def _pii_check(user, forum) -> None:
    require(forum_permissions.can_view_personal_data(user, forum),
            _("Only the forum's owners and editors may see attendees' personal data."))


class RegistrationViewSet(ForumScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                          mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """POST: register (anyone). GET: owners and editors only (personal data)."""

    serializer_class = serializers.RegistrationSerializer
    permission_classes = [permissions.AllowAny]
    search_fields = ["full_name_ar", "full_name_en", "email", "phone", "organization_name", "reference"]
    filterset_fields = ["status", "registration_type"]
    ordering_fields = ["created_at", "full_name_ar"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return Registration.objects.filter(forum=self.forum).select_related(
            "registration_type", "payment"
        ).prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question"))).order_by(
            "-created_at", "-id"
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "create":
            return  # create() loads the forum with the type in one query and checks it there
        if not self.forum_readable(request.user, self.forum):
            raise NotFound(_("Not found."))
        if self.action == "summary":
            require(forum_permissions.can_view_drafts(request.user, self.forum))
            return
        _pii_check(request.user, self.forum)
        if request.method not in permissions.SAFE_METHODS:
            require(forum_permissions.can_edit_forum(request.user, self.forum))

    @extend_schema(request=serializers.RegistrationCreateSerializer, responses=serializers.OwnRegistrationSerializer)
    def create(self, request, *args, **kwargs):
        values = serializers.registration_create_values(request.data)
        if values is None:  # not the plain common case: the serializer judges it and names the fields
            data = serializers.RegistrationCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
        # The public hot path: the type, its forum and whether the forum asks questions in one query.
        rtype = selectors.registration_type_for_create(forum_slug=self.kwargs[self.forum_url_kwarg],
                                                       type_id=values.pop("registration_type"))
        if rtype is not None:
            self.__dict__["forum"] = rtype.forum  # fills the cached property, no second query
        # Drafts are hidden (404) from all but the team, exactly as for every other action.
        if not self.forum_readable(request.user, self.forum):
            raise NotFound(_("Not found."))
        if rtype is None:
            raise DomainError(_("Choose a registration type of this forum."), field="registration_type")
        # JSON clients send {"answers": {"q12": ...}}; multipart clients (file questions) send q12=... fields.
        raw_answers = {key: request.data[key] for key in request.data if key[:1] == "q" and key[1:].isdigit()}
        raw_answers.update(values.pop("answers"))
        questions = list(selectors.questions_active(forum=self.forum)) if rtype.forum_has_questions else []
        answers = services.answers_clean(questions=questions, data=raw_answers, files=request.FILES)
        registration = services.registration_create(
            forum=self.forum, registration_type=rtype, answers=answers, user=request.user, **values
        )
        # Answer from what is in hand (a new registration has these answers and no payment yet),
        # in the same shape as OwnRegistrationSerializer, without building a ModelSerializer per request.
        return Response(serializers.own_registration_created(registration, answers=answers),
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.RegistrationSummaryRowSerializer(many=True))
    @action(detail=False, pagination_class=None)  # one row per type, never paged
    def summary(self, request, forum_slug):
        return Response(selectors.registration_summary(forum=self.forum))

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=False)
    def export(self, request, forum_slug):
        fmt = request.query_params.get("as", "csv")
        if fmt not in ("csv", "xlsx"):
            raise DomainError(_("Choose csv or xlsx."), field="as")
        qs = selectors.registrations_search(
            forum=self.forum, q=request.query_params.get("q", ""), status=request.query_params.get("status", ""),
            registration_type=request.query_params.get("registration_type", ""),
        )
        rows = selectors.export_rows(forum=self.forum, registrations=qs,
                                     file_url=selectors.answer_file_url_builder(request, self.forum))
        if fmt == "xlsx":
            response = HttpResponse(selectors.export_xlsx(rows),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            response = HttpResponse(selectors.export_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registrations-{self.forum.slug}.{fmt}"'
        return response

    def _act(self, func, **kwargs):
        registration = self.get_object()
        result = func(registration=registration, **kwargs)
        registration.refresh_from_db()
        return Response(serializers.RegistrationSerializer(
            result if isinstance(result, Registration) else registration, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, forum_slug, pk=None):
        return self._act(services.registration_approve)

    @action(detail=True, methods=["post"])
    def reject(self, request, forum_slug, pk=None):
        return self._act(services.registration_reject, reason=_reason(request))

    @action(detail=True, methods=["post"])
    def cancel(self, request, forum_slug, pk=None):
        return self._act(services.registration_cancel, by=request.user,
                         reason=_reason(request) or "organizer")

    @action(detail=True, methods=["post"])
    def resend(self, request, forum_slug, pk=None):
        return self._act(services.registration_confirmation_resend)


class InviteCodeViewSet(ForumScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.InviteCodeSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["registration_type", "batch"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InviteCode.objects.none()
        return InviteCode.objects.filter(registration_type__forum=self.forum).select_related("registration_type")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not forum_permissions.can_view_drafts(request.user, self.forum):
            raise NotFound(_("Not found."))
        _pii_check(request.user, self.forum)

    @extend_schema(request=serializers.InviteCodesBulkSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def bulk(self, request, forum_slug):
        data = serializers.InviteCodesBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rtype = RegistrationType.objects.filter(forum=self.forum, pk=values.pop("registration_type")).first()
        if rtype is None:
            raise DomainError(_("Choose a registration type of this forum."), field="registration_type")
        codes = services.invite_codes_create(registration_type=rtype, **values)
        return Response({"batch": codes[0].batch, "codes": [c.code for c in codes]}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=False)
    def export(self, request, forum_slug):
        data = selectors.export_csv(selectors.invite_codes_rows(forum=self.forum,
                                                                batch=request.query_params.get("batch", "")))
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invite-codes-{self.forum.slug}.csv"'
        return response


class WaitlistViewSet(ForumScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.WaitlistEntrySerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistEntry.objects.none()
        return WaitlistEntry.objects.filter(forum=self.forum).order_by("created_at", "id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.forum_readable(request.user, self.forum):
            raise NotFound(_("Not found."))
        if self.action != "create":
            _pii_check(request.user, self.forum)

    @extend_schema(request=serializers.WaitlistJoinSerializer, responses=OpenApiTypes.OBJECT)
    def create(self, request, *args, **kwargs):
        data = serializers.WaitlistJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rtype = RegistrationType.objects.filter(forum=self.forum, pk=values.pop("registration_type")).first()
        if rtype is None:
            raise DomainError(_("Choose a registration type of this forum."), field="registration_type")
        entry = services.waitlist_join(forum=self.forum, registration_type=rtype, **values)
        return Response({"id": entry.pk, "status": entry.status}, status=status.HTTP_201_CREATED)


# ---- the attendee's own registration (by secret token) ------------------------------------------


def _own_payload(registration: Registration) -> dict:
    registration = Registration.objects.select_related("forum", "registration_type", "payment").prefetch_related(
        "answers"
    ).get(pk=registration.pk)
    return serializers.OwnRegistrationSerializer(registration).data


def _own(token: str) -> Registration:
    return services.registration_for_token(access_token=token)


@extend_schema(request=None, responses=serializers.OwnRegistrationSerializer)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def own_registration(request, token):
    return Response(_own_payload(_own(token)))


@extend_schema(request=None, responses=serializers.OwnRegistrationSerializer)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def own_cancel(request, token):
    registration = services.registration_cancel(registration=_own(token), reason="attendee")
    return Response(_own_payload(registration))


@extend_schema(request=None, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def own_payment(request, token):
    """The registration's PaymentIntent (created once) and what Stripe.js needs to pay it."""
    payment = services.payment_intent_ensure(registration=_own(token))
    return Response({
        "payment_intent": payment.stripe_payment_intent_id, "client_secret": payment.client_secret,
        "amount_minor": payment.amount_minor, "currency": payment.currency, "status": payment.status,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY, "stripe_js_url": settings.STRIPE_JS_URL,
    })


@extend_schema(request=None, responses=serializers.OwnRegistrationSerializer)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def own_payment_sync(request, token):
    registration = services.payment_sync(registration=_own(token))
    return Response(_own_payload(registration))


@extend_schema(request=None, responses=serializers.OwnRegistrationSerializer)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def waitlist_claim(request, token):
    registration = services.waitlist_claim(claim_token=token)
    return Response(_own_payload(registration), status=status.HTTP_201_CREATED)


# ---- Stripe webhook ------------------------------------------------------------------------------


@csrf_exempt
@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def stripe_webhook(request):
    """Stripe events, signature checked with the SDK; each event id acted on once."""
    try:
        event = payments.webhook_event_verify(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except payments.InvalidWebhook as exc:
        return Response({"detail": f"invalid signature or payload: {exc}", "code": "webhook"},
                        status=status.HTTP_400_BAD_REQUEST)
    outcome = services.stripe_event_handle(event=event)
    return Response({"received": True, "outcome": outcome})

