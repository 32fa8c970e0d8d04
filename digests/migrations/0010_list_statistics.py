"""Give SQLite's query planner statistics about the archive (``ANALYZE``).

Without them SQLite cannot tell that walking the digests' date index and
stopping after a page is cheaper than sorting every item, and a list page of
a 16-year archive takes 200 ms instead of 10 (docs/performance.md, "Lists at
16 years"). PostgreSQL keeps its own statistics (autovacuum); nothing to do.
The statistics are ratios (items per digest, per section…), so they stay
right as the archive grows; ``python manage.py dbshell`` then ``ANALYZE;``
refreshes them after a large import.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


class Migration(migrations.Migration):
    # The lead renumbers at integration: written against 0008, placed after search's 0009.
    dependencies = [("digests", "0009_search_scale")]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)]
