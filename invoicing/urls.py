from django.urls import path

from . import views

app_name = "invoicing"
urlpatterns = [
    path("<slug:slug>/", views.manage, name="manage"),
    path("<slug:slug>/export.<str:fmt>", views.export, name="export"),
    path("<slug:slug>/seller/", views.seller_settings, name="seller"),
    path("<slug:slug>/<uuid:uuid>.pdf", views.document_pdf, name="pdf"),
    path("<slug:slug>/<uuid:uuid>.xml", views.document_xml, name="xml"),
    path("<slug:slug>/<uuid:uuid>/correct/", views.document_correct, name="correct"),
]
