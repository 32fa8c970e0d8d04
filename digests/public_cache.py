"""Counters that every cached public page, and every kept day page, carries.

- The *public generation* changes whenever what readers may see changes:
  publishing, withdrawing or correcting a digest, renaming a section or a
  source, changing search terms. Cached pages built under an older generation
  are stale at once, in every worker process and with any cache backend (no
  key scanning needed).
- The *names generation* changes only when a section or a source is renamed:
  a kept day page (``digests.fragments``) depends on its own digest and on
  those names, not on what other days were published.

The counters live in the database (``PublicCounter``) and are raised by
``changed()`` inside the transaction of the change itself: the change and the
news of it commit together or not at all, and no cache failure can lose it. A
process reads them at most once per ``NEWSROOM_GENERATION_CHECK_SECONDS`` (one
small query), so a withdrawal reaches every worker within that time, with
Redis, with the per-process cache, or with Redis down.
"""

import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F

from digests.models import PublicCounter

PUBLIC = "public"
NAMES = "names"


class Generations(NamedTuple):
    public: int
    names: int


class _Seen:
    """The counters this process read last, and when (monotonic seconds)."""

    def __init__(self):
        self.value = None
        self.at = 0.0
        self.lock = threading.Lock()

    def forget(self):
        with self.lock:
            self.value = None


_seen = _Seen()


def read():
    """The counters as the database has them now (one query)."""
    values = dict(
        PublicCounter.objects.filter(name__in=(PUBLIC, NAMES)).values_list("name", "value")
    )
    return Generations(values.get(PUBLIC, 1), values.get(NAMES, 1))


def current():
    """The counters, read from the database at most once per check interval per process."""
    now = time.monotonic()
    with _seen.lock:
        value, at = _seen.value, _seen.at
    if value is None or now - at >= settings.NEWSROOM_GENERATION_CHECK_SECONDS:
        value = read()
        with _seen.lock:
            _seen.value, _seen.at = value, now
    return value


def generation():
    """The current public generation; starts at 1."""
    return current().public


def names_generation():
    """The current names generation; starts at 1."""
    return current().names


def forget():
    """Read the counters again on next use (after a change this process made, and in tests)."""
    _seen.forget()


def changed(names=False):
    """Record that what readers see changed: call inside the transaction of the change.

    Raises the public generation (and, with ``names``, the names generation)
    with ``UPDATE … SET value = value + 1``, so concurrent changes never lose
    a step; the row is created the first time.
    """
    counters = [PUBLIC, NAMES] if names else [PUBLIC]
    with transaction.atomic():
        PublicCounter.objects.bulk_create(
            [PublicCounter(name=name) for name in counters], ignore_conflicts=True
        )
        PublicCounter.objects.filter(name__in=counters).update(value=F("value") + 1)
    # This process sees its own change at once, once committed.
    transaction.on_commit(forget)
