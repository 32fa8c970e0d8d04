"""The head's language alternates and the page's structured data (``digests.seo``)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from digests import seo
from digests.templatetags.newsroom import json_ld

register = template.Library()


@register.simple_tag
def hreflang_links(canonical_url):
    """(hreflang, address) of the canonical page in each language, and x-default."""
    path = seo.site_path(canonical_url or "")
    return seo.alternates(path) if path else []


@register.simple_tag(takes_context=True)
def page_structured_data(context):
    """The WebSite block on the home page and a BreadcrumbList where the page has a trail.

    Read from what the view put in the context (no query); a page about something
    readers cannot see (a preview, a withdrawn day's notice) has none.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or context.get("preview"):
        return ""
    blocks = []
    if match.view_name == "digests:latest" and context.get("digest"):
        blocks.append(seo.website())
    trail = _trail(match.view_name, context)
    if trail:
        blocks.append(seo.breadcrumbs(trail))
    return format_html_join("", "{}", ((json_ld(block),) for block in blocks))


def _home():
    return (settings.NEWSROOM_SITE_NAME, reverse("digests:latest"))


def _day(digest):
    date = digest.date
    return (
        date_format(date, "DATE_FORMAT"),
        reverse("digests:day", kwargs={"year": date.year, "month": date.month, "day": date.day}),
    )


def _month(date):
    path = reverse("digests:month", kwargs={"year": date.year, "month": date.month})
    return (date_format(date, "YEAR_MONTH_FORMAT"), path)


def _trail(view_name, context):
    """The page's breadcrumb steps as (name, path), or None for a page without any."""
    digest = context.get("digest")
    item = context.get("item")
    if view_name == "digests:day" and digest is not None and digest.is_published:
        return [_home(), _month(digest.date), _day(digest)]
    if view_name == "digests:month" and context.get("month"):
        archive = (_("Archive"), reverse("digests:archive"))
        return [_home(), archive, _month(context["month"])]
    if view_name == "digests:item" and item is not None and item.digest.is_published:
        return [_home(), _day(item.digest), (item.title, item.get_absolute_url())]
    if view_name == "digests:category" and context.get("category"):
        category = context["category"]
        return [_home(), (category.name, category.get_absolute_url())]
    if view_name in ("digests:topic", "digests:tag") and context.get("heading"):
        slug = context["view"].kwargs["slug"]
        return [_home(), (context["heading"], reverse(view_name, kwargs={"slug": slug}))]
    if view_name == "digests:source" and context.get("source"):
        source = context["source"]
        sources = (_("Sources"), reverse("digests:sources"))
        return [_home(), sources, (source.name, source.get_absolute_url())]
    return None
