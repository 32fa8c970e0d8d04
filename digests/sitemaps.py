"""/sitemap.xml: every published day and item, and the sections."""

from django.contrib.sitemaps import Sitemap

from digests.models import Category, Digest, Item


class DigestSitemap(Sitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        return Digest.objects.published().order_by("-date")

    def lastmod(self, digest):
        return digest.published_at


class ItemSitemap(Sitemap):
    changefreq = "never"
    priority = 0.5
    limit = 5000

    def items(self):
        return Item.objects.published().select_related("digest").order_by("-digest__date", "id")

    def lastmod(self, item):
        return item.digest.published_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return Category.objects.filter(items__in=Item.objects.published()).distinct()


SITEMAPS = {"days": DigestSitemap, "items": ItemSitemap, "sections": CategorySitemap}
