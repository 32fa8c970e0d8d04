"""PostgreSQL: keep the items' search vectors in the row (compressed), not in TOAST.

A ``tsvector`` of about 1.5 kB was stored out of line and uncompressed, so ranking
1,000 search candidates (``ts_rank``) and checking a phrase read one TOAST
lookup per row: 5.6 ms for 1,000 rows, against 0.8 ms once the vectors are in the
row. At 6,000 days the item table went from 381 MB plus 457 MB of TOAST to
185 MB plus 69 MB (docs/search.md, "At 16 years").

``SET STORAGE`` only decides where new rows go; ``VACUUM FULL`` rewrites the rows
already there (about 7 s at 72,000 items, the table locked meanwhile), which is
why this migration is not atomic: ``VACUUM`` cannot run in a transaction.
SQLite: nothing to do.
"""

from django.db import migrations

COLUMNS = ("search_vector", "search_title_vector")


def storage(kind):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        columns = ", ".join(f"ALTER COLUMN {column} SET STORAGE {kind}" for column in COLUMNS)
        schema_editor.execute(f"ALTER TABLE digests_item {columns}")
        schema_editor.execute("VACUUM FULL digests_item")

    return apply


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("digests", "0011_digest_search")]

    operations = [migrations.RunPython(storage("MAIN"), storage("EXTENDED"))]
