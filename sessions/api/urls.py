from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("sessions", views.SessionViewSet, basename="session")
router.register("session-roles", views.SessionRoleViewSet, basename="session-role")
router.register("session-items", views.SessionItemViewSet, basename="session-item")
router.register("honorees", views.HonoreeViewSet, basename="honoree")
router.register("gift-items", views.GiftItemViewSet, basename="gift-item")
router.register("schedule-versions", views.ScheduleVersionViewSet, basename="schedule-version")
router.register("prayer-time-overrides", views.PrayerTimeOverrideViewSet, basename="prayer-time-override")

forum_urls = [
    path("", include(router.urls)),
    path("publish/", views.PublishView.as_view(), name="schedule-publish"),
    path("conflicts/", views.ConflictsView.as_view(), name="schedule-conflicts"),
    path("prayer-times/", views.PrayerTimesView.as_view(), name="prayer-times"),
    path("prayer-breaks/", views.PrayerBreakView.as_view(), name="prayer-break-insert"),
    path("copy-edition/", views.EditionCopyView.as_view(), name="edition-copy"),
]

urlpatterns = [
    path("forums/<slug:forum_slug>/", include(forum_urls)),
]
