"""Template helpers for the change page's live parts: is a working copy worth offering?"""

from django import template

from digests.desk import working_copy

register = template.Library()


@register.simple_tag(takes_context=True)
def working_copy_differs(context, copy):
    """Whether ``copy`` says something else than the form this change page shows."""
    adminform = context.get("adminform")
    if not copy or adminform is None:
        return False
    return working_copy.page_differs(copy, adminform, context.get("inline_admin_formsets", ()))
