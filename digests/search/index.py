"""Writing items' search tokens, and keeping them in step with the terms.

The database's own full-text index (migration 0005) follows ``search_title``
and ``search_body`` by itself; this module fills those two columns. It is
called by the services that change items (the importer, restore, the desk's
admin), never from ``save()``, and by ``rebuild()`` when the terms or the
tokenizer change (``search_version`` says which tokenizer wrote an item).
"""

import datetime
import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.tasks import task
from django.utils import timezone

from digests import public_cache
from digests.models import Item, SearchTerm
from digests.models.item import tags_prefetch
from digests.search.tokenize import index_tokens, normalize_terms, shipped_terms, stored
from digests.search.tokenize import tokenizer_version as _tokenizer_version

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
    """The headline's and the rest's tokens of one item, as the two stored strings."""
    headline = index_tokens(f"{item.topic}\n{item.title}", terms)
    rest = [item.body, item.source.name if item.source else ""]
    rest += [tag.name for tag in item.tag_list]
    rest = index_tokens("\n".join(rest), terms)
    return " ".join(map(stored, headline)), " ".join(map(stored, rest))


def index_items(items, terms=None):
    """Write the search tokens of ``items`` (a queryset or a list); returns how many.

    A constant number of queries whatever the number of items: the items with
    their sources, their tags, then one UPDATE per batch of ``CHUNK``. Items in
    a list have their missing sources and tags fetched in one query each.
    """
    terms = current_terms() if terms is None else normalize_terms(terms)
    version = _tokenizer_version(terms)
    if isinstance(items, QuerySet):
        items = list(items.select_related("source").prefetch_related(tags_prefetch()))
    else:
        items = list(items)
        prefetch_related_objects(items, "source", tags_prefetch())
    for item in items:
        item.search_title, item.search_body = item_tokens(item, terms)
        item.search_version = version
    Item.objects.bulk_update(items, FIELDS, batch_size=CHUNK)
    return len(items)


def reindex_digest(digest):
    """Rewrite the tokens of every item of a digest (after an edit, import or restore)."""
    return index_items(Item.objects.filter(digest=digest))


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
    todo = Item.objects.select_related("source").order_by("pk")
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
