"""Let the desk's three groups keep the search terms: add, change, delete and view them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_search_terms(apps, schema_editor):
    # Permissions are normally created after all migrations; make SearchTerm's now.
    for label in ("auth", "digests"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    from digests.roles import SEARCH_TERMS, grant

    grant(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), SEARCH_TERMS)


def revoke_search_terms(apps, schema_editor):
    from digests.roles import ROLES

    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="digests", codename__endswith="_searchterm"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("digests", "0005_search_index")]

    operations = [migrations.RunPython(grant_search_terms, revoke_search_terms)]
