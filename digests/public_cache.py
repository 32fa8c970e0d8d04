"""Counters that every cached public page, and every kept day page, carries.

- The *public generation* changes whenever what readers may see changes:
  publishing, withdrawing or correcting a digest, renaming a section or a
  source, changing search terms. A cached page built under an older generation
  is stale at once, in every worker process and with any cache backend (no
  key scanning needed); it may still be served while a fresh one is built.
- The *floor* is raised to the new public generation by a change that takes
  content away from readers (a withdrawal). A page built under a generation
  below the floor is never served again: it may show what was withdrawn.
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
from django.db.models import F, Subquery

from digests.models import PublicCounter

PUBLIC = "public"
FLOOR = "floor"
NAMES = "names"


class Generations(NamedTuple):
    public: int
    names: int
    floor: int = 1


class _Seen:
    """The counters this process read last, and when it first saw each public generation."""

    def __init__(self):
        self.value = None
        self.at = 0.0
        self.first_seen = {}  # public generation -> monotonic seconds
        self.lock = threading.Lock()

    def forget(self):
        with self.lock:
            self.value = None

    def saw(self, value, now):
        with self.lock:
            self.value, self.at = value, now
            if self.first_seen and value.public < max(self.first_seen):
                self.first_seen.clear()  # a database restored, or the next test's
            self.first_seen.setdefault(value.public, now)
            if len(self.first_seen) > 64:  # only the latest matter (see ``stale_for``)
                del self.first_seen[min(self.first_seen)]


_seen = _Seen()


def read():
    """The counters as the database has them now (one query)."""
    values = dict(
        PublicCounter.objects.filter(name__in=(PUBLIC, NAMES, FLOOR)).values_list("name", "value")
    )
    return Generations(values.get(PUBLIC, 1), values.get(NAMES, 1), values.get(FLOOR, 1))


def current():
    """The counters, read from the database at most once per check interval per process."""
    now = time.monotonic()
    with _seen.lock:
        value, at = _seen.value, _seen.at
    if value is None or now - at >= settings.NEWSROOM_GENERATION_CHECK_SECONDS:
        value = read()
        _seen.saw(value, now)
    return value


def generation():
    """The current public generation; starts at 1."""
    return current().public


def names_generation():
    """The current names generation; starts at 1."""
    return current().names


def stale_for(built_under):
    """Seconds since this process first saw a generation newer than ``built_under``.

    A process that started after the change counts from its own first reading;
    one that has forgotten the change (64 newer generations since) counts it as
    old as the oldest it remembers.
    """
    with _seen.lock:
        newer = [at for gen, at in _seen.first_seen.items() if gen > built_under]
    return time.monotonic() - min(newer) if newer else 0.0


def forget():
    """Read the counters again on next use (after a change this process made, and in tests)."""
    _seen.forget()


def changed(names=False, removes=False, digest=None):
    """Record that what readers see changed: call inside the transaction of the change.

    Raises the public generation (and, with ``names``, the names generation)
    with ``UPDATE … SET value = value + 1``, so concurrent changes never lose
    a step; the rows are created the first time. With ``removes`` (something
    readers saw must vanish at once) the floor rises to the new public
    generation: no page built before may be served any more. Once committed,
    the pages the change touched (``digest``'s, or the site's) are queued to be
    rendered again (``digests.refresh``).
    """
    from digests import refresh

    counters = [PUBLIC, NAMES] if names else [PUBLIC]
    with transaction.atomic():
        PublicCounter.objects.bulk_create(
            [PublicCounter(name=name) for name in [*counters, FLOOR]], ignore_conflicts=True
        )
        PublicCounter.objects.filter(name__in=counters).update(value=F("value") + 1)
        if removes:
            public = PublicCounter.objects.filter(name=PUBLIC).values("value")
            PublicCounter.objects.filter(name=FLOOR).update(value=Subquery(public))
    # This process sees its own change at once, once committed.
    transaction.on_commit(forget)
    refresh.after_commit(digest)
