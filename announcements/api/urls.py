from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("announcements", views.AnnouncementViewSet, basename="announcement")

urlpatterns = [
    path("forums/<slug:forum_slug>/", include(router.urls)),
]
