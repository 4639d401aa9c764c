from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

forum_router = DefaultRouter()
forum_router.include_root_view = False
forum_router.register("registration-types", views.RegistrationTypeViewSet, basename="registration-type")
forum_router.register("registration-questions", views.QuestionViewSet, basename="registration-question")
forum_router.register("registrations", views.RegistrationViewSet, basename="registration")
forum_router.register("invite-codes", views.InviteCodeViewSet, basename="invite-code")
forum_router.register("waitlist", views.WaitlistViewSet, basename="waitlist-entry")

urlpatterns: list = [
    path("", include("registration.badges.api.urls")),
    path("forums/<slug:forum_slug>/", include(forum_router.urls)),
    path("forums/<slug:forum_slug>/registration-settings/", views.RegistrationSettingsView.as_view(),
         name="registration-settings"),
    path("registration/me/<str:token>/", views.own_registration, name="registration-own"),
    path("registration/me/<str:token>/cancel/", views.own_cancel, name="registration-own-cancel"),
    path("registration/me/<str:token>/payment/", views.own_payment, name="registration-own-payment"),
    path("registration/me/<str:token>/payment/sync/", views.own_payment_sync, name="registration-own-payment-sync"),
    path("registration/claim/<str:token>/", views.waitlist_claim, name="registration-waitlist-claim"),
    path("registration/stripe/webhook/", views.stripe_webhook, name="registration-stripe-webhook"),
]
