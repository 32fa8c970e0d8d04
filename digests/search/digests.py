"""Finding digests by their items' words, for the desk: one match per digest.

Each digest's ``DigestTokens`` (its items' stored tokens, joined by
``digests.search.index``) have their own full-text index (migration 0011): on
PostgreSQL the generated ``search_vector`` of ``digests_digesttokens``, on SQLite
the FTS5 table ``digests_digest_fts``. A query's words are the reader's search's
(``match_words``), matched the same way, so a digest is found when its items
hold every word between them (one word in one item, another in the next).
Unranked, any status: the desk orders and filters the digests itself.

On PostgreSQL the ids come from ``digests_digest_matching(tsquery)`` (migration
0011), which always takes the GIN index: asked directly, the planner reads every
digest's vector for a common word, not counting the detoasting (30 ms against 2).
"""

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from digests.search.query import _vendor, fts5_query, match_words

# The ids of the matching digests, read through the full-text index (migration 0011).
# The function in FROM, not in unnest(): there the planner runs it once more, to
# estimate the number of rows.
_PG_IDS = "SELECT unnest(ids) FROM digests_digest_matching({}) AS ids"
_FTS_IDS = "SELECT rowid FROM digests_digest_fts WHERE digests_digest_fts MATCH %s"


def digests_condition(q, digests):
    """A condition on ``digests``' rows: the digest's items hold every word of ``q``.

    ``None`` when ``q`` has no words. For combining with other conditions (the
    desk also matches a digest's own title, lede and date).
    """
    words = match_words(q)
    if not words:
        return None
    column = f'"{digests.model._meta.db_table}"."{digests.model._meta.pk.column}"'
    if _vendor(digests) == "postgresql":
        parts = [word.tsquery() for word in words]
        tsquery = " && ".join(sql for sql, _ in parts)
        ids, params = _PG_IDS.format(tsquery), [param for _, param in parts]
    else:
        ids, params = _FTS_IDS, [fts5_query(words)]
    # A list of ids, not a test of each row: PostgreSQL hashes it once per query.
    return RawSQL(f"{column} IN ({ids})", params, output_field=BooleanField())


def matching_digests(q, digests):
    """``digests`` (a Digest queryset, any status) narrowed to those whose items match
    ``q``; none if ``q`` has no words."""
    condition = digests_condition(q, digests)
    return digests.none() if condition is None else digests.filter(condition)
