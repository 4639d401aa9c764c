from django.urls import include, path

from . import views

app_name = "registration"
urlpatterns: list = [
    path("badges/", include("registration.badges.urls")),
    path("r/<str:token>/", views.detail, name="detail"),
    path("r/<str:token>/pay/", views.pay, name="pay"),
    path("r/<str:token>/paid/", views.payment_return, name="payment_return"),
    path("r/<str:token>/cancel/", views.cancel, name="cancel"),
    path("r/<str:token>/invoices/<uuid:uuid>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("claim/<str:token>/", views.claim, name="claim"),
    path("<slug:slug>/", views.register, name="register"),
    path("<slug:slug>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/<int:pk>/<str:action>/", views.manage_action, name="manage_action"),
    path("<slug:slug>/manage/export.<str:fmt>", views.export, name="export"),
    path("<slug:slug>/manage/invite-codes.csv", views.invite_codes_export, name="invite_codes_export"),
    path("<slug:slug>/manage/invite-codes/", views.invite_codes_create, name="invite_codes_create"),
    path("<slug:slug>/manage/answers/<int:answer_id>/file/", views.answer_file, name="answer_file"),
    path("<slug:slug>/manage/settings/", views.settings_edit, name="settings"),
]
