"""Settings for Newsroom, read from the environment.

The defaults serve one machine with nothing installed: SQLite under ``var/``,
a local-memory cache, console e-mail. Production sets ``SECRET_KEY``,
``ALLOWED_HOSTS`` and usually ``DATABASE_URL`` and ``REDIS_URL``; see README.md.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from dotenv import load_dotenv

from digests.briefing.grammar import MAX_ITEMS

BASE_DIR = Path(__file__).resolve().parent.parent


# An optional, uncommitted .env (or the file NEWSROOM_ENV_FILE names) gives defaults;
# the real environment always wins. Development settings come from `make run` and
# `make test`, which pass DEBUG=1 to their commands, never from a file that outlives them.
load_dotenv(os.environ.get("NEWSROOM_ENV_FILE") or BASE_DIR / ".env", override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for "
            "local development (make run does this for you)."
        )
    SECRET_KEY = "newsroom-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "digests",
    "newsroom.apps.NewsroomAdminConfig",  # django.contrib.admin, with the desk's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "taggit",
    "reversion",
    "django_tasks_db",
    "axes",
    "anymail",  # the newsletter's mail providers and their webhooks (digests/newsletter)
    "ninja",  # the read-only API at /api/ (digests/api); its docs page's static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip: below WhiteNoise (static comes compressed), above ETags and cache (docs/security.md).
    "django.middleware.gzip.GZipMiddleware",
    # /api/ is open to other sites' scripts, for reading (digests/api/middleware.py).
    "digests.api.middleware.ApiCorsMiddleware",
    # Control characters (NUL…) in parameters: dropped for readers, a 400 on the desk.
    "digests.request_guard.ControlCharacterMiddleware",
    # ETag and 304 Not Modified, for cached pages as for freshly built ones.
    "django.middleware.http.ConditionalGetMiddleware",
    # Serves anonymous readers' pages from the cache before sessions or CSRF are read.
    "digests.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digests.middleware.DeskLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Turns a locked-out login into the lock page (digests/logins.py); keep it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/newsroom; default: SQLite in var/.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'newsroom.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the writer work at once; IMMEDIATE makes a writing
    # transaction take its lock up front instead of failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis down is a cache that keeps nothing: pages come from the database and the
# failure is logged (digests/cache.py); a Redis that hangs costs at most the timeout.
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))


def redis_cache(url):
    """The cache settings for a Redis at ``url``."""
    return {
        "default": {
            "BACKEND": "digests.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }


if REDIS_URL:
    CACHES = redis_cache(REDIS_URL)
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
        }
    }

# --- Background tasks ------------------------------------------------------------------
# Scheduled publication and e-mail run as Django tasks, stored in the database and
# run by a worker: `python manage.py db_worker` (README: "The worker").
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Public page cache -------------------------------------------------------------------
# Anonymous readers' pages are cached for this long; publishing, withdrawing or
# correcting a digest makes every cached page stale at once. 0 turns it off.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "3600"))
# A stale page (built before a publication or correction, never before a withdrawal) is
# served at most this long while the worker renders a fresh one; then it is a miss, so
# a change reaches readers even with the worker down.
NEWSROOM_STALE_SECONDS = float(os.environ.get("NEWSROOM_STALE_SECONDS", "30"))
# A day's page is also kept under what it shows (its digest's version, the days
# around it, the names of sections and sources), so publishing another day does
# not make it render again (0: off).
NEWSROOM_DAY_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_DAY_PAGE_CACHE_SECONDS", "604800"))
# How often a worker reads the public generation from the database (a publication or
# withdrawal reaches every worker within this), and, with Redis, how many pages it
# keeps in its own memory.
NEWSROOM_GENERATION_CHECK_SECONDS = float(os.environ.get("NEWSROOM_GENERATION_CHECK_SECONDS", "1"))
NEWSROOM_RECENT_PAGES = int(os.environ.get("NEWSROOM_RECENT_PAGES", "500"))
# What identifies this release in cached pages' keys (digests/build.py): set it to a
# release tag or commit; unset, a digest of the files that render pages is used.
NEWSROOM_BUILD_ID = os.environ.get("NEWSROOM_BUILD_ID", "")
# What shared caches (a CDN) and browsers may keep: a minute, then revalidate (ETag/304).
NEWSROOM_CACHE_CONTROL = os.environ.get(
    "NEWSROOM_CACHE_CONTROL", "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
)
# How model instances fetch a field that was not loaded: one query for all the
# instances a page loaded together. The tests make it an error instead.
NEWSROOM_FETCH_MODE = "FETCH_PEERS"

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes, digests/logins.py). Failures count per account and
# address, and per address over all accounts; either limit pauses logins from that
# address for AXES_COOLOFF_TIME. Admins unlock sooner under "Access attempts".
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # this order: logins.py
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_LOGIN_FAILURES", "5"))
NEWSROOM_LOGIN_FAILURES_PER_ADDRESS = int(
    os.environ.get("NEWSROOM_LOGIN_FAILURES_PER_ADDRESS", "30")
)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("NEWSROOM_LOGIN_PAUSE_MINUTES", "15"))
)
AXES_HANDLER = "digests.logins.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "digests.logins.client_ip"
AXES_LOCKOUT_CALLABLE = "digests.logins.locked_out"
# A refused attempt during a lock is not written down: a flood costs no writes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged
# Behind a proxy, the request.META key of the header it puts the client's address in
# (e.g. HTTP_X_FORWARDED_FOR); without it the connection's address is used.
NEWSROOM_CLIENT_IP_HEADER = os.environ.get("NEWSROOM_CLIENT_IP_HEADER", "")
# The read-only API's limit per client address (digests/api): N/s, N/min, N/hour or N/day.
NEWSROOM_API_RATE = os.environ.get("NEWSROOM_API_RATE", "120/min")

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "static/"
# Where `collectstatic` gathers the static files that WhiteNoise serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A digest's change page posts at most 15 fields per item (MAX_ITEMS items, the most a
# digest holds) plus its own, its blocks' and the formsets' management fields; Django's
# default (1,000) would refuse a save of about 70 items with a 400 and lose the edits.
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_ITEMS * 15 + 200

# --- E-mail -----------------------------------------------------------------------
# DEBUG: printed on the console. Otherwise SMTP, to EMAIL_HOST (default: the local MTA).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if DEBUG and not os.environ.get("EMAIL_HOST"):
    # Printed readable (decoded), the HTML part saved under var/mail/ (newsroom/console_mail.py).
    MAILERS = {"default": {"BACKEND": "newsroom.console_mail.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "timeout": 20,
            },
        }
    }

# --- Newsletter (digests/newsletter, docs/newsletter.md) ------------------------------
# The briefing by e-mail goes through its own mailer: the default one (SMTP above)
# unless NEWSLETTER_EMAIL_BACKEND names another, such as one of django-anymail's
# ("anymail.backends.postmark.EmailBackend"). Anymail's settings come from the
# environment: ANYMAIL_POSTMARK_SERVER_TOKEN=... becomes ANYMAIL["POSTMARK_SERVER_TOKEN"];
# ANYMAIL_WEBHOOK_SECRET ("user:password") guards the bounce and complaint webhooks.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
NEWSLETTER_EMAIL_BACKEND = os.environ.get("NEWSLETTER_EMAIL_BACKEND", "")
MAILERS["newsletter"] = (
    {"BACKEND": NEWSLETTER_EMAIL_BACKEND} if NEWSLETTER_EMAIL_BACKEND else dict(MAILERS["default"])
)
NEWSROOM_NEWSLETTER_FROM = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# Sending: at most this many mails a minute, in batches of this size (one task each).
NEWSROOM_NEWSLETTER_RATE = int(os.environ.get("NEWSLETTER_RATE_PER_MINUTE", "600"))
NEWSROOM_NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "100"))
# A delivery still "sending" after this long was cut off (a killed worker): it is
# marked interrupted, never sent again by itself (it may have gone out).
NEWSROOM_NEWSLETTER_SENDING_TIMEOUT = int(os.environ.get("NEWSLETTER_SENDING_TIMEOUT", "300"))
# Sign-up limits: confirmation mails per address a day; sign-ups per client an hour.
NEWSROOM_NEWSLETTER_CONFIRMATIONS_PER_DAY = 3
NEWSROOM_NEWSLETTER_SIGNUPS_PER_HOUR = int(os.environ.get("NEWSLETTER_SIGNUPS_PER_HOUR", "10"))
# A confirmation link works for this long.
NEWSROOM_NEWSLETTER_CONFIRM_DAYS = 7
# An address that never confirmed is deleted after this many days (the worker's sweep).
NEWSROOM_NEWSLETTER_UNCONFIRMED_DAYS = 30
# Gmail clips a message's HTML past 102 KB: the mail stays under this.
NEWSROOM_NEWSLETTER_MAX_HTML_BYTES = 100_000

# --- The desk's memory (digests/ingest, digests/story; docs/workflow.md) --------------
# Polling the sources' feeds: the longest wait for a feed, the most it may send, the
# redirects it may make; then the inbox keeps candidates this many days.
NEWSROOM_FEED_TIMEOUT_SECONDS = float(os.environ.get("NEWSROOM_FEED_TIMEOUT_SECONDS", "10"))
NEWSROOM_FEED_MAX_BYTES = int(os.environ.get("NEWSROOM_FEED_MAX_BYTES", str(5 * 1024 * 1024)))
NEWSROOM_FEED_MAX_REDIRECTS = 3
# Feeds on loopback or a private network are refused unless this is on (a desk whose
# feeds live on its own network; the tests' feed server).
NEWSROOM_FEED_ALLOW_PRIVATE = env_bool("NEWSROOM_FEED_ALLOW_PRIVATE")
NEWSROOM_CANDIDATE_DAYS = 30
# Story memory: a new item is compared with the items published this many days back.
NEWSROOM_STORY_DAYS = 30
# The claims ledger: a number is checked against those published this many days back.
NEWSROOM_CLAIMS_DAYS = 90
# The source_share check: one individual or self-media account may supply at most this
# share of a day's items (0.2: a fifth) before the desk is warned.
NEWSROOM_SOURCE_SHARE = float(os.environ.get("NEWSROOM_SOURCE_SHARE", "0.2"))

# --- Security -----------------------------------------------------------------------
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1.
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own while it
        # also propagates to the root's: every django.* line (the task worker's
        # "Task … state=…") would be printed twice. One handler, the root's, prints it.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Newsroom --------------------------------------------------------------------------
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "每日科技新闻速览")
# Edition checks run at every status change. "required" blocks a change that brings a
# digest closer to readers (submit, schedule, publish) and lists what fails;
# "recommended" shows a warning beside the buttons; "off" skips the check.
NEWSROOM_EDITION_CHECKS = {
    "items_complete": "required",
    "sections_not_empty": "required",
    "unique_headlines": "required",
    "analysis_present": "required",
    "trends_present": "required",
}
# How long a share link for a preview works, in hours.
NEWSROOM_PREVIEW_LINK_HOURS = int(os.environ.get("NEWSROOM_PREVIEW_LINK_HOURS", "72"))

# The site's public address: the one source of every absolute link (canonical links,
# OpenGraph, JSON-LD, feeds, the sitemap, robots.txt, e-mail). Production must set it;
# `check --deploy` warns while it is a development address (digests/checks.py).
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000")

# Where load_demo keeps the demo accounts' passwords (development only).
NEWSROOM_DEMO_ACCOUNTS_FILE = BASE_DIR / "var" / "demo-accounts.txt"
