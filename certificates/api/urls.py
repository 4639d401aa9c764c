from django.urls import path

from . import views

app_name = "certificates-api"

forum = "forums/<slug:forum_slug>/certificates/"
urlpatterns: list = [
    path(f"{forum}", views.CertificatesView.as_view(), name="certificates"),
    path(f"{forum}<int:certificate_id>/revoke/", views.CertificateRevokeView.as_view(), name="revoke"),
    path(f"{forum}<int:certificate_id>/correct/", views.CertificateCorrectView.as_view(), name="correct"),
    path(f"{forum}eligibility/", views.EligibilityView.as_view(), name="eligibility"),
    path(f"{forum}batches/", views.BatchesView.as_view(), name="batches"),
    path(f"{forum}batches/<int:batch_id>/", views.BatchView.as_view(), name="batch"),
    path("certificates/mine/", views.MineView.as_view(), name="mine"),
    path("certificates/verify/<str:code>/", views.VerifyView.as_view(), name="verify"),
]
