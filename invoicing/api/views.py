"""The forum's invoices and credit notes for its owners and editors (issued documents are never changed;
PUT/PATCH/DELETE answer 409 with the reason). A correction is a new document: POST credit-notes/ (a credit
note without a refund) and POST replacement/ (a new invoice with corrected buyer details)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedReadOnlyViewSet

from .. import selectors, services
from ..models import Invoice, InvoiceImmutable
from .serializers import CorrectionSerializer, InvoiceSerializer, ReplacementSerializer


class InvoicePermission(permissions.BasePermission):
    message = _("Only the forum's owners and editors see its invoices.")

    def has_permission(self, request, view):
        forum = view.forum
        if not (forum.is_public or forum_permissions.can_view_drafts(request.user, forum)):
            raise Http404
        return forum_permissions.can_view_invoices(request.user, forum)


class InvoiceViewSet(ForumScopedReadOnlyViewSet):
    serializer_class = InvoiceSerializer
    permission_classes = [InvoicePermission]
    queryset = Invoice.objects.select_related("related").prefetch_related("lines")
    lookup_field = "uuid"
    filterset_fields = ["kind", "is_standard", "currency", "order_reference"]
    search_fields = ["number", "buyer_name", "buyer_name_en", "buyer_email", "buyer_vat_number"]
    ordering_fields = ["sequence", "issued_at"]
    http_method_names = ["get", "head", "options", "post", "put", "patch", "delete"]

    def get_queryset(self):
        return super().get_queryset().select_related("reverses", "replaces").order_by("-sequence")

    def _correctable(self) -> Invoice:
        invoice = self.get_object()
        if not forum_permissions.can_correct_invoices(self.request.user, self.forum):
            raise exceptions.PermissionDenied(_("Only the forum's owners and editors correct its invoices."))
        return invoice

    def _created(self, document: Invoice) -> Response:
        document = self.get_queryset().get(pk=document.pk)
        return Response(InvoiceSerializer(document, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CorrectionSerializer, responses={201: InvoiceSerializer, 200: InvoiceSerializer},
        summary="Correct an invoice with a credit note (no refund)",
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description="Up to 64 printable ASCII characters. Sent again with the same amount and reason, the "
                        "note issued the first time is returned (200, Idempotent-Replayed: true) instead of a "
                        "second one; with another amount or reason, 400 on idempotency_key.")],
    )
    @action(detail=True, methods=["post"], url_path="credit-notes")
    def credit_notes(self, request, *args, **kwargs):
        """A credit note against this invoice for the full or a partial amount, never more than is left."""
        invoice = self._correctable()
        body = CorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        gross = services.amount_minor_parse(body.validated_data["amount"], invoice.currency)
        key = request.headers.get("Idempotency-Key", "")
        earlier = selectors.correction_for_key(invoice=invoice, idempotency_key=key)
        note = services.credit_note_correct(invoice=invoice, gross_minor=gross, reason=body.validated_data["reason"],
                                            idempotency_key=key)
        if earlier is not None and earlier.pk == note.pk:
            response = self._created(note)
            response.status_code = status.HTTP_200_OK
            response["Idempotent-Replayed"] = "true"
            return response
        return self._created(note)

    @extend_schema(request=ReplacementSerializer, responses={201: InvoiceSerializer},
                   summary="Replace a fully credited invoice with corrected buyer details")
    @action(detail=True, methods=["post"])
    def replacement(self, request, *args, **kwargs):
        invoice = self._correctable()
        body = ReplacementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        buyer = services.Buyer(name=data["buyer_name"], name_en=data["buyer_name_en"], email=data["buyer_email"],
                               vat_number=data["buyer_vat_number"], address=data["buyer_address"],
                               language=invoice.language)
        return self._created(services.invoice_replace(invoice=invoice, buyer=buyer))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        self.get_object()
        raise InvoiceImmutable()

    @extend_schema(exclude=True)
    def partial_update(self, request, *args, **kwargs):
        self.get_object()
        raise InvoiceImmutable()

    @extend_schema(exclude=True)
    def destroy(self, request, *args, **kwargs):
        self.get_object()
        raise InvoiceImmutable()
