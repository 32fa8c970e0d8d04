"""/sitemap.xml: every published day and item, the sections and /trends/' pages (a withdrawn
day is dropped).

Addresses are built from ``NEWSROOM_SITE_URL``, like every absolute link of
the site (``digests.seo.absolute``), never from the request's host.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from digests.filters import first_public
from digests.models import Category, Digest, Item, TopicDay


class SiteSitemap(Sitemap):
    """A sitemap whose addresses start with ``NEWSROOM_SITE_URL``."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.NEWSROOM_SITE_URL).scheme

    def get_domain(self, site=None):
        address = urlsplit(settings.NEWSROOM_SITE_URL.rstrip("/"))
        return address.netloc + address.path


class DigestSitemap(SiteSitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        return Digest.objects.published().order_by("-date")

    def lastmod(self, digest):
        return digest.published_at


class ItemSitemap(SiteSitemap):
    changefreq = "never"
    priority = 0.5
    limit = 5000

    def items(self):
        return Item.objects.published().select_related("digest").order_by("-digest__date", "id")

    def lastmod(self, item):
        return item.digest.published_at


class CategorySitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        """Sections with a published item, each found by its first one (no join of every item)."""
        return Category.objects.filter(pk__in=first_public(Category, "category"))


class TrendSitemap(SiteSitemap):
    """/trends/ and the trend page of every topic and section with a published item."""

    changefreq = "weekly"
    priority = 0.3

    def items(self):
        keys = TopicDay.objects.published().order_by("kind", "key").values_list("kind", "key")
        found = list(keys.distinct())  # one query: the topics and sections counted
        slugs = dict(Category.objects.values_list("pk", "slug"))  # one query: sections' slugs
        sections = [int(key) for kind, key in found if kind == TopicDay.Kind.SECTION]
        return [
            ("trends",),
            *sorted(("trend-section", slugs[pk]) for pk in sections if pk in slugs),
            *(("trend-topic", key) for kind, key in found if kind == TopicDay.Kind.TOPIC),
        ]

    def location(self, page):
        return reverse(f"digests:{page[0]}", args=page[1:])


SITEMAPS = {
    "days": DigestSitemap,
    "items": ItemSitemap,
    "sections": CategorySitemap,
    "trends": TrendSitemap,
}
