"""Search at archive scale: an indexed headline vector on PostgreSQL.

PostgreSQL: a stored generated ``tsvector`` of the headline tokens alone
(``search_title``, ``simple`` configuration) with a GIN index, so that "the
headline matches" is read from a column instead of computed per row. SQLite
needs nothing new: FTS5 filters a match to the ``search_title`` column itself.

The tokens change too (year tokens, camel-case parts: ``ALGORITHM_VERSION``
3); ``rebuild_search_index --stale-only`` rewrites them after this migration.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE digests_item ADD COLUMN search_title_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_title, ''))) STORED
    """,
    "CREATE INDEX item_search_title_vector ON digests_item USING GIN (search_title_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS item_search_title_vector",
    "ALTER TABLE digests_item DROP COLUMN IF EXISTS search_title_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            raise RuntimeError(f"Newsroom's search supports PostgreSQL and SQLite, not {vendor}.")
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("digests", "0008_login_lock_permissions")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD}),
        )
    ]
