"""Writing items' search tokens, and keeping them in step with the terms.

The database's own full-text index (migration 0005) follows ``search_title``
and ``search_body`` by itself; this module fills those two columns, and each
touched digest's ``DigestTokens`` (its items' tokens, joined in SQL: the
desk's search matches a digest, not its items; migration 0011). It is
called by the services that change items (the importer, restore, the desk's
admin), never from ``save()``, and by ``rebuild()`` when the terms or the
tokenizer change (``search_version`` says which tokenizer wrote an item).
"""

import datetime
import logging

from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.tasks import task
from django.utils import timezone

from digests import public_cache
from digests.claims import ledger
from digests.models import Item, SearchTerm
from digests.models.digest import DigestTokens
from digests.models.item import tags_prefetch
from digests.search.tokenize import (
    index_tokens,
    month_token,
    normalize_terms,
    shipped_terms,
    stored,
    year_token,
)
from digests.search.tokenize import tokenizer_version as _tokenizer_version
from digests.story import index as story

log = logging.getLogger(__name__)

TERMS_KEY = "newsroom:search-terms"
# terms_changed() clears the key at once in a shared cache (Redis); with the
# per-process local-memory cache, other processes see new terms within this.
TERMS_TIMEOUT = 300
FIELDS = ["search_title", "search_body", "search_version"]
CHUNK = 500


def current_terms(refresh=False):
    """The shipped terms and the desk's ``SearchTerm`` rows, normalised; cached."""
    terms = None if refresh else cache.get(TERMS_KEY)
    if terms is None:
        desk = SearchTerm.objects.values_list("term", flat=True)
        terms = normalize_terms([*shipped_terms(), *desk])
        cache.set(TERMS_KEY, terms, timeout=TERMS_TIMEOUT)
    return tuple(terms)


def tokenizer_version(terms=None):
    """The version the index should have: of ``terms``, by default the current ones."""
    return _tokenizer_version(current_terms() if terms is None else terms)


def terms_changed():
    """Call after adding, changing or deleting search terms (the admin does).

    In the transaction, make cached public pages stale; once it commits,
    forget the cached terms and queue a rebuild of the items whose tokens are now stale;
    and, where the task backend can defer, another once every process's cache
    has the new terms, for items saved meanwhile with the old ones.
    """

    def after_commit():
        cache.delete(TERMS_KEY)
        rebuild_search_index_task.enqueue()
        if rebuild_search_index_task.get_backend().supports_defer:
            later = timezone.now() + datetime.timedelta(seconds=TERMS_TIMEOUT)
            rebuild_search_index_task.using(run_after=later).enqueue()

    public_cache.changed()  # in the transaction of the change
    transaction.on_commit(after_commit)


def item_tokens(item, terms):
    """The headline's and the rest's tokens of one item, as the two stored strings.

    The rest ends with the year and month tokens of the item's day (``y2026
    m202611``), by which a search finds the newest matches through the index
    alone (``query``).
    """
    headline = index_tokens(f"{item.topic}\n{item.title}", terms)
    rest = [item.body, item.source.name if item.source else ""]
    rest += [tag.name for tag in item.tag_list]
    date = item.digest.date
    dated = [year_token(date.year), month_token(date.year, date.month)]
    rest = [*map(stored, index_tokens("\n".join(rest), terms)), *dated]
    return " ".join(map(stored, headline)), " ".join(rest)


def index_items(items, terms=None, digests=()):
    """Write the search tokens of ``items`` (a queryset or a list); returns how many.

    A constant number of queries whatever the number of items: the items with
    their digests and sources, their tags, then one UPDATE per batch of ``CHUNK``,
    and one more per batch of their digests (and of ``digests``, pks: those whose
    items were deleted) for the digests' tokens (``index_digests``).
    Items in a list have their missing digests, sources and tags fetched in one
    query each.
    """
    terms = current_terms() if terms is None else normalize_terms(terms)
    version = _tokenizer_version(terms)
    if isinstance(items, QuerySet):
        items = list(items.select_related("digest", "source").prefetch_related(tags_prefetch()))
    else:
        items = list(items)
        prefetch_related_objects(items, "digest", "source", tags_prefetch())
    for item in items:
        item.search_title, item.search_body = item_tokens(item, terms)
        item.search_version = version
    Item.objects.bulk_update(items, FIELDS, batch_size=CHUNK)
    index_digests({item.digest_id for item in items} | set(digests))
    story.index_items(items)  # the story index's bands, from the same fresh tokens
    ledger.record({item.digest_id for item in items} | set(digests))  # their numeric claims
    return len(items)


# A digest's tokens: its items' headline and other tokens, in the order of the items.
# SQLite before 3.44 has no ORDER BY inside group_concat: it concatenates the rows in
# the order an ordered subquery gives them.
DIGEST_TOKENS = {
    "postgresql": """
        coalesce((
            SELECT string_agg(item.search_title || ' ' || item.search_body, ' '
                              ORDER BY item.position, item.id)
            FROM digests_item item WHERE item.digest_id = digests_digest.id
        ), '')
    """,
    "sqlite": """
        coalesce((
            SELECT group_concat(tokens, ' ') FROM (
                SELECT item.search_title || ' ' || item.search_body AS tokens
                FROM digests_item item WHERE item.digest_id = digests_digest.id
                ORDER BY item.position, item.id
            )
        ), '')
    """,
}


def index_digests(pks):
    """Write the tokens (``DigestTokens``) of the digests ``pks`` from their items' stored
    tokens, in SQL (no tokenizing): one INSERT … ON CONFLICT UPDATE per ``CHUNK``."""
    pks = sorted(pks)
    connection = connections[router.db_for_write(DigestTokens)]
    tokens = DIGEST_TOKENS[connection.vendor]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), CHUNK):
            batch = pks[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"""
                INSERT INTO digests_digesttokens (digest_id, tokens)
                SELECT digests_digest.id, {tokens} FROM digests_digest
                WHERE digests_digest.id IN ({marks})
                ON CONFLICT (digest_id) DO UPDATE SET tokens = excluded.tokens
                """,
                batch,
            )


def reindex_digest(digest):
    """Rewrite the tokens of every item of a digest, and the digest's (after an edit,
    import or restore, also when items were deleted; also after its date changes: the
    tokens hold its year and month)."""
    return index_items(Item.objects.filter(digest=digest), digests=[digest.pk])


def reindex_source(source):
    """Rewrite the tokens of every item from a source (its name is part of them)."""
    return index_items(Item.objects.filter(source=source))


def rebuild(stale_only=False, progress=None):
    """Reindex every item, or with ``stale_only`` those a different tokenizer wrote.

    Works through the items in primary-key order, ``CHUNK`` at a time, each
    chunk read and written under a row lock in its own transaction;
    ``progress(done, total)``, if given, is called after each. Returns the
    number reindexed. The terms are read from the database, not the cache: the
    task worker's local cache may predate the change that queued the rebuild.
    """
    terms = current_terms(refresh=True)
    version = _tokenizer_version(terms)
    todo = Item.objects.select_related("digest", "source").order_by("pk")
    if stale_only:
        todo = todo.exclude(search_version=version)
    total = todo.count() if progress else None
    done, last = 0, 0
    while True:
        with transaction.atomic():
            # Locked, so that an edit saved meanwhile waits and then writes its
            # own tokens, instead of being overwritten by the old text's.
            chunk = list(todo.select_for_update(of=("self",)).filter(pk__gt=last)[:CHUNK])
            index_items(chunk, terms)
        if not chunk:
            break
        done, last = done + len(chunk), chunk[-1].pk
        if progress:
            progress(done, total)
    return done


@task()
def rebuild_search_index_task():
    """Reindex the items whose tokens are stale (queued when the search terms change)."""
    count = rebuild(stale_only=True)
    log.info("search index: %s stale items reindexed (tokenizer %s)", count, tokenizer_version())
    return count
