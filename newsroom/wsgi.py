"""WSGI entry point, used by gunicorn: ``gunicorn newsroom.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# Load the Chinese word segmenter's dictionary before the first search, not during it.
from digests.search.tokenize import warm_up  # noqa: E402

warm_up()
