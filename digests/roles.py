"""The desk's roles and what each may do, expressed as Django model permissions."""

from django.contrib.auth.models import Permission

DEMO_ACCOUNTS = [("editor", "editor"), ("reviewer", "reviewer"), ("admin", "admin")]

EDITOR_PERMISSIONS = [
    "add_digest",
    "change_digest",
    "view_digest",
    "add_item",
    "change_item",
    "delete_item",
    "view_item",
    "add_analysis",
    "change_analysis",
    "delete_analysis",
    "view_analysis",
    "add_trendsummary",
    "change_trendsummary",
    "delete_trendsummary",
    "view_trendsummary",
    "view_category",
    "view_source",
    "add_source",
]


def assign_role(user, role):
    """Give a user the permissions of a desk role (editor, reviewer or admin)."""
    if role == "admin":
        return
    codenames = EDITOR_PERMISSIONS
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="digests", codename__in=codenames)
    )
