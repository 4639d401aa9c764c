from django.urls import path

from . import views

urlpatterns = [
    path("forums/<slug:forum_slug>/agenda/", views.PublicAgendaView.as_view(), name="public-agenda"),
    path("forums/<slug:forum_slug>/starred/", views.StarredListView.as_view(), name="starred-sessions"),
    path("forums/<slug:forum_slug>/starred/<int:session_id>/", views.StarredDetailView.as_view(),
         name="starred-session"),
]
