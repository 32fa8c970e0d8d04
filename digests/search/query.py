"""Finding published items for a reader's query, with each database's full-text engine.

PostgreSQL matches the stored ``search_vector`` (migration 0005) against
``plainto_tsquery``; SQLite matches its FTS5 table. Either way every word of
the query must be in the item, headline matches come first, then the better
ranked, then the newest day. Words of touching letters and numbers (100Gbps)
must match as a phrase, their atoms side by side. The query is normalised
like the indexed text first (NFKC: ＡＩ is AI; control characters dropped).

A query of one or two characters without a digit (AI, 芯片) is a substring
search instead, in the item's own text and in its normalised tokens: a single
character is seldom a word of its own, and short words hide inside longer
tokens (AI in OpenAI or AIGC). Numbers are never searched as substrings, so 30
does not find 130 nor 3.0 find 13.0. The user's text only ever reaches the
database as a query parameter.
"""

from django.db import NotSupportedError, connections
from django.db.models import BooleanField, Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL

from digests.models import Item
from digests.search.index import current_terms
from digests.search.tokenize import normalize, query_words, stored

SHORT_QUERY = 2  # characters; up to this, search by substring

_PG_WORD = "phraseto_tsquery('simple', %s)"
_SQLITE_MATCH = (
    "digests_item.id IN (SELECT rowid FROM digests_item_fts WHERE digests_item_fts MATCH %s)"
)


def substring_query(q):
    """Whether a normalised query is searched as a substring: short, and no number in it."""
    return len(q) <= SHORT_QUERY and not any(char.isdigit() for char in q)


def search(q, queryset=None):
    """Published items matching the query ``q``, best first, annotated ``in_title`` and ``rank``.

    ``queryset`` narrows the search (e.g. ``Item.objects.for_listing()`` or a
    section's items); whatever it holds, only published items are returned.
    ``rank`` is higher for a better match on every database (0 for a
    substring search); ``in_title`` says the topic or headline matched.
    """
    items = (Item.objects.all() if queryset is None else queryset).published()
    q = normalize(q).strip()
    if not q:
        return items.none()
    if substring_query(q):
        items = _substring(items, q)
    else:
        words = query_words(q, current_terms())
        if not words:
            return items.none()
        items = _full_text(items, [" ".join(map(stored, word)) for word in words])
    return items.order_by("-in_title", "-rank", "-digest__date", "position", "pk")


def _substring(items, q):
    """Items whose headline, topic, body, source name or tokens contain ``q``, any case.

    The tokens are the normalised text (a full-width ＡＩ in the text is ai there).
    """
    in_title = Q(title__icontains=q) | Q(topic__icontains=q) | Q(search_title__contains=q)
    rest = Q(body__icontains=q) | Q(source__name__icontains=q) | Q(search_body__contains=q)
    return items.filter(in_title | rest).annotate(
        in_title=Case(When(in_title, then=Value(True)), default=Value(False)),
        rank=Value(0.0, output_field=FloatField()),
    )


def _full_text(items, tokens):
    vendor = connections[items.db].vendor
    if vendor == "postgresql":
        match, in_title, rank = _postgresql(tokens)
        return items.filter(match).annotate(in_title=in_title, rank=rank)
    if vendor == "sqlite":
        return _sqlite(items, tokens)
    raise NotSupportedError(f"Newsroom's search supports PostgreSQL and SQLite, not {vendor}.")


def _postgresql(words):
    """Match, headline match and rank against the generated tsvector column.

    Each word is a phrase of its atoms (``phraseto_tsquery``); all must match.
    """
    query = "(" + " && ".join([_PG_WORD] * len(words)) + ")"
    match = RawSQL(f"digests_item.search_vector @@ {query}", words, BooleanField())
    in_title = RawSQL(
        f"to_tsvector('simple', digests_item.search_title) @@ {query}", words, BooleanField()
    )
    rank = RawSQL(f"ts_rank(digests_item.search_vector, {query})", words, FloatField())
    return match, in_title, rank


def fts5_query(words):
    """An FTS5 MATCH string requiring every word: each a quoted string (a phrase of its
    atoms), joined by AND."""
    return " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)


def _sqlite(items, tokens):
    """Join the FTS5 table, so bm25 is computed once per match (lower is better, so negated).

    The join is written with ``extra()``: the ORM has no way to join a virtual
    table, and a correlated subquery would run the MATCH again for every row.
    """
    expression = fts5_query(tokens)
    in_title = RawSQL(_SQLITE_MATCH, [f"search_title : ({expression})"], BooleanField())
    return items.extra(
        tables=["digests_item_fts"],
        where=["digests_item_fts.rowid = digests_item.id", "digests_item_fts MATCH %s"],
        params=[expression],
        select={"rank": "-bm25(digests_item_fts, 10.0, 1.0)"},
    ).annotate(in_title=in_title)
