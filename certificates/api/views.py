"""Certificates API: organizers issue, correct, revoke and run batches; holders list theirs; anyone verifies."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import permissions as forum_permissions
from forum.models import Forum

from .. import selectors, services
from ..models import Certificate, CertificateBatch
from . import serializers


class OrganizerView(APIView):
    """A view on one forum's certificates: owners and editors only (they hold people's names and e-mails)."""

    permission_classes = [permissions.IsAuthenticated]

    @cached_property
    def forum(self) -> Forum:
        return get_object_or_404(Forum, slug=self.kwargs["forum_slug"])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not forum_permissions.can_edit_forum(request.user, self.forum):
            self.permission_denied(request, message="Only the organizers of this forum may manage its certificates.")


class CertificatesView(OrganizerView):
    @extend_schema(responses=serializers.CertificateSerializer(many=True), operation_id="certificates_list")
    def get(self, request, forum_slug):
        rows = selectors.certificates_for_forum(forum=self.forum)[:1000]
        return Response(serializers.CertificateSerializer(rows, many=True).data)

    @extend_schema(request=serializers.CertificateIssueSerializer, responses={201: serializers.CertificateSerializer},
                   operation_id="certificates_issue")
    def post(self, request, forum_slug):
        s = serializers.CertificateIssueSerializer(data=request.data, context={"forum": self.forum})
        s.is_valid(raise_exception=True)
        data = s.validated_data
        cert = services.certificate_issue(
            forum=self.forum, kind=data["kind"], holder=data.get("registration") or data["person"], by=request.user,
            role_ar=data["role_ar"], role_en=data["role_en"], session=data.get("session"), hours=data.get("hours"),
            subject=data["subject"])
        return Response(serializers.CertificateSerializer(cert).data, status=status.HTTP_201_CREATED)


class CertificateRevokeView(OrganizerView):
    @extend_schema(request=serializers.CertificateRevokeSerializer, responses=serializers.CertificateSerializer,
                   operation_id="certificates_revoke")
    def post(self, request, forum_slug, certificate_id):
        cert = get_object_or_404(Certificate, forum=self.forum, pk=certificate_id)
        s = serializers.CertificateRevokeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cert = services.certificate_revoke(certificate=cert, by=request.user, reason=s.validated_data["reason"])
        return Response(serializers.CertificateSerializer(cert).data)


class CertificateCorrectView(OrganizerView):
    @extend_schema(request=serializers.CertificateCorrectSerializer, responses={201: serializers.CertificateSerializer},
                   operation_id="certificates_correct")
    def post(self, request, forum_slug, certificate_id):
        cert = get_object_or_404(Certificate, forum=self.forum, pk=certificate_id)
        s = serializers.CertificateCorrectSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        new = services.certificate_correct(certificate=cert, by=request.user, **s.validated_data)
        return Response(serializers.CertificateSerializer(new).data, status=status.HTTP_201_CREATED)


class EligibilityView(OrganizerView):
    @extend_schema(responses=serializers.EligibilitySerializer(many=True), operation_id="certificates_eligibility")
    def get(self, request, forum_slug):
        return Response(serializers.EligibilitySerializer(selectors.eligibility_for_forum(forum=self.forum),
                                                          many=True).data)


class BatchesView(OrganizerView):
    @extend_schema(responses=serializers.CertificateBatchSerializer(many=True), operation_id="certificate_batches_list")
    def get(self, request, forum_slug):
        rows = CertificateBatch.objects.filter(forum=self.forum)[:50]
        return Response(serializers.CertificateBatchSerializer(rows, many=True).data)

    @extend_schema(request=serializers.CertificateBatchSerializer,
                   responses={202: serializers.CertificateBatchSerializer}, operation_id="certificate_batches_create")
    def post(self, request, forum_slug):
        s = serializers.CertificateBatchSerializer(data=request.data, context={"forum": self.forum})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        batch = services.batch_create(forum=self.forum, by=request.user, scope=d["scope"], session=d.get("session"),
                                      person_ids=[i for i in d.get("person_ids") or [] if isinstance(i, int)],
                                      role_ar=d.get("role_ar", ""), role_en=d.get("role_en", ""),
                                      kind=d.get("kind", ""), notify=d.get("notify"))
        batch.refresh_from_db()
        return Response(serializers.CertificateBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class BatchView(OrganizerView):
    @extend_schema(responses=serializers.CertificateBatchSerializer, operation_id="certificate_batch_retrieve")
    def get(self, request, forum_slug, batch_id):
        batch = get_object_or_404(CertificateBatch, forum=self.forum, pk=batch_id)
        return Response(serializers.CertificateBatchSerializer(batch).data)


class MineView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.CertificateSerializer(many=True), operation_id="certificates_mine")
    def get(self, request):
        rows = selectors.certificates_for_user(user=request.user)
        return Response(serializers.CertificateSerializer(rows, many=True).data)


class VerifyView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=serializers.VerificationSerializer, operation_id="certificates_verify")
    def get(self, request, code):
        cert = selectors.certificate_by_code(code)
        if cert is None or not (cert.forum.is_public or forum_permissions.can_view_drafts(request.user, cert.forum)):
            raise NotFound()
        return Response(serializers.VerificationSerializer(cert).data)
