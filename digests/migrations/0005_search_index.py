"""The full-text index over items' search tokens, in each database's own engine.

PostgreSQL: a stored generated ``tsvector`` column (``simple`` configuration,
headline tokens weighted A, the rest B) with a GIN index. SQLite: an FTS5 table
over the same two columns, an external-content index kept in step with the
item table by triggers. The tokens themselves are written by
``digests.search.index``; neither database splits Chinese words on its own.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE digests_item ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(search_title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(search_body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX item_search_vector ON digests_item USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS item_search_vector",
    "ALTER TABLE digests_item DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE digests_item_fts USING fts5(
        search_title, search_body,
        content='digests_item', content_rowid='id', tokenize='unicode61'
    )
    """,
    """
    CREATE TRIGGER digests_item_fts_insert AFTER INSERT ON digests_item BEGIN
        INSERT INTO digests_item_fts(rowid, search_title, search_body)
        VALUES (new.id, new.search_title, new.search_body);
    END
    """,
    """
    CREATE TRIGGER digests_item_fts_delete AFTER DELETE ON digests_item BEGIN
        INSERT INTO digests_item_fts(digests_item_fts, rowid, search_title, search_body)
        VALUES ('delete', old.id, old.search_title, old.search_body);
    END
    """,
    """
    CREATE TRIGGER digests_item_fts_update AFTER UPDATE ON digests_item BEGIN
        INSERT INTO digests_item_fts(digests_item_fts, rowid, search_title, search_body)
        VALUES ('delete', old.id, old.search_title, old.search_body);
        INSERT INTO digests_item_fts(rowid, search_title, search_body)
        VALUES (new.id, new.search_title, new.search_body);
    END
    """,
    "INSERT INTO digests_item_fts(digests_item_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS digests_item_fts_insert",
    "DROP TRIGGER IF EXISTS digests_item_fts_delete",
    "DROP TRIGGER IF EXISTS digests_item_fts_update",
    "DROP TABLE IF EXISTS digests_item_fts",
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
    dependencies = [("digests", "0004_reader_site")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
