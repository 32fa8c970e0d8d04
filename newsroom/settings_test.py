"""Settings for the test suite: the real settings in development mode, made fast."""

import os

os.environ.setdefault("DEBUG", "1")

from newsroom.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tests publish and read at once: every request asks for the current generation.
NEWSROOM_GENERATION_CHECK_SECONDS = 0
# A field read that was not fetched up front fails the test instead of costing a query.
NEWSROOM_FETCH_MODE = "FETCH_RAISE"
