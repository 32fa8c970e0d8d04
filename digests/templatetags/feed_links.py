"""Absolute links for what leaves the site, such as feeds: always from ``NEWSROOM_SITE_URL``."""

from django import template

from digests import seo

register = template.Library()


@register.filter
def absolute(path):
    """``/2026/02/02/`` → the site's public address of it (``digests.seo.absolute``)."""
    return seo.absolute(str(path))
