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
]
REVIEWER = [
    *EDITOR,
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
]
ROLES = {EDITORS: EDITOR, REVIEWERS: REVIEWER, ADMINS: ADMIN}


def sync_groups(group_model, permission_model):
    """Create or update the three groups with their permissions (used by the migration)."""
    for name, perms in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


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
