from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("people", views.PersonViewSet, basename="person")
router.register("forums", views.ForumViewSet, basename="forum")

forum_router = DefaultRouter()
forum_router.include_root_view = False
forum_router.register("halls", views.HallViewSet, basename="hall")
forum_router.register("tracks", views.TrackViewSet, basename="track")
forum_router.register("sponsorships", views.SponsorshipViewSet, basename="sponsorship")
forum_router.register("team", views.TeamMemberViewSet, basename="team-member")

# Each app adds its forum-scoped routes under forums/<forum_slug>/ in its own api/urls.py.
urlpatterns = [
    # Registration first: public registration is the busiest endpoint, and Django tries the
    # patterns in order (no pattern here overlaps another, so the order changes nothing else).
    path("", include("registration.api.urls")),
    path("", include(router.urls)),
    path("forums/<slug:forum_slug>/", include(forum_router.urls)),
    path("", include("sessions.api.urls")),
    path("", include("speakers.api.urls")),
    path("", include("calls.api.urls")),
    path("", include("forum.mailing.api.urls")),
    path("", include("invoicing.api.urls")),
    path("", include("frontend.api.urls")),
    path("", include("awards.api.urls")),
    path("", include("surveys.api.urls")),
    path("", include("announcements.api.urls")),
]
