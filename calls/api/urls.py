from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("calls/submissions", views.SubmissionViewSet, basename="call-submission")
router.register("calls", views.CallViewSet, basename="call")

urlpatterns = [
    path("forums/<slug:forum_slug>/calls/", views.CallViewSet.as_view({"get": "current"}), name="call-current"),
    path("forums/<slug:forum_slug>/", include(router.urls)),
]
