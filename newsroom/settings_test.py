"""Settings for the test suite: the real settings in development mode, made fast."""

import os

os.environ.setdefault("DEBUG", "1")

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    "newsletter": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
# Tests publish and read at once: every request asks for the current generation.
NEWSROOM_GENERATION_CHECK_SECONDS = 0
# A field read that was not fetched up front fails the test instead of costing a query.
NEWSROOM_FETCH_MODE = "FETCH_RAISE"

# With pytest-xdist (make test runs two workers), each worker has its own test
# database already; give each its own Redis database too, since clearing the cache
# between tests empties the whole Redis database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and REDIS_URL:  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)  # noqa: F405
    _db = (int(_url.path.lstrip("/") or 0) - int(_worker.removeprefix("gw"))) % 16
    CACHES = redis_cache(urlunsplit(_url._replace(path=f"/{_db}")))  # noqa: F405
