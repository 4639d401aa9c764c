"""Check-in and badge API: thin views over services and selectors.

Check-in endpoints are for the forum's check-in staff, editors and owners;
everyone else gets 403 (outsiders and viewers alike), anonymous users 401/403.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import permissions as forum_permissions
from forum.models import Forum
from registration.models import Registration

from .. import selectors, services
from ..models import BulkPrintJob, Scan
from . import serializers


class ForumRoleView(APIView):
    """A view on one forum, open to the users `allowed(user, forum)` accepts."""

    permission_classes = [permissions.IsAuthenticated]
    allowed = staticmethod(forum_permissions.can_check_in)

    @cached_property
    def forum(self) -> Forum:
        return get_object_or_404(Forum, slug=self.kwargs["forum_slug"])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.allowed(request.user, self.forum):
            self.permission_denied(request, message=self.denied_message)

    denied_message = "Only the check-in team of this forum may do this."


class PublicKeysView(ForumRoleView):
    @extend_schema(responses=serializers.PublicKeysSerializer, operation_id="checkin_public_keys")
    def get(self, request, forum_slug):
        services.signing_key_active(forum=self.forum)
        return Response({"forum": self.forum.pk, "keys": selectors.public_keys(forum=self.forum)})


class RevocationsView(ForumRoleView):
    @extend_schema(responses=serializers.RevocationsSerializer, operation_id="checkin_revocations")
    def get(self, request, forum_slug):
        return Response({"forum": self.forum.pk, "generated_at": timezone.now().isoformat(),
                         "revoked_badges": selectors.revoked_badge_ids(forum=self.forum)})


class RosterView(ForumRoleView):
    @extend_schema(responses=serializers.RosterSerializer, operation_id="checkin_roster")
    def get(self, request, forum_slug):
        return Response({"forum": self.forum.pk, "registrations": selectors.roster(forum=self.forum)})


class CheckpointsView(ForumRoleView):
    """GET: checkpoints with live admission counters. POST: another door or a session checkpoint (organizers)."""

    @extend_schema(responses=serializers.CheckpointListSerializer, operation_id="checkin_checkpoints_list")
    def get(self, request, forum_slug):
        services.checkpoints_ensure(forum=self.forum)
        data = serializers.CheckpointSerializer(selectors.checkpoints_for_scanner(forum=self.forum), many=True).data
        return Response({"checkpoints": data, "scans": Scan.objects.filter(forum=self.forum).count()})

    @extend_schema(request=serializers.CheckpointSerializer, responses={201: serializers.CheckpointSerializer},
                   operation_id="checkin_checkpoints_create")
    def post(self, request, forum_slug):
        # Refuse check-in staff before reading the body: a 400 would tell them how to shape a request.
        if not forum_permissions.can_edit_forum(request.user, self.forum):
            self.permission_denied(request, message="Only the organizers of this forum may add checkpoints.")
        serializer = serializers.CheckpointSerializer(data=request.data, context={"forum": self.forum})
        serializer.is_valid(raise_exception=True)
        checkpoint = services.checkpoint_create(forum=self.forum, by=request.user, **{
            k: serializer.validated_data.get(k) or "" for k in ("name_ar", "name_en")
        }, session=serializer.validated_data.get("session"))
        return Response(serializers.CheckpointSerializer(checkpoint).data, status=status.HTTP_201_CREATED)


def _scan(request, forum, data: dict) -> dict:
    serializer = serializers.ScanRequestSerializer(data=data, context={"forum": forum})
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    scan = services.check_in_badge(
        token=values["token"], checkpoint=values["checkpoint"], staff=request.user,
        client_nonce=values["client_nonce"], client_scanned_at=values["client_scanned_at"],
    )
    return serializers.scan_result(scan, local_outcome=values.get("local_outcome", ""))


class ScanView(ForumRoleView):
    """POST a scanned token at a checkpoint; the answer is the outcome (always 200 once the scan is recorded).

    The scanner page's own request (signed in by its session cookie, CSRF header, a well-formed JSON
    body, a check-in team member, an open checkpoint of this forum) is answered before it gets here, by
    scan_fast.ScanMiddleware, without building DRF's request, serializer and renderer; everything else
    (API tokens, bad input, refusals) comes here, and both give the same answer
    (tests/registration/badges/test_scan_fast.py).
    """

    @extend_schema(request=serializers.ScanRequestSerializer, responses=serializers.ScanResultSerializer,
                   operation_id="checkin_scan")
    def post(self, request, forum_slug):
        return Response(_scan(request, self.forum, request.data))


class ScanBatchView(ForumRoleView):
    """Upload scans an offline scanner queued; each is handled as if it had been sent then. Reports conflicts."""

    @extend_schema(request=serializers.ScanBatchSerializer, responses=serializers.ScanBatchResultSerializer,
                   operation_id="checkin_scan_batch")
    def post(self, request, forum_slug):
        from rest_framework.exceptions import ValidationError

        batch = serializers.ScanBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        results = []
        for item in batch.validated_data["scans"]:
            try:
                results.append(_scan(request, self.forum, item))
            except ValidationError as exc:
                results.append({"client_nonce": str(item.get("client_nonce", "")), "errors": exc.detail})
        conflicts = [r for r in results if r.get("conflict")]
        return Response({"results": results, "conflicts": len(conflicts)})


class AttendanceView(ForumRoleView):
    allowed = staticmethod(forum_permissions.can_view_drafts)

    @extend_schema(responses=serializers.AttendanceSerializer, operation_id="attendance_summary")
    def get(self, request, forum_slug):
        summary = selectors.attendance_summary(forum=self.forum)
        for row in summary["over_time"]:
            row["hour"] = row["hour"].isoformat()
        return Response(summary)


class BadgeReissueView(ForumRoleView):
    allowed = staticmethod(forum_permissions.can_edit_forum)
    denied_message = "Only the organizers of this forum may re-issue badges."

    @extend_schema(request=None, responses={201: serializers.BadgeReissuedSerializer}, operation_id="badge_reissue")
    def post(self, request, forum_slug, registration_id):
        registration = get_object_or_404(Registration, forum=self.forum, pk=registration_id)
        badge = services.badge_reissue(registration=registration)
        return Response({"badge": badge.pk, "token": badge.token, "issued_at": badge.issued_at.isoformat()},
                        status=status.HTTP_201_CREATED)


class PrintJobsView(ForumRoleView):
    allowed = staticmethod(forum_permissions.can_edit_forum)
    denied_message = "Only the organizers of this forum may print badges."

    @extend_schema(responses=serializers.PrintJobSerializer(many=True), operation_id="badge_print_jobs_list")
    def get(self, request, forum_slug):
        jobs = BulkPrintJob.objects.filter(forum=self.forum).select_related("forum")[:50]
        return Response(serializers.PrintJobSerializer(jobs, many=True).data)

    @extend_schema(request=serializers.PrintJobSerializer, responses={202: serializers.PrintJobSerializer},
                   operation_id="badge_print_jobs_create")
    def post(self, request, forum_slug):
        serializer = serializers.PrintJobSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.print_job_create(forum=self.forum, by=request.user,
                                        order_by=serializer.validated_data.get("order_by", "organization"),
                                        filters=serializer.validated_data.get("filters") or {})
        job.refresh_from_db()
        return Response(serializers.PrintJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class PrintJobView(ForumRoleView):
    allowed = staticmethod(forum_permissions.can_edit_forum)

    @extend_schema(responses=serializers.PrintJobSerializer, operation_id="badge_print_job_retrieve")
    def get(self, request, forum_slug, job_id):
        job = get_object_or_404(BulkPrintJob.objects.select_related("forum"), forum=self.forum, pk=job_id)
        return Response(serializers.PrintJobSerializer(job).data)
