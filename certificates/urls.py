from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("v/<str:code>/", views.verify, name="verify"),
    path("v/<str:code>/certificate.pdf", views.certificate_download, name="download"),
    path("mine/", views.mine, name="mine"),
    path("manage/<slug:slug>/", views.manage, name="manage"),
    path("manage/<slug:slug>/preview/<str:kind>.pdf", views.preview, name="preview"),
    path("manage/<slug:slug>/designs/<str:kind>/", views.design_save, name="design_save"),
    path("manage/<slug:slug>/batches/<int:batch_id>/download/", views.batch_download, name="batch_download"),
]
