"""The items supporting a trend point, as the day page links them."""

from django import template

register = template.Library()


@register.filter
def supporting_items(point, digest):
    """The digest's items (already fetched, in the day's order) that support ``point``."""
    return point.supporting(digest.items.all())
