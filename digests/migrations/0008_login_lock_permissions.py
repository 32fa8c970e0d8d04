"""Let the Admins group see and clear login lock-outs (django-axes' access attempts)."""

from django.db import migrations


def grant_login_locks(apps, schema_editor):
    from digests.roles import LOGIN_LOCKS, grant_in_migration

    grant_in_migration(apps, ["auth", "axes"], LOGIN_LOCKS)


def revoke_login_locks(apps, schema_editor):
    from digests.roles import revoke_in_migration

    revoke_in_migration(apps, "axes", "_accessattempt")


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0007_aliases_counters_grammar"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant_login_locks, revoke_login_locks)]
