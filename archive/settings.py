"""Settings, all from environment variables (see README, "Configuration"). Nonsense fails at start-up."""

from pathlib import Path
from typing import Any

import dj_database_url
import psutil
from django.core.exceptions import ImproperlyConfigured

from archive import postgres_settings
from archive.env import env_bool, env_float, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("ARCHIVE_DATA_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (for example: "
            "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'))"
        )
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"  # noqa: S105
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entries start with http:// or https://; got {origin!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "axes",
    "procrastinate.contrib.django",
    "questions",
]

MIDDLEWARE = [
    "archive.replicas.ReplicaReadsMiddleware",
    # Cached search parts read the archive's state once per reading request (questions/search/cache.py).
    "questions.search.cache.OneStatePerRequestMiddleware",
    "archive.refusals.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive.middleware.ChosenLanguageMiddleware",
    # After the language: its refusals and 503s are pages in the visitor's language.
    "archive.refusals.RefusalsMiddleware",
    "archive.clients.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag and Last-Modified answered with 304 (feed readers poll).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How many reverse proxies stand in front of the application (docker compose: one, nginx): the client's
# address is then read from X-Forwarded-For (archive/clients.py). 0: the connection's own address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0, maximum=5)

# Failed logins: after AXES_FAILURE_LIMIT failures for one user name from one address, that pair is locked out
# for an hour; so is an address with that many failures whatever the user names (password spraying).
# Addresses come from archive/clients.py, right behind a proxy.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "archive.clients.client_address"

# Requests a minute per client address (archive/clients.py); 0 switches a limit off.
RATE_LIMITS = {
    "search": env_int("RATE_LIMIT_SEARCH", 120, minimum=0, maximum=100_000),
    "api": env_int("RATE_LIMIT_API", 120, minimum=0, maximum=100_000),
    "csv": env_int("RATE_LIMIT_CSV", 10, minimum=0, maximum=100_000),
    "feeds": env_int("RATE_LIMIT_FEEDS", 60, minimum=0, maximum=100_000),
    "alerts": env_int("RATE_LIMIT_ALERTS", 10, minimum=0, maximum=100_000),  # the alert form, per address
}
# A search's statements are cancelled past this many seconds (questions/search/limits.py); 0: never. Below
# gunicorn's worker timeout (30 s), so that the visitor is told why rather than cut off.
SEARCH_TIME_LIMIT = env_float("SEARCH_TIME_LIMIT", 15.0, minimum=0.0, maximum=25.0)
# At least this much memory for each sort, hash table or bitmap of a search's statements (work_mem, in MB; never
# lowered below the server's own): a bitmap of the questions holding a common word outgrows a server's default
# 4 MB past about a million questions, and PostgreSQL then reads every vector on its pages again
# (questions/search/limits.py). 0 leaves the server's setting.
SEARCH_WORK_MEM_MB = env_int("SEARCH_WORK_MEM_MB", 16, minimum=0, maximum=1024)
# Database connections a CSV export reads its rows with (questions/copy_export.py): with 2, a second one reads
# every other chunk of rows while the first one's stream, in the same snapshot; 1 reads them all on one.
EXPORT_CONNECTIONS = env_int("EXPORT_CONNECTIONS", 2, minimum=1, maximum=2)
# Result pages of searches kept per web process, each valid for one state of the archive
# (questions/search/cache.py); 0 computes every search afresh. An entry is about 100 kB (a page's texts).
SEARCH_CACHE_ENTRIES = env_int("SEARCH_CACHE_ENTRIES", 300, minimum=0, maximum=100_000)
# The words whose counts are kept (questions/search/word_counts.py): those in at least this share of the
# questions, and in at least this many; below that, counting a word's matches live is as fast.
WORD_COUNTS_MIN_SHARE = env_float("WORD_COUNTS_MIN_SHARE", 0.05, minimum=0.0, maximum=1.0)
WORD_COUNTS_MIN_QUESTIONS = env_int("WORD_COUNTS_MIN_QUESTIONS", 5_000, minimum=1, maximum=1_000_000_000)
# And the prefixes (3-7 letters) whose words other than their commonest hold at least this share: a search for
# one would otherwise count that many matches live. Each costs about as much as a word in every fold.
WORD_COUNTS_PREFIX_MIN_SHARE = env_float("WORD_COUNTS_PREFIX_MIN_SHARE", 0.05, minimum=0.0, maximum=1.0)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-limits"},
    "search": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "search",
        "TIMEOUT": 3600,  # a state of the archive seldom lasts longer on a busy day; the key ends it anyway
        "OPTIONS": {"MAX_ENTRIES": max(SEARCH_CACHE_ENTRIES, 1)},
    },
}

ROOT_URLCONF = "archive.urls"
CSRF_FAILURE_VIEW = "archive.errors.csrf_failure"  # the site's own 403 page, not Django's bare one
WSGI_APPLICATION = "archive.wsgi.application"
ASGI_APPLICATION = "archive.asgi.application"  # what gunicorn serves (archive/gunicorn_conf.py)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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


def _embedded_server_settings() -> dict[str, str]:
    """The embedded server's settings: sized to this machine, then ARCHIVE_PG_SETTINGS_FILE, then
    ARCHIVE_PG_SETTINGS (``name=value`` pairs) on top (docs/operations.md)."""
    server_settings = postgres_settings.for_machine(psutil.virtual_memory().total)
    try:
        settings_file = env_str("ARCHIVE_PG_SETTINGS_FILE")
        if settings_file:
            server_settings |= postgres_settings.parse_file(Path(settings_file))
        server_settings |= postgres_settings.parse(env_str("ARCHIVE_PG_SETTINGS") or "", "ARCHIVE_PG_SETTINGS")
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None
    return server_settings


# Database: DATABASE_URL, or the embedded PostgreSQL kept under DATA_DIR/postgres.
_database_url = env_str("DATABASE_URL")
# The planner's default random_page_cost (4, for spinning disks) makes it scan the whole table for a common
# search term, reading every stored vector back from TOAST: 20 times slower than the GIN index at 100,000
# documents (docs/search-design.md). 1.1 is the usual value for SSDs and cached data.
_connection_options = "-c random_page_cost=" + str(
    env_float("DATABASE_RANDOM_PAGE_COST", 1.1, minimum=0.1, maximum=100.0)
)
_use_pool = env_bool("DATABASE_POOL", True)
# psycopg's pool, through Django: a request waits at most 3 s for a connection, then it is a 503.
_pool_options = {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 8, minimum=1, maximum=100), "timeout": 3}


def _server_database(name: str, url: str) -> dict[str, Any]:
    """The connection settings of a PostgreSQL server named by a URL (``name`` is the variable, for errors).

    A pool of connections per server process: under ASGI each request runs in a thread of its own (kept for
    later requests, archive/asgi_handler.py), and persistent connections per thread would be as many as the
    most requests ever served at once, most of them idle (Django's advice: pools under ASGI). A request waits
    at most 3 s for a connection; then it is a 503 (archive/refusals.py)."""
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except (ValueError, dj_database_url.UnknownSchemeError) as error:
        raise ImproperlyConfigured(f"{name} is not a database URL: {error}") from None
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL (postgres://...)")
    options: dict[str, Any] = {**(database.get("OPTIONS") or {})}  # ?sslmode=… in the URL
    options["options"] = _connection_options
    if _use_pool:
        database["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        options["pool"] = dict(_pool_options)
    database["OPTIONS"] = options
    return database


# The embedded server adds keys of its own (EMBEDDED_PGDATA, EMBEDDED_DATABASE): a plain dict, not DBConfig.
# It has the same pool as a server named by DATABASE_URL: a connection per request would start a new server
# process for each one, which must load the text search dictionaries again before its first search
# (docs/benchmarks.md). Its backend makes a new pool when the server was started again.
_database: dict[str, Any]
if _database_url:
    _database = _server_database("DATABASE_URL", _database_url)
else:
    _database = {
        "ENGINE": "archive.embedded_backend",
        "NAME": "archive",
        "USER": "postgres",
        "EMBEDDED_PGDATA": str(DATA_DIR / "postgres"),
        "EMBEDDED_DATABASE": "archive",
        "EMBEDDED_SETTINGS": _embedded_server_settings(),
        "CONN_MAX_AGE": 0,  # the pool keeps the connections (without one: a connection per request)
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"options": _connection_options},
    }
    if _use_pool:
        _database["OPTIONS"]["pool"] = dict(_pool_options)
DATABASES: dict[str, dict[str, Any]] = {"default": _database}

# Read replicas (docs/scaling.md): streaming standbys of DATABASE_URL. Searches, public pages, the API, exports
# and feeds read from them; writes, the admin, alert subscriptions and editors' own reads stay on the primary
# (archive/replicas.py). Tests mirror them onto the primary's test database.
_replica_urls = env_list("DATABASE_REPLICA_URLS", [])
if _replica_urls and not _database_url:
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are standbys of a primary server")
for _number, _replica_url in enumerate(_replica_urls, start=1):
    DATABASES[f"replica{_number}"] = _server_database("DATABASE_REPLICA_URLS", _replica_url) | {
        "TEST": {"MIRROR": "default"}
    }
DATABASE_ROUTERS = ["archive.replicas.ReplicaRouter"] if _replica_urls else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. HTTPS=true (in production, behind TLS) turns on the redirect, secure cookies and HSTS.
HTTPS = env_bool("HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # an editor's working day
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0, maximum=63_072_000)
# Hard to undo once browsers have them: only when asked for (so the deployment check's reminders are off).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Imports from the browser (admin): limits checked before any document is read.
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 200, minimum=1, maximum=10_000)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 100, minimum=1, maximum=2_000) * 2**20
UPLOAD_MAX_ZIP_MEMBERS = env_int("UPLOAD_MAX_ZIP_MEMBERS", 5_000, minimum=1, maximum=100_000)
UPLOAD_MAX_UNPACKED_BYTES = env_int("UPLOAD_MAX_UNPACKED_MB", 200, minimum=1, maximum=4_000) * 2**20
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES + 1
# Uploaded files wait here until the background worker imports them (questions/tasks.py): the web server and
# the worker must both see it (docker-compose.yml shares a volume).
UPLOADS_DIR = env_path("ARCHIVE_UPLOADS_DIR", DATA_DIR / "uploads")

# Mail (alerts: questions/alerts/). Django's own names. With EMAIL_HOST, mail goes out by SMTP; without it, each
# mail is written as a file under EMAIL_FILE_PATH (var/mail/), so the demo shows them without a mail server.
EMAIL_HOST = env_str("EMAIL_HOST") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25, minimum=1, maximum=65_535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1, maximum=600)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Vragenarchief <alerts@localhost>"
if "@" not in DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured(f"DEFAULT_FROM_EMAIL must be a mail address; got {DEFAULT_FROM_EMAIL!r}")
EMAIL_FILE_PATH = env_path("EMAIL_FILE_PATH", DATA_DIR / "mail")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
# The address links in mails start with (mails are sent by the worker, outside any request).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL starts with http:// or https://; got {SITE_URL!r}")
# Unconfirmed alerts (and their addresses) are deleted after this many hours.
ALERT_CONFIRMATION_HOURS = env_int("ALERT_CONFIRMATION_HOURS", 48, minimum=1, maximum=24 * 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
