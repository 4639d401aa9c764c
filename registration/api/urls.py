from django.urls import include, path

urlpatterns: list = [
    path("", include("registration.badges.api.urls")),
]
