"""Ninety's one settings module. Everything that varies comes from NINETY_* environment variables.

Development is the default (the demo and the tests). ``NINETY_ENV=production`` turns on the
production posture: no DEBUG, a required secret key, secure cookies, and (``NINETY_HTTPS``,
default on in production) SSL redirect and HSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ninety.conf import (
    cache_config,
    database_config,
    env_bool,
    env_date,
    env_dir,
    env_int,
    env_list,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_dir("NINETY_DATA_DIR", Path.cwd())

ENV = os.environ.get("NINETY_ENV", "development").strip().lower()
if ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"NINETY_ENV={ENV!r}: expected development or production")
PRODUCTION = ENV == "production"

DEBUG = env_bool("NINETY_DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("NINETY_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("NINETY_SECRET_KEY must be set when NINETY_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-ninety-0123456789"

ALLOWED_HOSTS = env_list(
    "NINETY_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("NINETY_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "ninety.people.admin_apps.OperatorAdminConfig",  # the Django admin, operators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "auditlog",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "ninety.people",
    "ninety.notify",
    "ninety.playbook",
    "ninety.activity",
    "ninety.ingest",
    "ninety.diagnosis",
    "ninety.coaching",
    "ninety.experiments",
    "ninety.goals",
    "ninety.conversations",
    "ninety.delegation",
    "ninety.api",
    "ninety.home",
    "ninety.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ninety.people.reliability.RequestTimeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ninety.people.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ninety.people.middleware.CurrentPersonMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "ninety.people.reliability.DatabaseTroubleMiddleware",
    # Axes last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ninety.urls"
WSGI_APPLICATION = "ninety.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ninety.people.context_processors.current_person",
                "ninety.notify.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": database_config(os.environ.get("NINETY_DATABASE_URL"), DATA_DIR / "ninety.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The diagnosis's report cache (``reports``): NINETY_CACHE_URL = redis://host:port/db, db (a
# table in the database) or memory (per process); db in production, memory otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "reports": cache_config(os.environ.get("NINETY_CACHE_URL"), PRODUCTION),
}

# Wall time one web request may take (seconds; 0: no limit); PostgreSQL statements run in a
# request get the same. Imports (the page and the bulk endpoint) get NINETY_IMPORT_SECONDS.
NINETY_REQUEST_SECONDS = env_int("NINETY_REQUEST_SECONDS", 20)
NINETY_IMPORT_SECONDS = env_int("NINETY_IMPORT_SECONDS", 900)
NINETY_LONG_REQUEST_PATHS = ("/import/", "/api/activities/bulk")
# Bodies read into memory (forms, JSON): 2.5 MiB. The bulk activity endpoint reads its own
# stream up to 50 MiB; uploaded files stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Files uploaded on the import page (streamed to disk, then imported).
NINETY_UPLOAD_MAX_BYTES = env_int("NINETY_UPLOAD_MAX_MB", 512) << 20

# Argon2 first: new and changed passwords are hashed with it; older hashes upgrade on login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: five failures for a username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("NINETY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N trusted proxies the lockout keys on the address the outermost one saw, not on the
# proxy's own (which would let anyone lock anyone out).
NINETY_TRUSTED_PROXIES = env_int("NINETY_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "ninety.people.sessions.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_URL_PATH = "/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("NINETY_TIME_ZONE", "UTC")
# The day pages read as "today" (a demo served as of a past day: ``ninety demo --as-of``).
NINETY_TODAY = env_date("NINETY_TODAY")

# Background work (imports): Django's tasks API on its database backend, so the queue lives in
# the same database and needs no broker; `ninety serve` and `ninety demo` start the worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
USE_I18N = True
# One human date format on every page (ninety.core.dates), also where a template prints a date
# without the day/when filters.
FORMAT_MODULE_PATH = ["ninety.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic target for production; in development WhiteNoise serves from the app folders.
STATIC_ROOT = os.environ.get("NINETY_STATIC_ROOT") or (
    DATA_DIR / "staticfiles" if PRODUCTION else None
)
# Outside production WhiteNoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
# A session ends 12 hours after sign-in, or after NINETY_SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env_int("NINETY_SESSION_HOURS", 12) * 3600
NINETY_SESSION_IDLE_MINUTES = env_int("NINETY_SESSION_IDLE_MINUTES", 60)
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy: only Ninety's own scripts, styles, images and fonts; no frames, no
# plugins, forms post only here. Style attributes stay allowed (the bars and heatmap cells are
# sized by them); scripts never run inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

HTTPS = env_bool("NINETY_HTTPS", default=PRODUCTION)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("NINETY_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("NINETY_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("NINETY_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is hard to undo: the operator opts in with
        # NINETY_HSTS_PRELOAD=1, so the deploy check need not insist on it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The audit log (django-auditlog): who changed playbooks, quotas, people and roles, one-on-ones
# and their notes. A private note's text is never stored in the log, nor the prep snapshot.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "playbook.Playbook", "playbook.Stage", "playbook.Behavior", "playbook.Way",
    "activity.Quota", "people.Person", "people.Team",
    {"model": "coaching.OneOnOne", "exclude_fields": ["prep"]},
    {"model": "coaching.PrivateNote", "exclude_fields": ["text"]},
    {"model": "people.Invitation", "exclude_fields": ["token_hash"]},
)  # fmt: skip

# E-mail (notifications): the console in development and the demo; SMTP once a host is named.
NINETY_BASE_URL = os.environ.get("NINETY_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("NINETY_EMAIL_FROM", "Ninety <ninety@localhost>")
EMAIL_HOST = os.environ.get("NINETY_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("NINETY_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("NINETY_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("NINETY_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("NINETY_EMAIL_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

NINJA_PAGINATION_PER_PAGE = 100
# Personal access tokens expire after this many days (they also end with the login's password).
NINETY_TOKEN_DAYS = env_int("NINETY_TOKEN_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"short_forbidden": {"()": "ninety.errors.ShortForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A 403 logs one line, not a traceback (the filter sits on the logger Django writes it to).
    "loggers": {"django.request": {"filters": ["short_forbidden"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("NINETY_LOG_LEVEL", "WARNING")},
}
