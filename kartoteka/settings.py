"""The one settings module. Everything an operator may change comes from the environment (.env.example)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kartoteka.core.env import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("KARTOTEKA_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Production mode (PRODUCTION=true) requires a SECRET_KEY and switches on HTTPS-only cookies, HSTS and
# the other deploy settings; `kartoteka check --deploy` is clean in it.
PRODUCTION = env_bool("PRODUCTION", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set in production mode (see .env.example)")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not PRODUCTION else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes (stored as hashes, see accounts/two_factor.py)
    "ninja",  # serves the API docs' Swagger UI from our static files (the CDN page breaks under our CSP)
    "kartoteka.core",
    "kartoteka.accounts",
    "kartoteka.audit",
    "kartoteka.customfields",
    "kartoteka.contacts",
    "kartoteka.products",
    "kartoteka.activities",
    "kartoteka.deals",
    "kartoteka.leads",
    "kartoteka.reports",
    "kartoteka.handover",
    "kartoteka.tasks",
    "kartoteka.notifications",
    "kartoteka.search",
    "kartoteka.dedupe",
    "kartoteka.dataio",
    "kartoteka.savedviews",
    "kartoteka.api",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kartoteka.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kartoteka.core.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kartoteka.accounts.middleware.IdleTimeoutMiddleware",
    "kartoteka.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "kartoteka.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kartoteka.urls"
WSGI_APPLICATION = "kartoteka.wsgi.application"

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
    }
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kartoteka.sqlite3'}")
DATABASES = {"default": parse_database_url(DATABASE_URL, base_dir=PROJECT_DIR)}
if env_str("DB_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # My day for managers and heads (tasks.views.start)
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failed attempts per username locks it for 15 minutes; a per-IP limit stops spraying.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address: read the client's from
# X-Forwarded-For instead, or five typos by anyone would lock everyone out.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 1) if BEHIND_PROXY else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]

# Two-factor login (django-otp, docs/access.md): which roles need it is set by admins on /settings/security/.
# A wrong code makes the next attempt wait 1, 2, 4, 8 … seconds (per device); a code is accepted one 30-second
# step early or late, and never twice.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Kartoteka")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the Django admin never shows a user's secret key or recovery codes

SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
DEFAULT_PHONE_REGION = env_str("DEFAULT_PHONE_REGION", "RU")
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "RUB")
# The product catalog (docs/products.md): the VAT rate, in per cent, a new product starts with, and whether heads
# of sales edit the catalog besides administrators.
DEFAULT_VAT_RATE = env_int("DEFAULT_VAT_RATE", 22)
PRODUCTS_EDITABLE_BY_HEADS = env_bool("PRODUCTS_EDITABLE_BY_HEADS", True)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here (and from the finders)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Pages and the API never return more than this many rows at once.
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 50)
# Rows a user may export per day, by role (0: no limit). Over it, the export is refused and heads/admins told.
EXPORT_DAILY_ROWS = {
    "viewer": env_int("EXPORT_DAILY_ROWS_VIEWER", 2000),
    "manager": env_int("EXPORT_DAILY_ROWS_MANAGER", 2000),
    "head": env_int("EXPORT_DAILY_ROWS_HEAD", 10000),
    "admin": env_int("EXPORT_DAILY_ROWS_ADMIN", 0),
}
API_MAX_PAGE_SIZE = 100

# Content-Security-Policy: everything from our own origin; htmx and Alpine are vendored.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kartoteka@localhost")
# The address links in e-mails point to.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Background jobs (docs/jobs.md): huey with SQLite storage in VAR_DIR by default; Redis when HUEY_REDIS_URL is
# set. `kartoteka worker` runs the consumer and the periodic jobs (reminders, overdue notices, escalations).
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL")
HUEY = {
    "name": "kartoteka",
    "immediate": env_bool("HUEY_IMMEDIATE", False),  # run jobs in-process (no worker), e.g. for a quick demo
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread", "periodic": True},
    **({"huey_class": "huey.RedisHuey", "url": HUEY_REDIS_URL} if HUEY_REDIS_URL else
       {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}),
}

# Tasks and notifications (docs/tasks.md, docs/notifications.md).
TASKS_DAILY_LIMIT = env_int("TASKS_DAILY_LIMIT", 8)  # per manager, unless a head sets theirs
TASK_REMINDER_MINUTES = env_int("TASK_REMINDER_MINUTES", 15)  # default lead time of "due soon"
TASK_ESCALATION_MINUTES = env_int("TASK_ESCALATION_MINUTES", 240)  # overdue this long → the head is told
DIGEST_HOUR = env_int("DIGEST_HOUR", 8)  # local hour from which the morning digest of the day goes out
# Client segmentation (docs/reports.md): ABC classes by share of revenue (A the first 80%, B the next 15%, C the
# rest) and XYZ by the coefficient of variation of monthly revenue (X up to 10%, Y up to 25%, Z above) over the
# REPORTS_XYZ_MONTHS calendar months that end with the report's period.
REPORTS_ABC_A = env_int("REPORTS_ABC_A", 80)
REPORTS_ABC_B = env_int("REPORTS_ABC_B", 15)
REPORTS_XYZ_X = env_int("REPORTS_XYZ_X", 10)
REPORTS_XYZ_Y = env_int("REPORTS_XYZ_Y", 25)
REPORTS_XYZ_MONTHS = env_int("REPORTS_XYZ_MONTHS", 12)
# A client is neglected after this many days without an activity, by company status.
NEGLECTED_DAYS = {
    "active": env_int("NEGLECTED_DAYS_ACTIVE", 30),
    "potential": env_int("NEGLECTED_DAYS_POTENTIAL", 60),
    "former": env_int("NEGLECTED_DAYS_FORMER", 180),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"

# Web forms (docs/leads.md): the largest accepted body and submissions per minute from one address.
WEBFORM_MAX_BODY_BYTES = env_int("WEBFORM_MAX_BODY_BYTES", 16 * 1024)
WEBFORM_RATE_LIMIT_PER_MINUTE = env_int("WEBFORM_RATE_LIMIT_PER_MINUTE", 10)
