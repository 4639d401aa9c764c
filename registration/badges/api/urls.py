from django.urls import path

from . import views

app_name = "badges-api"

forum = "forums/<slug:forum_slug>/"
urlpatterns: list = [
    path(f"{forum}checkin/keys/", views.PublicKeysView.as_view(), name="keys"),
    path(f"{forum}checkin/revocations/", views.RevocationsView.as_view(), name="revocations"),
    path(f"{forum}checkin/roster/", views.RosterView.as_view(), name="roster"),
    path(f"{forum}checkin/checkpoints/", views.CheckpointsView.as_view(), name="counters"),
    path(f"{forum}checkin/scans/", views.ScanView.as_view(), name="scan"),
    path(f"{forum}checkin/scans/batch/", views.ScanBatchView.as_view(), name="scan-batch"),
    path(f"{forum}attendance/", views.AttendanceView.as_view(), name="attendance"),
    path(f"{forum}registrations/<int:registration_id>/badge/reissue/", views.BadgeReissueView.as_view(),
         name="badge-reissue"),
    path(f"{forum}badges/print-jobs/", views.PrintJobsView.as_view(), name="print-jobs"),
    path(f"{forum}badges/print-jobs/<int:job_id>/", views.PrintJobView.as_view(), name="print-job"),
]
