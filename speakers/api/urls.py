from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

forum_router = DefaultRouter()
forum_router.include_root_view = False
forum_router.register("invitations", views.InvitationViewSet, basename="invitation")
forum_router.register("papers", views.PaperViewSet, basename="paper")
forum_router.register("review-criteria", views.ReviewCriterionViewSet, basename="review-criterion")
forum_router.register("review-assignments", views.ReviewAssignmentViewSet, basename="review-assignment")
forum_router.register("proceedings", views.ProceedingsViewSet, basename="proceedings")

router = DefaultRouter()
router.include_root_view = False
router.register("my-reviews", views.MyReviewViewSet, basename="my-review")
router.register("my-invitations", views.MyInvitationViewSet, basename="my-invitation")

urlpatterns = [
    path("forums/<slug:forum_slug>/paper-settings/", views.PaperSettingsView.as_view(), name="paper-settings"),
    path("forums/<slug:forum_slug>/speaker-reminders/", views.RemindersView.as_view(), name="speaker-reminders"),
    path("forums/<slug:forum_slug>/", include(forum_router.urls)),
    path("", include(router.urls)),
]
