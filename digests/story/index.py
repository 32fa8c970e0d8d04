"""The story index: each item's MinHash bands in ``StoryBand`` rows, and the lookup.

``index_items`` is called at the end of ``digests.search.index_items``, which
every writer of items goes through (the importer, the desk's admin, restore,
the search rebuild), when the items' tokens are fresh; a deleted item's bands
go with it (``CASCADE``). ``similar_items`` finds the earlier published items
sharing a band with an item or a text, through the ``storyband_window`` index,
and ranks them by the exact measure (``similarity.score``): never a scan of
the archive, two queries at most whatever its size.
"""

import datetime

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from digests.models import Item
from digests.models.memory import StoryBand
from digests.story import similarity

CHUNK = 500
# How many items sharing bands are compared exactly, those sharing the most bands
# first: bounds the lookup's cost when a band is common (a stock phrase).
CANDIDATES = 30
# How much of a text similar_items() compares (a feed entry's title and summary, or
# the start of a long one): tokenizing 2,000 characters of Chinese took 100 ms on the
# 2-core development machine under load; a briefing item's body is rarely over 500.
MAX_TEXT = 2_000
# Up to this many days, the lookup reads only the window's band rows (a range of the
# index by day) and checks them against the window's published items; beyond, it counts
# the bands' rows over the archive first. At 6,000 days on PostgreSQL (docs/performance.md)
# the first is faster up to a year (365 days: p50 11 ms against 28 ms) and slower at ten
# (143 ms against 17 ms: the check against 43,000 items).
WINDOW_DAYS = 366


def index_items(items):
    """Write the ``StoryBand`` rows of ``items`` (with their search tokens set); returns how
    many rows. Per batch of ``CHUNK`` items, one DELETE and one INSERT, in the caller's
    transaction (no savepoint of its own), or in one of their own."""
    items = [item for item in items if item.pk is not None]
    count = 0
    with transaction.atomic(savepoint=False):
        for start in range(0, len(items), CHUNK):
            batch = items[start : start + CHUNK]
            days = _days(batch)
            rows = [
                StoryBand(item_id=item.pk, band=band, value=value, day=days[item.pk])
                for item in batch
                for band, value in similarity.bands(
                    similarity.stored_features(item.search_title, item.search_body)
                )
            ]
            StoryBand.objects.filter(item_id__in=[item.pk for item in batch]).delete()
            StoryBand.objects.bulk_create(rows, batch_size=CHUNK * similarity.BANDS)
            count += len(rows)
    return count


def _days(items):
    """Each item's day by pk: from its digest when loaded (the search index loads it),
    else in one query for those without."""
    days = {item.pk: item.digest.date for item in items if Item.digest.is_cached(item)}
    missing = [item.pk for item in items if item.pk not in days]
    if missing:
        days.update(Item.objects.filter(pk__in=missing).values_list("pk", "digest__date"))
    return days


def _item_features(item):
    """An item's features and day: from the instance when loaded, else in one query."""
    loaded = item.get_deferred_fields().isdisjoint({"search_title", "search_body"})
    if loaded and item.__class__.digest.is_cached(item):
        feature_set = similarity.stored_features(item.search_title, item.search_body)
        return feature_set, item.digest.date
    title, body, day = Item.objects.filter(pk=item.pk).values_list(
        "search_title", "search_body", "digest__date"
    )[0]
    return similarity.stored_features(title, body), day


def _sharing(bands, own_item=None, within=None, between=None):
    """The ids of the ``CANDIDATES`` items sharing the most of ``bands``, as a subquery.

    The bands are a ``VALUES`` list joined to ``storyband_window`` (band, value, day,
    item): one index-only lookup per band, whatever the archive's size (a condition of
    48 ORs made PostgreSQL read the rows' table: 35-78 ms instead of 10-16 ms at 6,000
    days; docs/performance.md). ``between`` (two dates) reads only the rows of those
    days, a range of the same index; ``within`` (a queryset of items) then restricts
    the rows counted to its items (the window's published ones), a check of those few
    rows only.
    """
    values = ", ".join(["(%s, %s)"] * len(bands))
    params = [part for pair in bands for part in pair]
    conditions = []
    if between is not None:
        conditions.append("s.day BETWEEN %s AND %s")
        params.extend(between)
    if own_item is not None:
        conditions.append("s.item_id <> %s")
        params.append(own_item)
    if within is not None:
        inner, inner_params = within.values("pk").query.sql_with_params()
        conditions.append(f"s.item_id IN ({inner})")
        params.extend(inner_params)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"""
        WITH wanted(band, value) AS (VALUES {values})
        SELECT s.item_id FROM wanted
        JOIN {StoryBand._meta.db_table} s ON s.band = wanted.band AND s.value = wanted.value
        {where}
        GROUP BY s.item_id ORDER BY COUNT(*) DESC, s.item_id DESC LIMIT {CANDIDATES}
    """
    return RawSQL(sql, params)


def similar_items(item_or_text, *, days=30, limit=5, exclude_digest=None, published_only=True):
    """Earlier items resembling ``item_or_text``: a list of ``(item, score)``, best first.

    For an item: those of digests dated within ``days`` before its day (never the
    item itself nor its own digest); for a text, within ``days`` up to today
    (today included: a candidate may repeat this morning's published digest).
    ``days=None`` searches the whole archive. ``exclude_digest`` (a digest or its
    pk) leaves a digest out, such as the draft a text is being added to. Only items
    of published digests, unless ``published_only`` is false (the desk's own use).
    Scores are the exact measure (0 to 1), at least ``similarity.THRESHOLD``. The
    items come with their digest. Queries: one for an item loaded with its digest and
    tokens (or a text), two otherwise, whatever the archive's size.
    """
    from digests.search.index import current_terms  # search.index imports this module

    excluded = [getattr(exclude_digest, "pk", exclude_digest)] if exclude_digest else []
    own_item = None
    if isinstance(item_or_text, Item):
        item = item_or_text
        wanted, day = _item_features(item)
        last_day = day - datetime.timedelta(days=1)
        own_item = item.pk
        excluded.append(item.digest_id)
    else:
        # A longer text (a feed's whole article) is compared by its beginning: the
        # story is told there, and tokenizing stays bounded.
        wanted = similarity.text_features(str(item_or_text)[:MAX_TEXT], current_terms())
        day = last_day = timezone.localdate()
    bands = similarity.bands(wanted)
    if not bands or limit < 1:
        return []
    pool = Item.objects.filter(digest__date__lte=last_day)
    first_day = None if days is None else day - datetime.timedelta(days=days)
    if first_day is not None:
        pool = pool.filter(digest__date__gte=first_day)
    if excluded:
        pool = pool.exclude(digest_id__in=excluded)
    if published_only:
        pool = pool.published()
    if days is not None and days <= WINDOW_DAYS:
        # A window of weeks holds a few hundred items: only their rows among the bands'
        # are read (a range of the index by day) and counted (those of the window's
        # published items), however common a band is across the archive: its other
        # items cannot crowd the window's out.
        shared = _sharing(bands, own_item, within=pool, between=(first_day, last_day))
        found = Item.objects.filter(pk__in=shared)
    else:
        # The archive: the bands' rows alone, counted per item; the window and the
        # digests' state then filter the items sharing the most.
        found = pool.filter(pk__in=_sharing(bands, own_item))
    found = found.select_related("digest").order_by()
    scored = []
    for candidate in found:
        value = similarity.score(
            wanted, similarity.stored_features(candidate.search_title, candidate.search_body)
        )
        if value >= similarity.THRESHOLD:
            scored.append((candidate, round(value, 4)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].digest.date.toordinal(), -pair[0].pk))
    return scored[:limit]
