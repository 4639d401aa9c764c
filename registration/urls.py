from django.urls import include, path

app_name = "registration"
urlpatterns: list = [
    path("badges/", include("registration.badges.urls")),
]
