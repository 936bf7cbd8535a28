"""The one settings module, read from the environment (``KV_*`` variables).

Defaults are the embedded mode: SQLite in ``var/``, the database task queue, the in-memory
channel layer, no outbound network. Every variable is documented in ``docs/operations.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from kundenversteher.lib.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("KV_DATA_DIR", default=str(BASE_DIR.parent.parent / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and media live here

DEBUG = env_bool("KV_DEBUG", default=False)
# A fixed development key only when DEBUG is on; production must set KV_SECRET_KEY(_FILE).
SECRET_KEY = env_secret("KV_SECRET_KEY", default="dev-insecure-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("KV_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KV_CSRF_TRUSTED_ORIGINS", default=[])
BASE_URL = env_str("KV_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "ninja",
    "kundenversteher.lib",
    "kundenversteher.events",
    "kundenversteher.privacy",
    "kundenversteher.customers",
    "kundenversteher.cases",
    "kundenversteher.knowledge",
    "kundenversteher.knowledge.answers",
    "kundenversteher.knowledge.automation",
    "kundenversteher.intake",
    "kundenversteher.intake.mail",
    "kundenversteher.api",
    "kundenversteher.portal",
    "kundenversteher.workspace",
    "kundenversteher.demo",
    "kundenversteher.apps.ProjectConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Role and team ids read once per request (every page asks several times).
    "kundenversteher.cases.access.AccessMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "kundenversteher.urls"
ASGI_APPLICATION = "kundenversteher.asgi.application"
WSGI_APPLICATION = "kundenversteher.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("KV_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'kv.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: Django's tasks API (django-tasks backport) on the database backend.
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "periodic"],
    }
}
if env_bool("KV_TASKS_IMMEDIATE", default=False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}
if redis_url := env_str("KV_REDIS_URL", default=""):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kv_cache",
    }
}

# Passwords: argon2 first (DSGVO "state of the art"), older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("KV_FAST_PASSWORD_HASHER", default=False):  # test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Request limits: refuse oversized bodies before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KV_MAX_REQUEST_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Intake pipeline: runs per inbound message before it becomes a dead letter; rows still
# received/processing after this many minutes are re-queued by the sweeper; contact form limit.
KV_INTAKE_MAX_ATTEMPTS = env_int("KV_INTAKE_MAX_ATTEMPTS", default=5)
KV_INTAKE_STALE_MINUTES = env_int("KV_INTAKE_STALE_MINUTES", default=15)
KV_CONTACT_MAX_PER_HOUR = env_int("KV_CONTACT_MAX_PER_HOUR", default=5)
# Letters and faxes: scans dropped here become cases (moved to done/ or failed/, never deleted).
KV_INTAKE_DROP_DIR = Path(env_str("KV_INTAKE_DROP_DIR", default=str(DATA_DIR / "dropfolder")))
# OCR limits per document: pages, pixels per page (decompression bombs), seconds per page.
KV_OCR_MAX_PAGES = env_int("KV_OCR_MAX_PAGES", default=50)
KV_OCR_MAX_PIXELS = env_int("KV_OCR_MAX_PIXELS", default=60_000_000)
KV_OCR_PAGE_TIMEOUT_SECONDS = env_int("KV_OCR_PAGE_TIMEOUT_SECONDS", default=120)
# Mailbox passwords: Fernet key derived from this (else from the secret key); old keys for rotation.
KV_CREDENTIALS_KEY = env_secret("KV_CREDENTIALS_KEY", default="")
KV_CREDENTIALS_OLD_KEYS = env_list("KV_CREDENTIALS_OLD_KEYS", default=[])
# Company name in automatic answers and on invoice copies (no automatic answer without it).
KV_COMPANY_NAME = env_str("KV_COMPANY_NAME", default="")
# Knowledge base: the sentence encoder of the article index ("use": fast, default; "e5") and the
# help centre's search limit per client address and minute (each search embeds the query).
KV_KB_EMBEDDER = env_str("KV_KB_EMBEDDER", default="use")
KV_HELP_SEARCH_PER_MINUTE = env_int("KV_HELP_SEARCH_PER_MINUTE", default=30)
# Customer portal: magic-link lifetime and request limits (per e-mail address / per client address).
KV_PORTAL_LINK_MINUTES = env_int("KV_PORTAL_LINK_MINUTES", default=15)
KV_PORTAL_LINKS_PER_ADDRESS = env_int("KV_PORTAL_LINKS_PER_ADDRESS", default=5)
KV_PORTAL_LINKS_PER_IP = env_int("KV_PORTAL_LINKS_PER_IP", default=20)
KV_PORTAL_LINK_WINDOW_SECONDS = env_int("KV_PORTAL_LINK_WINDOW_SECONDS", default=900)
KV_MAX_ATTACHMENT_BYTES = env_int("KV_MAX_ATTACHMENT_BYTES", default=25 * 1024 * 1024)
KV_SLA_WARNING_MINUTES = env_int("KV_SLA_WARNING_MINUTES", default=60)  # warn before a breach
# Live updates: seconds between event-log polls per web process (the source of browser hints).
KV_LIVE_POLL_SECONDS = float(env_str("KV_LIVE_POLL_SECONDS", default="1.0"))
KV_HOLIDAY_SUBDIVISION = env_str(
    "KV_HOLIDAY_SUBDIVISION", default="BY"
)  # Bundesland, delivery dates

# Limits against brute force and abuse (per token or user; per username + address on login).
KV_API_RATE_LIMIT = env_int("KV_API_RATE_LIMIT", default=600)  # requests per minute
KV_LOGIN_MAX_FAILURES = env_int("KV_LOGIN_MAX_FAILURES", default=5)
KV_LOGIN_LOCKOUT_SECONDS = env_int("KV_LOGIN_LOCKOUT_SECONDS", default=900)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("KV_SESSION_SECONDS", default=12 * 3600)  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("KV_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a TLS-terminating reverse proxy: KV_BEHIND_HTTPS_PROXY=1 trusts X-Forwarded-Proto.
if env_bool("KV_BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("KV_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("KV_HSTS_SECONDS", default=0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: scripts only from our own static files (no inline JavaScript anywhere,
# so injected markup cannot run); inline styles stay allowed for the API docs (Swagger UI).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Mail for people (portal login links, notifications). Without KV_SMTP_HOST nothing leaves the
# machine: messages are written as files to DATA_DIR/mail (readable by the admin, e.g. in the demo).
# Case replies and acknowledgements go out through the mailboxes configured in the admin.
DEFAULT_FROM_EMAIL = env_str("KV_MAIL_FROM", default="Kundenservice <kundenservice@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if smtp_host := env_str("KV_SMTP_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = smtp_host
    EMAIL_PORT = env_int("KV_SMTP_PORT", default=587)
    EMAIL_HOST_USER = env_str("KV_SMTP_USER", default="")
    EMAIL_HOST_PASSWORD = env_str("KV_SMTP_PASSWORD", default="")
    EMAIL_USE_TLS = env_bool("KV_SMTP_STARTTLS", default=True)
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

# No outbound calls unless an admin configures them (webhooks need an explicit allow-list).
KV_OUTBOUND_ALLOWED = env_bool("KV_OUTBOUND_ALLOWED", default=False)

# Where trained model artefacts live (the intelligence core reads them via paths passed in).
KV_MODEL_DIR = Path(env_str("KV_MODEL_DIR", default=str(DATA_DIR / "models")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KV_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
