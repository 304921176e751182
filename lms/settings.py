"""One settings module, read from the environment (twelve-factor).

Production differs from a laptop by environment variables, never by code. Every variable is
listed in the README. Defaults give the embedded set-up that `make run` uses: a SQLite file,
tasks run inline, files in ./media.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# The development key is public (it is in this file): sessions, signed cookies and
# password-reset links made with it could be forged. Only development (DEBUG=1, which `make
# run` sets) may start on it; REQUIRE_SECRET_KEY=1 refuses it even then.
_DEV_SECRET_KEY = "django-insecure-dev-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY)
# Keys retired by a rotation (comma-separated), still accepted for what they signed (sessions,
# password-reset links, API tokens) until removed: docs/runbook-personal-data.md.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
if SECRET_KEY == _DEV_SECRET_KEY and (not DEBUG or env_bool("REQUIRE_SECRET_KEY", False)):
    raise ImproperlyConfigured(
        "Chưa đặt SECRET_KEY: không khởi động với khóa phát triển công khai. Hãy đặt biến môi "
        "trường SECRET_KEY (một chuỗi ngẫu nhiên dài, giữ bí mật), hoặc DEBUG=1 khi phát triển. "
        "/ SECRET_KEY is not set: refusing to start on the public development key. Set the "
        "SECRET_KEY environment variable (a long random secret), or DEBUG=1 for development."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address `make run` serves on (HOST and PORT, as the Makefile passes them), unless
# SITE_URL says otherwise: certificates' QR codes and e-mails point to it. A server listening
# on every interface (0.0.0.0, ::) is reached on this machine at 127.0.0.1.
_RUN_HOST = env("HOST", "127.0.0.1") or "127.0.0.1"
_EVERY_INTERFACE = ("0.0.0.0", "::", "[::]")  # noqa: S104 (a comparison, not a binding)
_RUN_HOST = "127.0.0.1" if _RUN_HOST in _EVERY_INTERFACE else _RUN_HOST
_RUN_PORT = env("PORT", "8000") or "8000"
SITE_URL = (env("SITE_URL", f"http://{_RUN_HOST}:{_RUN_PORT}") or "").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "lms",
    "content",
    "courses",
    "certificates",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "courses.users_app.UsersAppConfig",  # wagtail.users, with the province scope picked by name
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    # Audio and video (lesson narration): Torchbox's wagtailmedia, with collection
    # permissions like images and documents (lms/roles.py).
    "wagtailmedia",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First, so that everything after it sees the client's address (TRUSTED_PROXIES below).
    "lms.proxy.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lms.middleware.SecurityHeadersMiddleware",
    # Before anything reads the path, the query or the form: a NUL character is a 400.
    "lms.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed (about a fifth of the bytes on a phone's connection). Below
    # WhiteNoise, whose static files are compressed at collectstatic and never reach it.
    # BREACH: Django's GZipMiddleware pads each response with random bytes in the gzip header
    # (Heal The Breach) and the CSRF token in a page is masked afresh on every response, so a
    # secret in a compressed page cannot be recovered by watching the size of many responses.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication (and inside the headers' middleware, so its 403 page gets them):
    # signed-in people without admin access get the 403 page in the admin.
    "lms.middleware.AdminAccessMiddleware",
    # A learner who has not accepted the current privacy notice is shown it first.
    "courses.registry.privacy_views.PrivacyNoticeMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = ["lms.auth.ModelBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.context_processors.site",
            ],
        },
    },
    # Jinja2 only where a fragment loops over thousands of rows (templates in <app>/jinja2/),
    # rendered with `using="jinja2"`; everything else is Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "lms.jinja2.environment"},
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@127.0.0.1:5432/lms. Default: a SQLite file here.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Rate limits (login, verification) need a cache shared by every web process: Redis when
# REDIS_URL is set, the process's memory otherwise.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A cache outage degrades (misses; rate limits counted per process) instead of failing
    # requests: see lms/cache.py and lms/throttle.py. Short socket timeouts keep a dead
    # Redis from hanging a request.
    CACHES = {
        "default": {
            "BACKEND": "lms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lms"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Login sessions: in the database, read through Redis when there is one (lms/sessions.py);
# without it each process would have a cache of its own, so the database alone.
SESSION_ENGINE = "lms.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Celery (every CELERY_* setting lives here) ---------------------------------------------
# With REDIS_URL set, tasks go through Redis to the workers (`make worker`). Without it, tasks
# run inline in the web process, so `make run` needs no broker; lms/celery.py logs which.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Results are kept in the database rows the tasks write, not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged after it ran, so a killed worker's task is delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: long renders do not hold back queued work.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hard and soft limits for any task that does not set its own.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# Redelivery of an unacknowledged message after this many seconds (Redis transport). Every
# task's hard time limit stays below it (tests/lms/test_task_limits.py), or a task still
# running would be delivered to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "socket_connect_timeout": 2,
}
# Workers and beat reconnect to the broker for as long as it takes (None: no limit), waiting
# 2, 4, 6 ... up to 30 seconds between attempts and logging each; when a worker is connected
# again it has every pending certificate queued again (lms/celery.py, BrokerConnected).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing must not hang a web request when Redis is down: connecting gives up after this
# many seconds and a publish is not retried; the row stays pending and is queued again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# Certificates have their own queue, so they can be scaled on their own workers.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    # The learner's email waits for the mail server on the default queue, not here.
    "certificates.tasks.email_certificate": {"queue": "celery"},
    "certificates.tasks.email_certificates": {"queue": "celery"},
    "certificates.tasks.*": {"queue": "certificates"},
}
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# How long personal data is kept, in one place; the hourly clean-up (beat, below) applies it.
# Each can be set from the environment (RETENTION_<KEY upper case>, e.g.
# RETENTION_ACCESS_LOG_DAYS=730).
# - import_file_hours: an uploaded import file (names, phones, ethnicity) and the names of its
#   report, once the import is done, failed or left unconfirmed this long (then it expires);
# - import_job_days: the rows of finished or expired imports (their counts and reasons);
# - verification_log_months: the log of certificate checks (addresses of who checked);
# - access_log_days: the audit of who listed, viewed, exported or imported personal data;
# - session_days: a login session (its cookie's age; expired sessions are deleted).
PERSONAL_DATA_RETENTION = {
    key: env_int(f"RETENTION_{key.upper()}", default)
    for key, default in {
        "import_file_hours": env_int("IMPORT_FILE_RETENTION_HOURS", 24),
        "import_job_days": 180,
        "verification_log_months": env_int("VERIFICATION_LOG_RETENTION_MONTHS", 12),
        "access_log_days": 365,
        "session_days": 14,
    }.items()
}
SESSION_COOKIE_AGE = PERSONAL_DATA_RETENTION["session_days"] * 24 * 3600
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "lms.tasks.worker_heartbeat", "schedule": 60.0},
    # Certificates still pending (a lost message, a broker outage) are queued again.
    "certificates-requeue": {
        "task": "certificates.tasks.requeue_pending_certificates",
        "schedule": 120.0,
    },
    # Clean-up (PERSONAL_DATA_RETENTION): uploaded import files, and verification checks.
    "imports-purge-files": {
        "task": "courses.registry.tasks.purge_import_files",
        "schedule": 3600.0,
    },
    "certificates-purge-verification-logs": {
        "task": "certificates.tasks.purge_verification_logs",
        "schedule": 3600.0,
    },
    # Finished import rows past import_job_days.
    "imports-purge-jobs": {
        "task": "courses.registry.tasks.purge_import_jobs",
        "schedule": 3600.0,
    },
    # Access-audit entries past access_log_days, and expired login sessions.
    "lms-purge-access-log-and-sessions": {
        "task": "lms.tasks.purge_access_log_and_sessions",
        "schedule": 3600.0,
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fix-up closes the database connection before and after every task unless
# this is set, so each certificate paid for a new PostgreSQL backend (fork, authentication,
# catalogue cache): about a third of a worker's time. lms/celery.py recycles connections the
# way Django does for requests instead (CONN_MAX_AGE, health checks, broken ones closed).
CELERY_DB_REUSE_MAX = 10**9

# Certificates pending (or failed with a transient error) longer than this many seconds are
# queued again by beat and by `manage.py issue_pending_certificates`.
CERTIFICATE_REQUEUE_AFTER = env_int("CERTIFICATE_REQUEUE_AFTER", 300)
# A worker issuing a certificate takes up to this many other queued ones with it, in the same
# two transactions (certificates/services.py, certificates_issue); 1 issues one at a time.
CERTIFICATE_ISSUE_BATCH = env_int("CERTIFICATE_ISSUE_BATCH", 25)
# Completions do not queue a message each: they ask for a drain (certificates.tasks.
# issue_pending_certificates), which issues the queued certificates a batch at a time for up
# to CERTIFICATE_DRAIN_SECONDS, then hands on to a new message. The flag that says a drain is
# on its way times out after CERTIFICATE_DRAIN_FLAG_TIMEOUT seconds (a drain lost with its
# worker): the next completion then asks again.
CERTIFICATE_DRAIN_SECONDS = env_int("CERTIFICATE_DRAIN_SECONDS", 20)
CERTIFICATE_DRAIN_FLAG_TIMEOUT = env_int("CERTIFICATE_DRAIN_FLAG_TIMEOUT", 60)
# Checks of verification codes allowed per client, e.g. 30/m, 100/h (lms/throttle.py).
CERTIFICATE_VERIFY_RATE = env("CERTIFICATE_VERIFY_RATE", "30/m")
# The log of those checks is kept this many months; the clean-up deletes older rows.
VERIFICATION_LOG_RETENTION_MONTHS = PERSONAL_DATA_RETENTION["verification_log_months"]

# --- Passwords and accounts -----------------------------------------------------------------
# Argon2id first (lms/hashers.py); the others only check hashes stored before it, which are
# re-hashed with it at the next login.
PASSWORD_HASHERS = [
    "lms.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
# Throttles (lms/throttle.py). Failed logins allowed per account and client, and per client
# over all accounts, in LOGIN_RATE_WINDOW seconds; beyond, the next attempt waits the window
# and each further failure doubles the wait. API token failures: LOGIN_RATE_LIMIT per client.
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 10)
LOGIN_CLIENT_RATE_LIMIT = env_int("LOGIN_CLIENT_RATE_LIMIT", 100)
LOGIN_RATE_WINDOW = env_int("LOGIN_RATE_WINDOW", 300)
# Password-reset e-mails asked for per e-mail address and per client in the window.
PASSWORD_RESET_RATE_LIMIT = env_int("PASSWORD_RESET_RATE_LIMIT", 3)
PASSWORD_RESET_CLIENT_RATE_LIMIT = env_int("PASSWORD_RESET_CLIENT_RATE_LIMIT", 20)
PASSWORD_RESET_RATE_WINDOW = env_int("PASSWORD_RESET_RATE_WINDOW", 3600)

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Vietnamese for library strings that the libraries' own catalogues lack (e.g. Wagtail's
# upload limits); each app keeps its own catalogue in <app>/locale.
# The project's own apps are listed again before locale/upstream/ so that their wording keeps
# winning over the libraries' catalogues (LOCALE_PATHS outrank every app's locale/), as it did
# while those were only app directories. wagtailmedia ships no Vietnamese: ours is beside.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    *(BASE_DIR / app / "locale" for app in ("lms", "content", "courses", "certificates")),
    *sorted(p for p in (BASE_DIR / "locale" / "upstream").iterdir() if p.is_dir()),
    BASE_DIR / "locale" / "wagtailmedia",
]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["lms.formats"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Public media (Wagtail images and documents) under MEDIA_ROOT; in production the reverse proxy
# serves /media/images/ and /media/original_images/ from it, and documents go through
# Wagtail's view (/documents/), which applies collection privacy (see the README).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Private files (certificate PDFs, bulk exports, uploaded imports): outside MEDIA_ROOT, with no
# URL; only the views that check who asks serve them (lms/storage.py). The "private" alias can
# point at an S3 bucket with django-storages instead.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))
# An S3-compatible object store (MinIO, Ceph, a provider's S3) instead of the two folders, for
# web servers and workers on several hosts: set AWS_STORAGE_BUCKET_NAME (public media) and
# AWS_PRIVATE_STORAGE_BUCKET_NAME (private files, a bucket of its own so that no bucket policy
# meant for public media can ever reach them), with django-storages' own variables for the
# endpoint and the keys. Private files are still only streamed by the views that check who
# asks; their storage signs any URL for PRIVATE_URL_SECONDS.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_PRIVATE_STORAGE_BUCKET_NAME = env("AWS_PRIVATE_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")
# Public media addresses: through the reverse proxy's /media/ (e.g. "lms.example.vn/media"),
# so that pages name no other host; unset, the endpoint's own addresses.
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN")
AWS_S3_URL_PROTOCOL = env("AWS_S3_URL_PROTOCOL", "https:")
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", "path")
PRIVATE_URL_SECONDS = env_int("PRIVATE_URL_SECONDS", 300)
if AWS_STORAGE_BUCKET_NAME:
    if not AWS_PRIVATE_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is set but AWS_PRIVATE_STORAGE_BUCKET_NAME is not: "
            "certificates, exports and imports need a bucket of their own."
        )
    if AWS_PRIVATE_STORAGE_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "AWS_PRIVATE_STORAGE_BUCKET_NAME must differ from AWS_STORAGE_BUCKET_NAME."
        )
    _S3 = "storages.backends.s3.S3Storage"
    _FILE_STORAGES = {
        # Wagtail's images, documents and media keep their own names: never overwrite.
        "default": {
            "BACKEND": _S3,
            "OPTIONS": {"file_overwrite": False, "querystring_auth": False},
        },
        "private": {
            "BACKEND": _S3,
            "OPTIONS": {
                "bucket_name": AWS_PRIVATE_STORAGE_BUCKET_NAME,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": PRIVATE_URL_SECONDS,
                "custom_domain": None,
                "file_overwrite": True,
            },
        },
    }
else:
    _FILE_STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "lms.storage.PrivateFileSystemStorage"},
    }
STORAGES = {
    **_FILE_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "lms.static_storage.MinifiedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploads larger than this are refused (cadre and session imports, documents).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMPORT_UPLOAD_BYTES = env_int("MAX_IMPORT_UPLOAD_BYTES", 20 * 1024 * 1024)
# Uploaded import files (names, phones, ethnicity) go when the import is done or failed; one
# checked but not confirmed, or left behind, is deleted by the clean-up this many hours after
# the import last moved.
IMPORT_FILE_RETENTION_HOURS = PERSONAL_DATA_RETENTION["import_file_hours"]
# What one import may read (lms/spreadsheet_limits.py), whatever the size of the upload: a
# small XLSX can hold millions of rows or unpack to gigabytes. A file over a limit is refused
# with a reason naming it. Data rows, columns with a value, characters in one cell, bytes of
# the XLSX parts once unpacked (counted from the zip's headers and again while reading), and
# row errors kept for the report (the rest are only counted).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 1_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_ERRORS = env_int("IMPORT_MAX_ERRORS", 5_000)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Hội LHPN Việt Nam <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
# Behind HTTPS in production: set SECURE_SSL_REDIRECT=1 and SECURE_HSTS_SECONDS (e.g. 31536000).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
# Behind a reverse proxy. The proxies whose X-Forwarded-For is believed (addresses or networks):
# a request from one of them counts under the client address it forwards (lms/proxy.py); from
# anyone else the header is ignored. gunicorn believes X-Forwarded-Proto only from
# FORWARDED_ALLOW_IPS (its own variable, 127.0.0.1 by default), which is how the compose file
# gets HTTPS right. USE_X_FORWARDED_PROTO=1 makes Django believe that header from anyone: only
# where nothing but the proxy can reach the app.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie (the quiz's autosave and Wagtail's admin take the token from
# the page), so scripts are not given it either.
CSRF_COOKIE_HTTPONLY = True
# Pages are never framed; Wagtail's own preview views mark themselves SAMEORIGIN.
X_FRAME_OPTIONS = "DENY"
# The site talks to no other host, so everything is 'self'. The Wagtail admin needs inline
# styles and scripts, so only it gets them (see lms/middleware.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; media-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)
CONTENT_SECURITY_POLICY_ADMIN = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; font-src 'self' data:; media-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Đề án 8 – Bình đẳng giới"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILEMBEDS_FINDERS = []  # no request to other hosts: embeds are disabled
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "mp3", "mp4", "m4a", "ogg"]
WAGTAIL_PASSWORD_RESET_ENABLED = True
# Audio and video in lessons (wagtailmedia): the formats phones play in an <audio>/<video>
# element. Files are public media like images (/media/media/, served by the proxy).
WAGTAILMEDIA = {
    "MEDIA_MODEL": "wagtailmedia.Media",
    "AUDIO_EXTENSIONS": ["mp3", "m4a", "aac", "ogg", "oga", "wav"],
    "VIDEO_EXTENSIONS": ["mp4", "m4v", "webm"],
}
# No avatar from another host (Gravatar): the admin shows Wagtail's default avatar, or one a
# user uploads, from this site. The site must work on a closed network.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Page addresses are ASCII ("binh-dang-gioi"): a Vietnamese title is folded (đ -> d) in the
# admin's slug field, and a slug typed with diacritics or left empty is folded on save
# (content/slugs.py).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Draftail, refusing with a form error a value that is not its JSON (content/rich_text.py).
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "content.rich_text.DraftailRichTextArea"}}

# --- The programme --------------------------------------------------------------------------
ISSUING_ORGANISATION = env("ISSUING_ORGANISATION", "Hội Liên hiệp Phụ nữ Việt Nam")
# The place printed before the date of issue on certificates ("Hà Nội, ngày … tháng … năm …").
CERTIFICATE_PLACE = env("CERTIFICATE_PLACE", "Hà Nội")

# Open Badges 3.0 credentials (certificates/openbadges/). The issuer's Ed25519 private key,
# as PEM: from CREDENTIAL_KEY itself, else from the file CREDENTIAL_KEY_FILE (kept outside the
# repository; `manage.py credential_key --create` writes one, `make run` does it for
# development). With CREDENTIAL_KEY_CREATE_MISSING a missing file is created on first use
# (development and tests only). The public keys of earlier keys stay published (DID document)
# while credentials they signed are valid.
CREDENTIAL_KEY = env("CREDENTIAL_KEY", "") or ""
CREDENTIAL_KEY_FILE = Path(env("CREDENTIAL_KEY_FILE", str(BASE_DIR / "var" / "credential-key.pem")))
CREDENTIAL_KEY_CREATE_MISSING = env_bool("CREDENTIAL_KEY_CREATE_MISSING", DEBUG)
# The issuer's public web site, named in its Open Badges profile.
ISSUING_ORGANISATION_URL = (env("ISSUING_ORGANISATION_URL", "") or "").rstrip("/") or SITE_URL

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
