"""Day pages kept by what they show, so that a day that did not change is not rendered again.

A day's page depends only on its own digest (its ``version`` rises with every
save, status change and correction), on the days before and after it, on the
story links of its items to other published days (``digests.story.public``), on the
names of sections and sources, and on the language and address. Kept under
exactly that, it is served after a publication elsewhere, or with the page
cache off, for one small query that finds out (``day_state``), instead of the
eight queries and the templates of a rendering.

That query is compiled from the ORM once per process and then only executed:
building and compiling it took about 1.2 ms a request, running it 0.04 ms.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.dateparse import parse_date

from digests import public_cache
from digests.build import build_id
from digests.models import Digest
from digests.story import public as story_public

_SENTINEL = datetime.date(1, 1, 1)
_compiled = {}


class DayState(NamedTuple):
    """What a kept day page is kept under: the digest's identity and its neighbours."""

    pk: int
    version: int
    previous_day: datetime.date | None
    next_day: datetime.date | None
    # The day's 此前报道 / 后续报道 links (``digests.story.public.day_link_state``).
    earlier_links: int = 0
    later_links: int = 0


def day_queryset():
    """The published digests with the published days before and after each."""
    days = Digest.objects.published().values("date")
    return Digest.objects.published().annotate(
        previous_date=Subquery(days.filter(date__lt=OuterRef("date")).order_by("-date")[:1]),
        next_date=Subquery(days.filter(date__gt=OuterRef("date")).order_by("date")[:1]),
    )


def _compiled_query():
    if connection.vendor not in _compiled:
        query = (
            day_queryset()
            .annotate(**story_public.day_link_state())
            .filter(date=_SENTINEL)
            .values_list(
                "pk", "version", "previous_date", "next_date", "earlier_links", "later_links"
            )
        )
        sql, params = query.query.sql_with_params()
        sentinel = connection.ops.adapt_datefield_value(_SENTINEL)
        positions = [i for i, param in enumerate(params) if param == sentinel]
        assert len(positions) == 1, "the day is the query's one date parameter"
        _compiled[connection.vendor] = sql, list(params), positions[0]
    return _compiled[connection.vendor]


def day_state(date):
    """The ``DayState`` of the published digest of ``date``, or None: one query."""
    sql, params, position = _compiled_query()
    params = list(params)
    params[position] = connection.ops.adapt_datefield_value(date)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    previous_day, next_day = (day if day is None else _date(day) for day in row[2:4])
    return DayState(row[0], row[1], previous_day, next_day, *row[4:])


def _date(value):
    """A date as the database returns it (SQLite: text)."""
    return value if isinstance(value, datetime.date) else parse_date(value)


def page_key(state, request):
    return ":".join(
        str(part)
        for part in (
            "newsroom:day-page",
            build_id(),
            *state,
            public_cache.names_generation(),
            translation.get_language(),
            request.path,
        )
    )


def keeping():
    return settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS > 0


def kept_page(key):
    """A kept page ``{"content", "last_modified"}``, or None."""
    return cache.get(key) if keeping() else None


def keep_page(key, response):
    if keeping():
        cache.set(
            key,
            {"content": response.content, "last_modified": response["Last-Modified"]},
            settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS,
        )
