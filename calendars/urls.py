from django.urls import path

from . import views
from .api import views as api_views

app_name = "calendars"
urlpatterns = [
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("forums/<slug:forum_slug>/sessions/<int:session_id>.ics", views.session_ics, name="session_ics"),
    path("api/forums/<slug:forum_slug>/settings/", api_views.CalendarSettingsView.as_view(), name="settings"),
    path("api/forums/<slug:forum_slug>/feeds/mine/", api_views.MyFeedView.as_view(), name="feed_mine"),
    path("api/forums/<slug:forum_slug>/feeds/team/", api_views.TeamFeedView.as_view(), name="feed_team"),
    path("api/forums/<slug:forum_slug>/feeds/people/<int:person_id>/", api_views.PersonFeedView.as_view(),
         name="feed_person"),
]
