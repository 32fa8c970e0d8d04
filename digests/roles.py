"""The desk's roles as groups of Django model permissions.

A data migration creates the three groups; a site may change them or build its
own, since every check in the code asks for a permission, never for a group.
"""

from django.utils.translation import gettext_noop

# Stored under these (English) names; marked so the desk can show them translated.
EDITORS = gettext_noop("Editors")
REVIEWERS = gettext_noop("Reviewers")
ADMINS = gettext_noop("Admins")
GROUP_NAMES = {"editor": EDITORS, "reviewer": REVIEWERS, "admin": ADMINS}

DEMO_ACCOUNTS = [("editor", "editor"), ("reviewer", "reviewer"), ("admin", "admin")]

# The dictionary of words search keeps whole (added by migration 0006).
SEARCH_TERMS = [
    "digests.add_searchterm",
    "digests.change_searchterm",
    "digests.delete_searchterm",
    "digests.view_searchterm",
]
# Locked-out logins (django-axes): admins see them and unlock by deleting them.
# Granted to existing groups by migration 0008.
LOGIN_LOCKS = ["axes.view_accessattempt", "axes.delete_accessattempt"]
# The desk's memory (issue 12): the feeds' inbox and story links. Granted by 0016.
DESK_MEMORY = [
    "digests.view_candidate",
    "digests.change_candidate",
    "digests.view_itemlink",
    "digests.add_itemlink",
    "digests.change_itemlink",
    "digests.delete_itemlink",
]
# The numeric claims (issue 13): the desk corrects or dismisses them. Granted by 0018.
CLAIMS = ["digests.view_claim", "digests.change_claim"]
EDITOR = [
    "digests.add_digest",
    "digests.change_digest",
    "digests.view_digest",
    "digests.submit_digest",
    "digests.add_item",
    "digests.change_item",
    "digests.delete_item",
    "digests.view_item",
    "digests.add_analysis",
    "digests.change_analysis",
    "digests.delete_analysis",
    "digests.view_analysis",
    "digests.add_trendsummary",
    "digests.change_trendsummary",
    "digests.delete_trendsummary",
    "digests.view_trendsummary",
    "digests.view_category",
    "digests.add_source",
    "digests.view_source",
    "digests.add_reviewcomment",
    "digests.view_reviewcomment",
    "digests.view_digestevent",
    "digests.view_correction",
    "digests.add_previewlink",
    "digests.view_previewlink",
    *SEARCH_TERMS,
    *DESK_MEMORY,
    *CLAIMS,
]
# The newsletter (issue 11). Reviewers send test mails and correction notices and see
# each digest's sending; admins keep the subscribers. Granted by migration 0015.
NEWSLETTER_DESK = ["digests.send_mailing", "digests.view_mailing"]
SUBSCRIBERS = [
    "digests.add_subscriber",
    "digests.view_subscriber",
    "digests.change_subscriber",
    "digests.delete_subscriber",
    "digests.export_subscriber",
    "digests.change_delivery",
    "digests.view_delivery",
]
REVIEWER = [
    *EDITOR,
    *NEWSLETTER_DESK,
    "digests.review_digest",
    "digests.publish_digest",
    "digests.withdraw_digest",
    "digests.add_correction",
    "digests.change_previewlink",
]
ADMIN = [
    *REVIEWER,
    "digests.delete_digest",
    "digests.add_category",
    "digests.change_category",
    "digests.delete_category",
    "digests.change_source",
    "digests.delete_source",
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.view_user",
    "auth.view_group",
    "auth.change_group",
    *LOGIN_LOCKS,
    *SUBSCRIBERS,
]
ROLES = {EDITORS: EDITOR, REVIEWERS: REVIEWER, ADMINS: ADMIN}


def _existing(permission_model, perms):
    """The permission rows of ``perms`` ("app_label.codename") that exist."""
    found = []
    for perm in perms:
        app_label, codename = perm.split(".")
        found.extend(
            permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    return found


def sync_groups(group_model, permission_model):
    """Create or update the three groups with their permissions (used by the migrations).

    A migration sees the models of its time, so permissions of models that a
    later migration adds are skipped; that migration grants them (``grant``).
    """
    for name, perms in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(_existing(permission_model, perms))


def grant(group_model, permission_model, perms):
    """Add ``perms`` to each existing group whose role lists them (for a migration).

    Unlike ``sync_groups`` it only adds: a site's own changes to the groups stay.
    """
    for name, role in ROLES.items():
        group = group_model.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*_existing(permission_model, [p for p in perms if p in role]))


def grant_in_migration(apps, app_labels, perms):
    """A data migration's grant: create the permissions of ``app_labels`` now (Django
    normally creates them after all migrations), then ``grant`` ``perms``."""
    from django.contrib.auth.management import create_permissions

    for label in app_labels:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    grant(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), perms)


def revoke_in_migration(apps, app_label, codename_suffix):
    """Undo ``grant_in_migration``: take the app's matching permissions from the groups."""
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label=app_label, codename__endswith=codename_suffix
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


def assign_role(user, role):
    """Put a user in the group of a desk role: "editor", "reviewer" or "admin".

    The groups come from a data migration; if a site deleted one (or a test
    flushed the database), it is made again with the role's permissions.
    """
    from django.contrib.auth.models import Group, Permission

    name = GROUP_NAMES[role]
    if not Group.objects.filter(name=name).exists():
        sync_groups(Group, Permission)
    user.groups.add(Group.objects.get(name=name))
