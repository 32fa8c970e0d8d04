"""A Redis cache that readers never see fail: when Redis is down, Newsroom works without it.

Everything Newsroom keeps in the cache (pages, kept day pages, browse choices,
search terms) can be rebuilt from the database, and what readers may see is
decided by the database alone (``digests.public_cache``). So a cache that
cannot be reached is treated as empty: a read finds nothing, a write is
dropped, and the failure is logged. After a failure the cache is not asked
again for ``RETRY_SECONDS``, so that a Redis that hangs costs each request
nothing rather than a timeout. ``available()`` says whether it answers now,
for ``/healthz``.

Django's own ``RedisCache`` underneath; see docs/decisions.md for why not
django-redis.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0

# What each operation answers when the cache cannot be reached: "nothing kept".
_MISSING = {
    "add": False,
    "get": None,  # the caller's default, see below
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": None,
    "delete_many": None,
    "clear": False,
}


class _Outage:
    """When the cache last failed, shared by the threads of a process."""

    def __init__(self):
        self.until = 0.0
        self.lock = threading.Lock()

    def skipping(self):
        return time.monotonic() < self.until

    def failed(self, operation, error):
        with self.lock:
            first = not self.skipping()
            self.until = time.monotonic() + RETRY_SECONDS
        if first:
            log.warning(
                "cache unavailable (%s: %s: %s); serving from the database for %ss",
                operation,
                type(error).__name__,
                error,
                RETRY_SECONDS,
            )


class ForgivingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, with each operation answering "nothing kept" on failure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outage = _Outage()

    def _guarded(self, operation, *args):
        missing = args[-1] if operation == "get" else _MISSING[operation]
        if self.outage.skipping():
            return missing
        try:
            return getattr(super(), operation)(*args)
        except self._lib.RedisError as error:
            self.outage.failed(operation, error)
            return missing

    def add(self, key, value, timeout):
        return self._guarded("add", key, value, timeout)

    def get(self, key, default):
        return self._guarded("get", key, default)

    def set(self, key, value, timeout):
        return self._guarded("set", key, value, timeout)

    def touch(self, key, timeout):
        return self._guarded("touch", key, timeout)

    def delete(self, key):
        return self._guarded("delete", key)

    def incr(self, key, delta):
        """As for a key that is not kept: ``ValueError`` (callers then ``set``, also dropped)."""
        if self.outage.skipping():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        try:
            return super().incr(key, delta)
        except self._lib.RedisError as error:
            self.outage.failed("incr", error)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from error

    def get_many(self, keys):
        return self._guarded("get_many", keys)

    def has_key(self, key):
        return self._guarded("has_key", key)

    def set_many(self, data, timeout):
        return self._guarded("set_many", data, timeout)

    def delete_many(self, keys):
        return self._guarded("delete_many", keys)

    def clear(self):
        return self._guarded("clear")

    def ping(self):
        if self.outage.skipping():
            return False
        try:
            return bool(self.get_client().ping())
        except self._lib.RedisError as error:
            self.outage.failed("ping", error)
            return False


class ForgivingRedisCache(RedisCache):
    """``RedisCache`` that degrades to "nothing kept" when Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient

    def failing(self):
        """Whether Redis failed lately and is being left alone (no round trip)."""
        return self._cache.outage.skipping()

    def available(self):
        """Whether Redis answers now (one PING; False during an outage's retry pause)."""
        return self._cache.ping()
