from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("forum.api.urls")),
    path("api/v1/", include("certificates.api.urls")),
    path("calendar/", include("calendars.urls")),
]

# Pages: Arabic at /, English at /en/, so every link stays shareable in its language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("forum.mailing.urls")),  # organize/<forum>/outbox/, mail/unsubscribe/<token>/
    path("organize/", include("sessions.urls")),
    path("portal/", include("speakers.urls")),
    path("calls/", include("calls.urls")),
    path("registration/", include("registration.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("awards/", include("awards.urls")),
    path("certificates/", include("certificates.urls")),
    path("surveys/", include("surveys.urls")),
    path("messages/", include("announcements.urls")),
    path("", include("frontend.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
