from django.urls import path

from . import views

app_name = "announcements"
urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
]
