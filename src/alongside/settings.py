"""Django settings for Alongside.

The embedded default (no environment variables) is SQLite in WAL mode, a cache in the data
folder shared by any worker processes, and an in-memory channel layer (one process for live
features). ``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL`` to
Redis for the channel layer and cache. Every deployment choice is an ``ALONGSIDE_*``
environment variable, documented in ``docs/deployment.md``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from alongside.core.paths import data_dir, encryption_salts, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = data_dir()
DEBUG = env_bool("ALONGSIDE_DEBUG", False)
# Production mode turns on HTTPS-only cookies, HSTS and the proxy header.
PRODUCTION = env_bool("ALONGSIDE_PRODUCTION", False)
SECRET_KEY = secret_key(DATA_DIR)
# Old keys after a rotation: sessions and reset links signed with them, and fields encrypted
# with them, keep working until re-saved.
SECRET_KEY_FALLBACKS = env_list("ALONGSIDE_SECRET_KEY_FALLBACKS", [])
# Salts for the encrypted fields (django-fernet-encrypted-fields reads SALT_KEY).
SALT_KEY = encryption_salts(DATA_DIR)
ALLOWED_HOSTS = env_list("ALONGSIDE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ALONGSIDE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "axes",
    "alongside.core",
    "alongside.accounts",
    "alongside.communities",
    "alongside.notifications",
    "alongside.safety",
    "alongside.chat",
    "alongside.measures",
    "alongside.selfcare",
    "alongside.evaluation",
    "alongside.support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alongside.safety.middleware.SuspensionMiddleware",
    "alongside.accounts.middleware.MemberLanguageMiddleware",
    "alongside.accounts.middleware.PolicyAcceptanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alongside.urls"
WSGI_APPLICATION = "alongside.wsgi.application"
ASGI_APPLICATION = "alongside.asgi.application"

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
                "alongside.core.context_processors.site",
                "alongside.notifications.context_processors.unread_notifications",
                "alongside.safety.context_processors.support_notice",
                "alongside.chat.context_processors.unread_chat",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "alongside.core.sqlite",
            "NAME": str(DATA_DIR / "alongside.sqlite3"),
            # Keep each worker's connection rather than reopening (and re-running the
            # PRAGMAs below) for every request.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets readers run beside one writer; IMMEDIATE transactions take the
                # write lock up front so concurrent writers wait instead of failing with
                # "database is locked" on lock upgrade. The engine (alongside.core.sqlite)
                # queues writers on a file lock, so they wait without SQLite's sleep-retry.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA mmap_size=134217728;"
                    "PRAGMA cache_size=-32000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests use an in-memory database (one per test worker).
            "TEST": {"NAME": ":memory:"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, channel layer ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # channels_redis waits for a worker's messages with a 5-second BZPOPMIN, and
            # redis-py's default socket timeout is also 5 s: a longer one keeps quiet
            # connections from being dropped when the read times out first.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
else:
    # A folder cache, not an in-process one: every worker process sees the same sessions,
    # permissions and counts, so signing out or a role change holds whatever the worker.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Rendered page fragments, keyed on every value they show (so never stale, only unused):
# each process keeps its own, the fastest place to look.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(os.environ.get("ALONGSIDE_SESSION_DAYS", "14")) * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "communities:feed"
LOGOUT_REDIRECT_URL = "core:home"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "alongside.accounts.backends.CachedPermissionsBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("handle", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login rate limiting. Failures are counted per (handle, IP address) pair, so nobody can lock
# a member out from elsewhere, and every lockout ends by itself after the cool-off.
AXES_ENABLED = env_bool("ALONGSIDE_LOGIN_LIMIT", True)
AXES_FAILURE_LIMIT = int(os.environ.get("ALONGSIDE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ALONGSIDE_LOGIN_COOLOFF_MIN", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Handles ignore case, so failures for "River" and "river" count together.
AXES_USERNAME_CALLABLE = "alongside.accounts.ratelimit.axes_username"
# Keep no log of successful log-ins (IP addresses): only failures, and only for the cool-off.
AXES_DISABLE_ACCESS_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("ALONGSIDE_PROXY_COUNT", "0")) or None

# Lived-experience areas members may choose to show on their profile.
LIVED_EXPERIENCE_AREAS = env_list(
    "ALONGSIDE_LIVED_EXPERIENCE_AREAS",
    [
        "anxiety",
        "low mood and depression",
        "bipolar",
        "psychosis",
        "eating difficulties",
        "self-harm",
        "trauma",
        "OCD",
        "grief",
        "caring for someone",
        "neurodivergence",
        "addiction and recovery",
    ],
)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "ALONGSIDE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("ALONGSIDE_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("ALONGSIDE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ALONGSIDE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("ALONGSIDE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ALONGSIDE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ALONGSIDE_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("ALONGSIDE_EMAIL_FROM", "Alongside <noreply@localhost>")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("ALONGSIDE_LANGUAGE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("cy", _("Welsh")),
    ("ga", _("Irish")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["alongside.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ALONGSIDE_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
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
# Without collectstatic (the embedded default) WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
# A strict policy: nothing from any other origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ALONGSIDE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ALONGSIDE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("ALONGSIDE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-alongside-session"
    CSRF_COOKIE_NAME = "__Host-alongside-csrf"

# --- Alongside ------------------------------------------------------------------------------
SITE_NAME = os.environ.get("ALONGSIDE_SITE_NAME", "Alongside")
# The public address, for links in emails (no trailing slash).
SITE_URL = os.environ.get("ALONGSIDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Region (ISO 3166 alpha-2) whose crisis lines are shown first when a member has chosen none.
DEFAULT_REGION = os.environ.get("ALONGSIDE_DEFAULT_REGION", "GB")
# A JSON file with the deployment's own crisis contacts, shown above the national lines.
CRISIS_CONTACTS_FILE = os.environ.get("ALONGSIDE_CRISIS_CONTACTS_FILE", "")
THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20
# How long after posting the author may still edit without the edit being shown as "edited".
EDIT_GRACE_SECONDS = 120

# --- Safety (docs/safety-model.md) ---
# Minutes an urgent alert waits for an on-duty moderator before it goes to the whole rota.
SAFETY_ESCALATION_MINUTES = float(os.environ.get("ALONGSIDE_ESCALATION_MINUTES", "5"))
# With no moderator on duty, posts screened as risky are "published" with support shown and
# queued, or "held" until a moderator has looked.
SAFETY_UNSTAFFED_POLICY = os.environ.get("ALONGSIDE_UNSTAFFED_POLICY", "publish")
# The sanction ladder, step by step: "warning", or "mute:DAYS", "suspend:DAYS", "suspend".
SAFETY_SANCTION_LADDER = env_list(
    "ALONGSIDE_SANCTION_LADDER", ["warning", "suspend:14", "suspend:30", "suspend"]
)
# Reports one member may make in 24 hours.
SAFETY_REPORTS_PER_DAY = int(os.environ.get("ALONGSIDE_REPORTS_PER_DAY", "10"))
# Accounts younger than this are "new" for spam signals and automatic restriction.
SAFETY_NEW_ACCOUNT_DAYS = float(os.environ.get("ALONGSIDE_NEW_ACCOUNT_DAYS", "2"))
# How long a new account that keeps posting spam is muted automatically, in hours.
SAFETY_SPAM_MUTE_HOURS = float(os.environ.get("ALONGSIDE_SPAM_MUTE_HOURS", "24"))
# How long screening results and resolved queue items are kept, in days.
SAFETY_RETENTION_DAYS = int(os.environ.get("ALONGSIDE_SAFETY_RETENTION_DAYS", "365"))
# Seconds between runs of the periodic jobs (alert escalation, statistics, clean-up).
PERIODIC_JOB_SECONDS = float(os.environ.get("ALONGSIDE_PERIODIC_SECONDS", "15"))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ALONGSIDE_LOG_LEVEL", "WARNING")},
}

# Handles are unique ignoring case through a functional UniqueConstraint, which the auth
# check does not recognise.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# --- Live chat ------------------------------------------------------------------------------
# How long after sending a member may still edit a chat message.
CHAT_EDIT_MINUTES = float(os.environ.get("ALONGSIDE_CHAT_EDIT_MINUTES", "5"))
# The bar a new account passes before it may open one-to-one conversations: an account this
# many days old with this many published posts or group-room messages, or a moderator's
# approval. With ALONGSIDE_DM_REQUIRE_APPROVAL on, only approval opens the door.
CHAT_DIRECT_MIN_ACCOUNT_DAYS = float(os.environ.get("ALONGSIDE_DM_MIN_ACCOUNT_DAYS", "7"))
CHAT_DIRECT_MIN_CONTRIBUTIONS = int(os.environ.get("ALONGSIDE_DM_MIN_CONTRIBUTIONS", "3"))
CHAT_DIRECT_REQUIRE_APPROVAL = env_bool("ALONGSIDE_DM_REQUIRE_APPROVAL", False)
# Whether sign-up admits under-18s (it then asks an age band); adults other than
# background-checked peer supporters cannot open one-to-one conversations with them.
ADMITS_UNDER_18 = env_bool("ALONGSIDE_ADMITS_UNDER_18", False)

# Outcome measures. The named responder (a handle with the moderator permission) is told at
# once when a PHQ-9 answer to item 9 is above 0; with none configured the site offers the
# PHQ-8, which has no item about self-harm.
MEASURES_RESPONDER = os.environ.get("ALONGSIDE_MEASURES_RESPONDER", "").strip()
# A folder of the organisation's own measure definitions (licensed measures it holds), JSON.
MEASURES_EXTRA_DIR = os.environ.get("ALONGSIDE_MEASURES_DIR", "")
# Formal peer support: a relationship's expected length, and how long a request may wait
# before coordinators are told.
SUPPORT_DEFAULT_WEEKS = int(os.environ.get("ALONGSIDE_SUPPORT_WEEKS", "8"))
SUPPORT_ESCALATE_HOURS = float(os.environ.get("ALONGSIDE_SUPPORT_ESCALATE_HOURS", "48"))
# The peer support model behind the in-the-moment prompts and self-checks (a JSON file in the
# format of support/data/peer_support_model.json); empty means the one shipped.
PEER_SUPPORT_MODEL = os.environ.get("ALONGSIDE_PEER_SUPPORT_MODEL", "")
# Research reports: numbers resting on fewer than this many people are suppressed everywhere.
RESEARCH_MIN_CELL = max(1, int(os.environ.get("ALONGSIDE_RESEARCH_MIN_CELL", "10")))
