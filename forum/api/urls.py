from django.urls import include, path

urlpatterns = [
    path("", include("sessions.api.urls")),
    path("", include("speakers.api.urls")),
    path("", include("registration.api.urls")),
]
