"""Which code renders the readers' pages: a part of every cached page's key.

The public page cache and the kept day pages and feed entries live for up to a week
in Redis, which outlives a deployment. Their keys change when what a page shows
changes (digests/public_cache.py), but not when the code that draws it does: after
an upgrade, a kept page would go on showing the old templates and linking the old
release's static files (whose hashed names ``collectstatic`` may have removed) until
it expired. So each key carries ``build_id()``: ``NEWSROOM_BUILD_ID`` when the
deployment sets one (a release tag, a commit), otherwise a digest of the files that
render pages, read once per process (306 files, 1.4 MB, about 20 ms on the
development machine). A new release starts with an empty page cache; nothing needs
clearing by hand.

Under ``runserver`` an edited template or stylesheet does not restart the process;
``forget`` (connected to Django's ``file_changed`` signal) makes the next page use
the new digest.
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings

# What draws a page: code, templates, styles, scripts, translations, images.
FOLDERS = ("newsroom", "digests", "templates", "static", "locale")
SUFFIXES = frozenset({".py", ".html", ".txt", ".xml", ".css", ".js", ".mo", ".svg", ".json"})


def _rendering_files():
    base = Path(settings.BASE_DIR)
    for folder in FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                yield path.relative_to(base).as_posix(), path


@functools.cache
def build_id():
    if settings.NEWSROOM_BUILD_ID:
        return settings.NEWSROOM_BUILD_ID
    digest = hashlib.sha256(django.get_version().encode())
    for name, path in _rendering_files():
        digest.update(b"\0" + name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def forget(sender=None, file_path=None, **kwargs):
    """A file changed under ``runserver``: the next key is computed from the files again."""
    base = Path(settings.BASE_DIR)
    if file_path is None or Path(file_path).is_relative_to(base):
        build_id.cache_clear()
