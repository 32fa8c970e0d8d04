"""Counters that every cached public page, and every kept day page, carries.

- The *public generation* changes whenever what readers may see changes:
  publishing, withdrawing or correcting a digest, renaming a section or a
  source, changing search terms. Cached pages built under an older generation
  are stale at once, in every worker process and with any cache backend (no
  key scanning needed).
- The *names generation* changes only when a section or a source is renamed:
  a kept day page (``digests.fragments``) depends on its own digest and on
  those names, not on what other days were published.

The counters must be seen by every process at once. With Redis they live in
the cache itself; with the local-memory cache (one per process) they live in
small files under ``NEWSROOM_STATE_DIR``, which every process on the machine
reads: otherwise a page withdrawn through one worker would stay cached in the
others. Bumped by the workflow and the desk after the transaction commits,
never from ``save()``.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "newsroom:public-generation"
NAMES_KEY = "newsroom:names-generation"


def shared_cache():
    """Whether the cache is one for all processes (Redis), not one per process."""
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def _path(key):
    return Path(settings.NEWSROOM_STATE_DIR) / key.replace(":", "-")


def _current(key):
    if shared_cache():
        value = cache.get(key)
        if value is None:
            cache.add(key, 1, timeout=None)
            value = cache.get(key, 1)
        return value
    try:
        return int(_path(key).read_text() or 1)
    except (FileNotFoundError, ValueError):
        return 1


def _bump(key):
    if shared_cache():
        try:
            return cache.incr(key)
        except ValueError:  # the key was evicted or never set
            cache.set(key, 2, timeout=None)
            return 2
    value = _current(key) + 1
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside it, then rename: a reader never sees a half-written number.
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as out:
        out.write(str(value))
    os.replace(out.name, path)
    return value


def generation():
    """The current public generation; starts at 1."""
    return _current(GENERATION_KEY)


def names_generation():
    """The current names generation; starts at 1."""
    return _current(NAMES_KEY)


def invalidate(digest=None, names=False):
    """Make every cached public page stale; with ``names``, every kept day page too.

    (The digest is accepted so callers can say what changed; a digest's own
    kept page goes stale through its version, which every change raises.)
    """
    if names:
        _bump(NAMES_KEY)
    return _bump(GENERATION_KEY)
