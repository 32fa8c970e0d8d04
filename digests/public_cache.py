"""The public site's cache generation: one number that every cached public page carries.

Publishing, withdrawing or correcting a digest bumps the generation, so every
cached page built before it is stale at once, in every worker process and with
any cache backend (no key scanning needed). Called from the workflow after the
transaction commits, never from ``save()``.
"""

from django.core.cache import cache

GENERATION_KEY = "newsroom:public-generation"


def generation():
    """The current generation; starts at 1."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(digest=None):
    """Make every cached public page stale (the digest is named for the log, not used)."""
    try:
        return cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)
        return 2
