from django.urls import include, path

from . import views

app_name = "registration"
urlpatterns: list = [
    path("badges/", include("registration.badges.urls")),
    path("<slug:slug>/", views.register, name="register"),
]
