"""The forum's invoices and credit notes for its owners and editors (read only: issued documents are
never changed; PUT/PATCH/DELETE answer 409 with the reason)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions

from forum import permissions as forum_permissions
from forum.api.base import ForumScopedReadOnlyViewSet

from ..models import Invoice, InvoiceImmutable
from .serializers import InvoiceSerializer


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
    http_method_names = ["get", "head", "options", "put", "patch", "delete"]

    def get_queryset(self):
        return super().get_queryset().order_by("-sequence")

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
