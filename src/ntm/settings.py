"""The one settings module. Everything that differs between machines comes from the environment.

DATABASE_URL  sqlite:///path or postgres://user@host/db (default: SQLite under NTM_DATA_DIR)
SECRET_KEY    required when DEBUG is off
DEBUG         1/0 (default 0)
ALLOWED_HOSTS comma separated (default localhost,127.0.0.1 when DEBUG is on)
NTM_DATA_DIR  where the SQLite file, uploads and backups live (default ./var)
NTM_RECOGNITION_LEVELS_FILE  another recognition levels file (default: the shipped
              criteria/data/recognition_levels.json)
API_TOKEN_DAYS  days an API token lasts from its creation (default 30)
NTM_FIGURES_CACHE  1/0: keep what few writes change (a summary's resources and OCOP panels, the
              national table's xã counts and decisions) in a file cache under a data version
              kept in the database (default 1, 0 under tests)
"""

import datetime
import hashlib
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ntm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("NTM_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("NTM_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "ntm-insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. export SECRET_KEY=$(openssl rand -hex 32))"
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if (DEBUG or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ntm.lib",
    "ntm.units",
    "ntm.accounts",
    "ntm.criteria",
    "ntm.assessments",
    "ntm.reports",
    "ntm.plans",
    "ntm.ocop",
    "ntm.web",
    "ntm.resources",
    "ntm.imports",
    "ntm.dossiers",
    "ntm.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ntm.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ntm.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "ntm.urls"
WSGI_APPLICATION = "ntm.wsgi.application"

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

# Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) through DATABASE_URL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'ntm.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite) or _default_sqlite,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("NTM_TEST_SQLITE", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# The lockout check of django-axes first, then the ordinary username/password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "ntm.web.security.MinimumLengthValidator",  # Django's, in Vietnamese
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["ntm.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Background work (ntm.jobs): the database queue, run by the worker `ntm serve` starts beside
# gunicorn (or `ntm db_worker` on its own machine); tests run each job at once.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "NTM_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# What few writes change (a summary's resources and OCOP panels, the national table's xã counts
# and decisions) is kept per (key, data version) in a cache the workers of a machine share
# (files under NTM_DATA_DIR); the version lives in the database and a committed write to those
# tables replaces it (ntm.lib.freshness). Tests run without it unless NTM_FIGURES_CACHE=1.
# Each database has its own folder: two databases never share kept values.
_database = DATABASES["default"]
_database_id = hashlib.sha256(
    f"{_database['ENGINE']}|{_database.get('HOST')}|{_database.get('PORT')}|{_database['NAME']}".encode()
).hexdigest()[:16]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": (
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "figures" / _database_id),
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
        if env_bool("NTM_FIGURES_CACHE", not TESTING)
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    ),
}

# Uploads larger than this are imported as a background job with a progress page.
NTM_BACKGROUND_IMPORT_BYTES = env_int("NTM_BACKGROUND_IMPORT_BYTES", 300_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a refused token a 401 (DRF answers 403
        # when the first class has no header, as the session's).
        "ntm.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's JSON parser, answering 400 (not 500) to a body nested too deep.
    "DEFAULT_PARSER_CLASSES": [
        "ntm.web.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Generous limits against scraping and password guessing through the API; off in tests
    # (tests/test_security.py turns them on). The rates are read on every request.
    "DEFAULT_THROTTLE_CLASSES": [
        "ntm.web.throttles.AnonThrottle",
        "ntm.web.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # An empty value switches a limit off (e.g. for a load test).
        "anon": None if TESTING else (env_str("API_ANON_RATE", "120/min") or None),
        "user": None if TESTING else (env_str("API_USER_RATE", "2000/min") or None),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NTM API",
    "DESCRIPTION": "API của hệ thống theo dõi Chương trình MTQG xây dựng nông thôn mới và OCOP.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set (without these, `check --deploy` warns about enum name collisions).
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStateEnum": "ntm.assessments.models.State",
        "UnitKindEnum": "ntm.units.models.Kind",
        "UnitLevelEnum": "ntm.units.models.Level",
        "TaskStatusEnum": "ntm.plans.models.TaskStatus",
    },
}

# Security: strict outside DEBUG and tests; `ntm check --deploy` is clean with the defaults
# (tests/test_security.py runs it with production settings). Every switch can be changed from
# the environment:
# - SECURE_SSL_REDIRECT=0 when the TLS proxy in front already redirects http -> https (Django
#   then warns security.W008 in `check --deploy`: expected behind such a proxy). With the default
#   (on) the proxy must send `X-Forwarded-Proto: https`, or every request is redirected forever.
# - SECURE_HSTS_SECONDS (default one year), SECURE_HSTS_PRELOAD=0 to leave the preload directive
#   out (it only matters for a registrable domain submitted to the browsers' preload list).
# - SECURE_COOKIES=0 for a plain-http test machine.
# - SESSION_COOKIE_AGE in seconds (default 8 hours: one working day).
# - NTM_PROXY_COUNT: how many proxies append to X-Forwarded-For (login throttling uses the
#   client address they report; 0 = use the connection's address).
_STRICT = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _STRICT)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _STRICT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _STRICT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
NTM_PROXY_COUNT = env_int("NTM_PROXY_COUNT", 0)

# API tokens (ntm.accounts.tokens): valid this many days from their creation.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# Recognition levels are data (ntm.criteria.levels); empty = the shipped file.
NTM_RECOGNITION_LEVELS_FILE = env_str("NTM_RECOGNITION_LEVELS_FILE", "")

# Content-Security-Policy (ntm.web.security.ContentSecurityPolicyMiddleware): no inline script
# anywhere; the API documentation pages get their own, looser style policy (see that module).
NTM_CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# Login throttling (django-axes): 5 failures for one username from one address lock that
# pair for 15 minutes; a success resets the count. Covers the login page, the admin login and
# the API token endpoint (every path that calls authenticate() with the request).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ntm.web.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ntm.web.security.client_ip"
AXES_VERBOSE = False

# E-mail: `ntm reminders` sends mail only when EMAIL_HOST names an SMTP server (empty: none).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ntm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
