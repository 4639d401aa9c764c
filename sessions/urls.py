from django.urls import path

from . import views

app_name = "sessions"
urlpatterns = [
    path("<slug:forum_slug>/builder/", views.builder, name="builder"),
    path("<slug:forum_slug>/ceremony/", views.run_sheet, name="run_sheet"),
    path("<slug:forum_slug>/ceremony/live/", views.ceremony_live, name="ceremony_live"),
    path("<slug:forum_slug>/gifts/", views.gift_inventory, name="gift_inventory"),
]
