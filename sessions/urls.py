from django.urls import path

from . import views

app_name = "sessions"
urlpatterns = [
    path("<slug:forum_slug>/builder/", views.builder, name="builder"),
]
