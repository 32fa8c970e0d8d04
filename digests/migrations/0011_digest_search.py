"""A full-text index per digest, for the desk's search: its items' tokens, joined.

``DigestTokens`` holds, for each digest, the ``search_title`` and ``search_body``
of its items in their order, written by ``digests.search.index`` whenever items
are indexed. The desk's search matches digests through it: 6,000 rows at sixteen
years, instead of reading the 27,000 item rows a common word (芯片) is in to learn
their digests. Its own table, not a column of ``digests_digest``: every page,
feed and sitemap that reads a digest would fetch its four kilobytes.

PostgreSQL: a stored generated ``tsvector`` over the tokens (``simple``
configuration) with a GIN index, and ``digests_digest_matching(tsquery)``, the
matching digests' ids read through that index. SQLite: an FTS5 external-content
table over the tokens, kept in step by triggers. Existing digests are filled
here from their items' stored tokens, with the SQL of
``digests.search.index.DIGEST_TOKENS`` (copied: a migration must not change when
the code does).
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FILL = """
    INSERT INTO digests_digesttokens (digest_id, tokens)
    SELECT digests_digest.id, coalesce((
        SELECT string_agg(item.search_title || ' ' || item.search_body, ' '
                          ORDER BY item.position, item.id)
        FROM digests_item item WHERE item.digest_id = digests_digest.id
    ), '')
    FROM digests_digest
"""
SQLITE_FILL = """
    INSERT INTO digests_digesttokens (digest_id, tokens)
    SELECT digests_digest.id, coalesce((
        SELECT group_concat(tokens, ' ') FROM (
            SELECT item.search_title || ' ' || item.search_body AS tokens
            FROM digests_item item WHERE item.digest_id = digests_digest.id
            ORDER BY item.position, item.id
        )
    ), '')
    FROM digests_digest
"""

POSTGRES_FORWARD = [
    POSTGRES_FILL,
    """
    ALTER TABLE digests_digesttokens ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED
    """,
    "CREATE INDEX digest_search_vector ON digests_digesttokens USING GIN (search_vector)",
    # The ids of the digests matching a tsquery, always read through the GIN index.
    # Asked directly, the planner reads the whole table for a common word (芯片 is in
    # 5,952 of 6,000 days): it does not count the cost of detoasting each row's
    # vector (7 kB), 30 ms, where the index answers in 2 ms without reading one.
    # An array, not a set of rows: returned in one piece, 2 ms against 5.
    """
    CREATE FUNCTION digests_digest_matching(query tsquery) RETURNS bigint[]
    LANGUAGE sql STABLE PARALLEL SAFE
    SET enable_seqscan = off
    AS $$
        SELECT coalesce(array_agg(digest_id), '{}') FROM digests_digesttokens
        WHERE search_vector @@ query
    $$
    """,
]
POSTGRES_BACKWARD = [
    "DROP FUNCTION IF EXISTS digests_digest_matching(tsquery)",
    "DROP INDEX IF EXISTS digest_search_vector",
    "ALTER TABLE digests_digesttokens DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    SQLITE_FILL,
    """
    CREATE VIRTUAL TABLE digests_digest_fts USING fts5(
        tokens, content='digests_digesttokens', content_rowid='digest_id',
        tokenize='unicode61'
    )
    """,
    """
    CREATE TRIGGER digests_digest_fts_insert AFTER INSERT ON digests_digesttokens BEGIN
        INSERT INTO digests_digest_fts(rowid, tokens) VALUES (new.digest_id, new.tokens);
    END
    """,
    """
    CREATE TRIGGER digests_digest_fts_delete AFTER DELETE ON digests_digesttokens BEGIN
        INSERT INTO digests_digest_fts(digests_digest_fts, rowid, tokens)
        VALUES ('delete', old.digest_id, old.tokens);
    END
    """,
    """
    CREATE TRIGGER digests_digest_fts_update AFTER UPDATE ON digests_digesttokens BEGIN
        INSERT INTO digests_digest_fts(digests_digest_fts, rowid, tokens)
        VALUES ('delete', old.digest_id, old.tokens);
        INSERT INTO digests_digest_fts(rowid, tokens) VALUES (new.digest_id, new.tokens);
    END
    """,
    "INSERT INTO digests_digest_fts(digests_digest_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS digests_digest_fts_insert",
    "DROP TRIGGER IF EXISTS digests_digest_fts_delete",
    "DROP TRIGGER IF EXISTS digests_digest_fts_update",
    "DROP TABLE IF EXISTS digests_digest_fts",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"Newsroom's search supports PostgreSQL and SQLite, not {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    # Written against 0010_list_statistics; the lead renumbers at integration if needed.
    dependencies = [("digests", "0010_list_statistics")]

    operations = [
        migrations.CreateModel(
            name="DigestTokens",
            fields=[
                (
                    "digest",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_tokens",
                        serialize=False,
                        to="digests.digest",
                    ),
                ),
                ("tokens", models.TextField(blank=True, editable=False)),
            ],
            options={
                "verbose_name": "digest search tokens",
                "verbose_name_plural": "digest search tokens",
            },
        ),
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
