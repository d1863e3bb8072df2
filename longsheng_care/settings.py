"""Settings for the Longsheng Care portal, read from the environment (django-environ).

Development runs on an embedded SQLite file with DEBUG on (``make run`` sets it); production
sets DEBUG off, a SECRET_KEY and ``DATABASE_URL=postgres://…``. See README.md for every variable.
"""

import base64
import datetime as dt
import hashlib
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# With DEBUG, Django's technical 404 (every URL pattern) and 500 (traceback) pages instead of
# the portal's own (longsheng_care/error_pages.py); the traceback is in the console either way.
TECHNICAL_ERROR_PAGES = env.bool("TECHNICAL_ERROR_PAGES", default=False)

# A development default is convenient; a production server must never run with it.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)

# Encryption at rest of ID numbers and phones (core/fields.py; README "加密密钥 · Keys"):
# FIELD_ENCRYPTION_KEYS are Fernet-format keys (32 random bytes, url-safe base64; the
# AES-256-GCM keys are derived from them), comma-separated, the first one current (older
# ones only read, until `manage.py rotate_encryption_keys` has re-encrypted every row);
# BLIND_INDEX_KEY keys the hash used to look an ID number up. Without them (development,
# tests, `make check`) both are derived from SECRET_KEY; `check --deploy` refuses that
# (accounts.E012), and the production service runs that check before it starts.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")
ENCRYPTION_KEYS_FROM_ENVIRONMENT = bool(FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY)
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"field-encryption:" + SECRET_KEY.encode()).digest()
        ).decode()
    ]
if not BLIND_INDEX_KEY:
    BLIND_INDEX_KEY = hashlib.sha256(b"blind-index:" + SECRET_KEY.encode()).hexdigest()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Django's CSRF page, with the refusal marked for the access log.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "jobs",
    "children",
    "notifications",
    "visits",
    "care",
    "activities",
    "reports",
    "fieldwork",
    # Above the apps: the benchmarks' synthetic data (seed_scale); no models, no pages.
    "scale",
]

MIDDLEWARE = [
    # First: behind a trusted proxy, put the real client address in REMOTE_ADDR so that
    # axes and the access log see it; a forged X-Forwarded-For is ignored (TRUSTED_PROXIES).
    "accounts.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # With DEBUG: the portal's 404/500 pages instead of Django's URL list and traceback page.
    "longsheng_care.error_pages.ProductErrorPagesMiddleware",
    # After WhiteNoise (static files are public and cacheable), before everything that can
    # refuse a request, so that they see every 403 and every signed-in response.
    "accounts.middleware.DeniedAccessLogMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Signed in but not yet past the second factor (when required): only the OTP pages.
    "accounts.middleware.OTPRequiredMiddleware",
    # A budget over all the files of one upload (bytes from Content-Length before the body
    # is read, pixels from the image headers before any is decoded): core/uploads.py.
    "core.uploads.UploadBudgetMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "longsheng_care.urls"
WSGI_APPLICATION = "longsheng_care.wsgi.application"

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
                "core.navigation.navigation",
                "notifications.selectors.unread",
            ],
            # Not an app: its tag library is named here (the tables' phone cards).
        },
    },
]

# Widgets through Jinja2 where Django ships them so (every built-in widget), the admin's
# through Django templates: the same HTML for a quarter less CPU (core/renderers.py).
FORM_RENDERER = "core.renderers.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: opening one costs the worker a few ms and PostgreSQL a backend
    # process per request. Checked before reuse, so a restarted server costs no failed request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=300))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("POSTGRES_PREPARED_STATEMENTS", default=True):
        # Server-side parameter binding lets psycopg prepare a statement that has run five
        # times on a connection, so PostgreSQL stops planning it again (about 1 ms for each
        # of the joins every page runs: the session, the user, the permissions). Only with
        # persistent connections, and not behind a transaction-pooling PgBouncer.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
    # PostgreSQL's JIT compiles the dashboard and report aggregates for longer than they
    # run (bench/RESULTS.md §2); off unless the operator asks for it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=" + ("on" if env.bool("POSTGRES_JIT", default=False) else "off")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes sees every authenticate() call first and refuses a locked-out (username, IP).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AreaModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 30 minutes idle (docs/architecture.md, "Security promises kept in code"). The
# expiry is renewed by accounts.middleware.IdleSessionMiddleware at most once a minute rather
# than by writing the session row on every request (SESSION_SAVE_EVERY_REQUEST): the session
# then ends between 29 and 30 idle minutes, never later, for one write a minute instead of
# one per page.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos and signed forms of minors: never served as public static files, only through
# scoped views (MEDIA_URL is deliberately not routed).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# One upload request, all its files together (core/uploads.py): bytes as nginx's
# client_max_body_size, and the pixels every image of it may have in total (three
# 40-megapixel photos, or a dozen ordinary phone photos).
UPLOAD_REQUEST_MAX_BYTES = env.int("UPLOAD_REQUEST_MAX_BYTES", default=12 * 1024 * 1024)
UPLOAD_REQUEST_MAX_PIXELS = env.int("UPLOAD_REQUEST_MAX_PIXELS", default=120_000_000)

# Security headers (production values come from the environment; see README).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Login throttling (django-axes) -------------------------------------------------------
# Five failures for one (username, IP) lock that pair for the cool-off; the right password is
# refused meanwhile, and another try during the lockout starts the cool-off again. A success
# before the limit clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False
# Successful logins are in our own access log (accounts.signals); axes keeps only failures.
AXES_DISABLE_ACCESS_LOG = True
# The client address is REMOTE_ADDR only; TrustedProxyMiddleware rewrites it from
# X-Forwarded-For when, and only when, the peer is one of TRUSTED_PROXIES (deploy/README.md).
# The callable makes axes independent of whether django-ipware happens to be installed.
AXES_CLIENT_IP_CALLABLE = "accounts.middleware.client_ip"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_IPWARE_PROXY_COUNT = None
# Addresses of the reverse proxies in front of gunicorn (e.g. 127.0.0.1 for nginx on the
# same host). Empty: X-Forwarded-For is never read.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Second factor (django-otp TOTP) -------------------------------------------------------
# Whether county roles must use it is a database flag the county admin sets in the admin
# (accounts.SecurityPolicy); a user who enrolled a device always uses it.
OTP_TOTP_ISSUER = "龙胜儿童关爱平台"

# --- Content Security Policy (django-csp 4) ------------------------------------------------
# No inline scripts or styles anywhere: Bootstrap, htmx and the Django admin work with
# 'self' only. data: images are for the OTP enrolment QR code.
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

# --- Cache, sessions and the job queue: one process or many -------------------------------
# Nothing a request leaves behind may live in one process's memory once there are several app
# servers (bench/LOAD.md runs two against one PostgreSQL and one Redis and checks it):
# * sessions are rows in the database, or with REDIS_URL cached in Redis in front of those
#   rows (cached_db: a Redis flush signs nobody out);
# * login lockout counters (django-axes) are rows in the database, whatever the cache;
# * the cache holds computed figures only (the dashboard's, the list's filter selects): per
#   process by default (each gunicorn worker its own copy), in Redis with REDIS_URL (or
#   wherever CACHE_URL says), so every app server sees the same;
# * uploaded and generated files are under MEDIA_ROOT, which all app servers and workers
#   share (one disk, or a shared mount);
# * jobs are on a queue in the database, or in Redis with REDIS_URL.
REDIS_URL = env("REDIS_URL", default="")
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "longsheng",  # beside RQ's own "rq:" keys in the same database
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Background jobs (exports, workbooks, imports) on django-tasks, the backport of Django 6's
# tasks framework. The embedded default keeps the queue in the database (nothing more to
# start: `make run` starts `manage.py db_worker` beside the server); production sets
# REDIS_URL and runs RQ workers (`manage.py rqworker --job-class django_tasks_rq.Job`,
# deploy/longsheng-worker@.service), so a larger deployment adds workers, not code.
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A job's result file is kept this long, for its owner only.
JOB_RESULT_HOURS = env.int("JOB_RESULT_HOURS", default=6)
# A transfer request (转移) waiting this many days for the receiving side reaches the county.
TRANSFER_COUNTY_AFTER_DAYS = env.int("TRANSFER_COUNTY_AFTER_DAYS", default=7)
# A running job whose worker has not reported for this long is shown as interrupted.
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=60)
# How long a user's dashboard figures are reused (reports.dashboards.for_user); 0: never.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)

# --- Backups -------------------------------------------------------------------------------
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")

# Bootstrap's responsive table from 576 px up, the rows as cards below (longsheng_care/tables.py).
DJANGO_TABLES2_TEMPLATE = "django_tables2/portal.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# --- Notifications (notifications/) --------------------------------------------------------
# E-mail through Django's backend, configured by one URL: smtp+tls://user:pass@host:587,
# consolemail:// (development: printed), dummymail:// (dropped).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="龙胜儿童关爱平台 <noreply@localhost>")
# SMS behind notifications.sms: a class with send(phone, text). Development: the console or
# notifications.sms.FileBackend (writes SMS_FILE_PATH/sms-YYYYMMDD.log); production: the
# dotted path of the provider's adapter.
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.ConsoleBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms")
# The portal's address as its users reach it, for the links in e-mail and SMS.
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

# The SDQ may only be scored electronically by an organisation holding a licence
# (docs/domain.md §7).
SDQ_LICENSED = env.bool("SDQ_LICENSED", default=False)
# How long access-log entries are kept before `prune_access_log` may remove them (≥ 6 months).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes logs every attempt at INFO; failures and lockouts are in our access log.
        "axes": {"level": "WARNING"},
    },
}
