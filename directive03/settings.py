"""Settings for Chỉ thị 03, read strictly from the environment (see README).

Nothing set: SQLite in var/, Celery tasks run in-process, DEBUG on, a dev secret.
DATABASE_URL / CELERY_BROKER_URL switch to PostgreSQL / Redis with real workers.
DJANGO_DEBUG=false is production: SECRET_KEY and ALLOWED_HOSTS are required.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import Env, origin

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.bool("DJANGO_DEBUG", True)

DATA_DIR = Path(env.str("DATA_DIR", str(BASE_DIR / "var")))
if not DATA_DIR.is_absolute():
    raise ImproperlyConfigured(f"DATA_DIR: must be an absolute path, got {str(DATA_DIR)!r}")
#: Generated documents live here, outside the web root; only an access-checked view serves them.
DOCUMENTS_ROOT = DATA_DIR / "documents"
IMPORTS_ROOT = DATA_DIR / "imports"  # uploaded member lists, until a worker has read them
DATA_DIR.mkdir(parents=True, exist_ok=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", "django-insecure-dev-only-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY: required when DJANGO_DEBUG=false")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS: required when DJANGO_DEBUG=false")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [], item=origin)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "django_htmx",
    "axes",
    "csp",
    "directive03",
    "organizations",
    "pledges",
    "reports",
    "demo",  # above every app: seeds the demo province across them (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "directive03.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "directive03.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "directive03.urls"
WSGI_APPLICATION = "directive03.wsgi.application"

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
                "reports.context_processors.unread_notifications",
            ],
            "builtins": ["directive03.templatetags.vn"],
        },
    }
]

# Database: an embedded SQLite file unless DATABASE_URL names PostgreSQL.
_default_db = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASE_URL = env.url("DATABASE_URL", {"postgres", "postgresql", "pgsql", "sqlite"}, _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: cannot parse {DATABASE_URL!r} ({exc})") from None
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "todo"  # "Việc cần làm": what waits for the user, every role
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# dd/mm/yyyy in every language, forms and admin alike (directive03.formats holds the rule)
FORMAT_MODULE_PATH = ["directive03.locale_formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Collected at image build time, so it lives with the code, not in the DATA_DIR volume.
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Generated documents and uploaded member lists (directive03.files): local folders under DATA_DIR by
# default; FILE_STORAGE=s3 puts them in an S3-compatible bucket, so web and workers may run on
# different hosts (README, "Files on several machines").
FILE_STORAGE = env.choice("FILE_STORAGE", "local", {"local", "s3"})
# the S3 values are read (and checked) whatever FILE_STORAGE says, and used with FILE_STORAGE=s3
S3_BUCKET = env.str("S3_BUCKET")
_s3 = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": env.url("S3_ENDPOINT_URL", {"http", "https"}),  # unset: AWS itself
    "region_name": env.str("S3_REGION"),
    "access_key": env.str("S3_ACCESS_KEY_ID"),  # unset: boto3's own chain (AWS_* variables, a role)
    "secret_key": env.str("S3_SECRET_ACCESS_KEY"),
    "addressing_style": env.choice("S3_ADDRESSING_STYLE", "auto", {"auto", "path", "virtual"}),
    "default_acl": None,  # the bucket's own (private): files are only streamed by the app
    "querystring_auth": True,
    "file_overwrite": True,  # every name written is new (a random token): no HEAD before a write
    "max_memory_size": 8 * 1024 * 1024,  # a download larger than this is spooled to a temporary file
}
_s3_prefix = (env.str("S3_PREFIX") or "").strip("/")
for _name, _root in (("documents", "DOCUMENTS_ROOT"), ("imports", "IMPORTS_ROOT")):
    if FILE_STORAGE == "s3":
        if not S3_BUCKET:
            raise ImproperlyConfigured("S3_BUCKET: required when FILE_STORAGE=s3")
        STORAGES[_name] = {"BACKEND": "storages.backends.s3.S3Storage",
                           "OPTIONS": {**_s3, "location": "/".join(p for p in (_s3_prefix, _name) if p)}}
    else:
        STORAGES[_name] = {"BACKEND": "directive03.files.SettingFolderStorage", "OPTIONS": {"root_setting": _root}}
MEDIA_ROOT = DATA_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads (member import): refuse large bodies early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery: no broker configured means tasks run in-process, synchronously.
CELERY_BROKER_URL = env.url("CELERY_BROKER_URL", {"redis", "rediss"})
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000, minimum=10_000)
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env.str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if env.is_set("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "chithi03@localhost")
#: The site's public address, for links in e-mails.
SITE_URL = env.url("SITE_URL", {"http", "https"}, "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Django's own default config gives "django" a console handler too: without this every
        # django.* message (runserver's "Watching for file changes") was printed twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env.choice("DJANGO_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
}

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from our own origin, nothing inline. Scripts live in
# static/js/, styles in static/css/app.css; htmx is told not to inject its indicator <style>
# (meta htmx-config in base.html). Bootstrap's icons are data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "directive03.heartbeat", "schedule": 60.0},
    # deadline reminders, every morning at 07:00 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
    "report-deadline-reminders": {"task": "reports.send_deadline_reminders", "schedule": crontab(hour=7, minute=0)},
    # restructuring plans dated today take effect just after midnight
    "apply-due-restructuring-plans": {"task": "organizations.apply_due_plans", "schedule": crontab(hour=0, minute=5)},
    # the day's notifications (sent, returned, approved...) in one e-mail per user, at 17:30
    "notification-digests": {"task": "reports.send_notification_digests", "schedule": crontab(hour=17, minute=30)},
    # the open rounds' live figures: the cells whose records changed since (their change marks), after
    # the day's restructuring plans; a new month's meetings are expected from its first day
    "refresh-open-rounds": {"task": "reports.refresh_open_rounds", "schedule": crontab(hour=0, minute=20)},
}
#: Seconds between two sweeps of the document jobs (resume what dead workers or lost messages left).
DOCUMENT_SWEEP_SECONDS = env.int("DOCUMENT_SWEEP_SECONDS", 30, minimum=2)
#: A report's document is built (by a worker) when the report is submitted or approved, so a round's
#: run has only the committees above and the consolidated document left (reports.document_tasks.follow).
DOCUMENTS_FOLLOW_DATA = True
#: The consolidated document is laid out in this many parts by the workers at once, then joined; a
#: rebuild lays out only the parts whose content changed (after one approval: one district's piece and
#: the counts). Medium province, 2 workers, quiet machine: after one approval 6 parts 0.32x one raw
#: WeasyPrint pass, 9 parts 0.24x (76 pages instead of 74: every cut starts a page). bench/README.md.
DOCUMENT_PARTS = env.int("DOCUMENT_PARTS", 9, minimum=1)
# each part after the first holds at least this many rows of the communes table (a part starts a page)
DOCUMENT_PART_MIN_ROWS = env.int("DOCUMENT_PART_MIN_ROWS", 90, minimum=1)
CELERY_BEAT_SCHEDULE["document-sweep"] = {"task": "reports.sweep_documents",
                                          "schedule": float(DOCUMENT_SWEEP_SECONDS)}
#: Without a broker these run in a thread of the web process (directive03.dispatch): first at
#: start-up with on_start_kwargs (resume what the restart interrupted), then every `every` seconds.
IN_PROCESS_PERIODIC_TASKS = [
    {"task": "reports.sweep_documents", "every": DOCUMENT_SWEEP_SECONDS, "on_start_kwargs": {"force": True}},
]
CSRF_FAILURE_VIEW = "directive03.views.csrf_failure"

# Without a broker, long in-process jobs (document runs) run in a background thread of the web
# process; tests run them inline instead.
RUN_TASKS_INLINE = False
