"""Settings for the forum project.

Everything that differs between a laptop, CI and production comes from the
environment, so the same code runs as one process on SQLite or as several
stateless app servers sharing PostgreSQL, Redis and object storage.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# No key is built in: one that sits in the repository is public, and SECRET_KEY also
# protects sessions, sign-in links and (unless BADGE_SIGNING_SECRET is set) the forums'
# badge-signing keys. `make run`, `make test` and the tests' settings set their own.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production (DEBUG=0) refuses to start without it: set SECRET_KEY to a long "
        "random string kept secret and the same on every app server and worker, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
        "On a developer machine `make run` and `make test` set a development key; for a single command, "
        "e.g. SECRET_KEY=dev-only python manage.py makemigrations."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "forum.apps.ForumConfig",
    "forum.mailing.apps.MailingConfig",
    "accounts.apps.AccountsConfig",
    "calendars.apps.CalendarsConfig",
    "sessions.apps.SessionsConfig",
    "speakers.apps.SpeakersConfig",
    "calls.apps.CallsConfig",
    "invoicing.apps.InvoicingConfig",
    "registration.apps.RegistrationConfig",
    "registration.badges.apps.BadgesConfig",
    "awards.apps.AwardsConfig",
    "certificates.apps.CertificatesConfig",
    "frontend.apps.FrontendConfig",
    "demo.apps.DemoConfig",
    "announcements.apps.AnnouncementsConfig",
    "surveys.apps.SurveysConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Visitors' cached agenda answers straight from the cache, before session, locale, auth and messages.
    "frontend.fastpath.CachedAgendaMiddleware",
    # The scanner page's scans, answered before the same middleware (registration/badges/api/scan_fast.py).
    "registration.badges.api.scan_fast.ScanMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "forum.middleware.ApiLanguageMiddleware",
    "forum.middleware.FormCharsetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writes queue instead of failing with "database is locked": every transaction takes the
    # write lock when it begins (IMMEDIATE), so one that has read can never find the lock
    # taken when it then writes (SQLite cannot wait then, whatever the timeout); the others
    # wait up to `timeout` seconds for their turn. WAL lets reads go on beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=int(os.environ.get("SQLITE_TIMEOUT", "30")),
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
elif os.environ.get("DB_SERVER_SIDE_BINDING", "1") == "1":
    # Parameters sent apart from the SQL, so psycopg prepares a statement a connection
    # runs often (5 times) and PostgreSQL stops planning it again: the public
    # registration's lookups cost a quarter of the database CPU they did.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a real broker when one is configured, otherwise every task runs
# in-process at once so that a bare `make run` needs nothing else.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks never reach a broker; naming the in-memory one keeps kombu
    # from guessing "localhost" when something asks for a connection.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Riyadh"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"  # the product's one sign-in page, for every staff page
LOGIN_REDIRECT_URL = "accounts:home"

# Arabic first, English second.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Riyadh"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Media on the local disk by default; S3-compatible object storage when a
# bucket is configured, so that several app servers share uploaded files.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# E-mail: every message goes through the outbox (forum.mailing) first.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# The file backend (make run) writes each message as a file here.
FORM_RENDERER = "forum.forms.FormRenderer"  # one form layout for the product (forum/forms.py)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ملتقى الجودة والتميز <forum@example.org>")

# Stripe (PaymentIntents). STRIPE_API_BASE points the SDK at localstripe in tests.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Stripe.js for the pay page; a test server named in STRIPE_API_BASE (localstripe) serves its own copy.
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL") or (
    f"{STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quality and Excellence Forums API",
    "DESCRIPTION": "Forums, agendas, speakers, working papers, registration and check-in.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"HonorificEnum": "forum.models.Honorific", "LanguageEnum": "forum.settings.LANGUAGES"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums", "forum.api.schema.times_are_local",
        "forum.api.schema.field_errors_named",
    ],
}

# Production hardening, switched on with HTTPS=1 behind a TLS-terminating
# load balancer (see README). Off by default so the dev server and the test
# client speak plain HTTP.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe /healthz over plain HTTP: it answers there; everything else redirects.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ---- Settings owned by individual apps are added below this line, one block per app. ----
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "forum.api.base.exception_handler"
# JSON nested too deeply to parse is a 400 (forum.api.parsers.JSONParser), not a RecursionError.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "forum.api.parsers.JSONParser", "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser",
]

# ---- speakers ----
# Papers, slides and proceedings: outside MEDIA_ROOT, streamed only by views that check access.
SPEAKERS_PRIVATE_ROOT = Path(os.environ.get("SPEAKERS_PRIVATE_ROOT", BASE_DIR / "private_media"))
SPEAKERS_INVITATION_DAYS = int(os.environ.get("SPEAKERS_INVITATION_DAYS", "30"))
AWARDS_MAX_UPLOAD_MB = int(os.environ.get("AWARDS_MAX_UPLOAD_MB", "25"))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "PaperFileKindEnum": "speakers.models.FileKind",
    "PaperFileRoleEnum": "speakers.models.PaperFile.Role",
    "InvitationRoleEnum": "speakers.models.Invitation.ROLES",
    "InvitationStatusEnum": "speakers.models.Invitation.Status",
    "WorkingPaperStatusEnum": "speakers.models.WorkingPaper.Status",
    "PaperPublicationEnum": "speakers.models.PaperSettings.Publication",
    "ProceedingsJobStatusEnum": "speakers.models.ProceedingsJob.Status",
})
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "CertificateKindEnum": "certificates.models.Kind",
    "AwardCategoryKindEnum": "awards.models.Category.Kind",
    "CertificateBatchScopeEnum": "certificates.models.CertificateBatch.Scope",
    "CertificateBatchStatusEnum": "certificates.models.CertificateBatch.Status",
    "GiftItemKindEnum": "sessions.models.GiftItem.Kind",
})

# ---- mailing and calendars (issue 7) ----
# The outbox sweep: retries failed e-mail after its backoff and recovers
# messages left "sending" by a worker that died.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "mailing.retry_due": {"task": "mailing.retry_due", "schedule": 60.0},
    # Calendar e-mails of a publication whose task was lost (broker down).
    "calendars.publications_announce_pending": {"task": "calendars.publications_announce_pending", "schedule": 300.0},
}
# How often calendar apps are asked to refresh a subscribed feed.
CALENDAR_FEED_REFRESH_MINUTES = int(os.environ.get("CALENDAR_FEED_REFRESH_MINUTES", "60"))

# ---- sessions (agenda builder) ----
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "SessionKindEnum": "sessions.models.Session.Kind",
    "SessionItemKindEnum": "sessions.models.SessionItem.Kind",
    "SessionRoleEnum": "sessions.models.SessionRole.Role",
    "PrayerEnum": "sessions.models.Prayer",
})

# ---- badges and check-in ----
# BADGE_SIGNING_SECRET encrypts the forums' Ed25519 private keys at rest;
# empty means SECRET_KEY is used (set it separately to rotate SECRET_KEY freely).
BADGE_SIGNING_SECRET = os.environ.get("BADGE_SIGNING_SECRET", "")
# How far back an offline scanner's clock may date a queued scan (it decides the badge's
# validity then; the admission's day and order always come from when the server received it).
CHECKIN_OFFLINE_MAX_HOURS = int(os.environ.get("CHECKIN_OFFLINE_MAX_HOURS", "12"))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ScanOutcomeEnum": "registration.badges.models.Scan.Outcome",
    "BadgePrintJobStatusEnum": "registration.badges.models.BulkPrintJob.Status",
    "BadgePrintOrderEnum": "registration.badges.models.BulkPrintJob.Order",
    "CheckpointKindEnum": "registration.badges.models.Checkpoint.Kind",
})

# ---- registration ----
# Unpaid registrations past their hold release their seat; lapsed waiting-list offers move on.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "registration.registrations_expire": {"task": "registration.tasks.registrations_expire", "schedule": 60.0},
    # New registrations' e-mails are queued in batches from memory; this sends any a crash lost.
    "registration.notifications_send_due": {
        "task": "registration.tasks.registration_notifications_send_due", "schedule": 60.0,
    },
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "RegistrationStatusEnum": "registration.models.Registration.Status",
    "RegistrationCategoryEnum": "registration.models.RegistrationType.Category",
    "RegistrationPricingEnum": "registration.models.RegistrationType.Pricing",
    "RegistrationPaymentStatusEnum": "registration.models.Payment.Status",
    "WaitlistStatusEnum": "registration.models.WaitlistEntry.Status",
    "RegistrationQuestionKindEnum": "registration.models.Question.Kind",
})

# ---- surveys and announcements (issue 19) ----
# Non-essential mail (announcements, survey invitations and reminders) leaves the outbox
# at most this many messages a second per batch (0: no limit).
OUTBOX_BULK_PER_SECOND = float(os.environ.get("OUTBOX_BULK_PER_SECOND", "25"))
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "surveys.send_due": {"task": "surveys.send_due", "schedule": 300.0},
    "announcements.send_due": {"task": "announcements.send_due", "schedule": 60.0},
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "SurveyStatusEnum": "surveys.models.Survey.Status",
    "SurveyQuestionKindEnum": "surveys.models.Question.Kind",
    "AnnouncementSegmentEnum": "announcements.models.Announcement.Segment",
    "AnnouncementStatusEnum": "announcements.models.Announcement.Status",
})

# ---- calls (open call for working papers, issue 17) ----
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "calls.acceptances_expire": {"task": "calls.acceptances_expire", "schedule": 600.0},
    "calls.submissions_close": {"task": "calls.submissions_close", "schedule": 300.0},
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "CallSubmissionStatusEnum": "calls.models.Submission.Status",
    "CallSubmissionKindEnum": "calls.models.SubmissionType.Kind",
    "CallOutcomeEnum": "calls.models.Outcome",
})
