"""Let the desk's three groups keep the search terms: add, change, delete and view them."""

from django.db import migrations


def grant_search_terms(apps, schema_editor):
    from digests.roles import SEARCH_TERMS, grant_in_migration

    grant_in_migration(apps, ["auth", "digests"], SEARCH_TERMS)


def revoke_search_terms(apps, schema_editor):
    from digests.roles import revoke_in_migration

    revoke_in_migration(apps, "digests", "_searchterm")


class Migration(migrations.Migration):
    dependencies = [("digests", "0005_search_index")]

    operations = [migrations.RunPython(grant_search_terms, revoke_search_terms)]
