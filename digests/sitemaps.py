"""The sitemap: an index at /sitemap.xml and one sitemap per kind of public page.

Every public page is listed once per interface language (Chinese at /, English at
/en/), each address with its ``xhtml:link rel="alternate" hreflang`` alternates
(zh-CN, en and x-default, as in each page's head). A section longer than
``LIMIT`` addresses is split into pages (``/sitemap-items.xml?p=2``), each listed
by the index, so every published item is there whatever the archive's size
(sitemaps.org allows 50,000 addresses a file). A page of a section costs the same
few queries however long the archive: rows are read a page at a time.

Only what ``Digest.objects.published()`` lets readers see is listed (a withdrawn
day is dropped). Addresses are built from ``NEWSROOM_SITE_URL``, like every
absolute link of the site (``digests.seo.absolute``), never from the request's host.
"""

from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import Paginator
from django.db.models import Exists, F, Max, OuterRef, QuerySet, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse

from digests import seo
from digests.filters import public_topics
from digests.models import Category, Correction, Digest, Item, Tag, TopicDay
from digests.sources.stats import cited_publicly

# Addresses per sitemap page: well under sitemaps.org's 50,000 and 50 MB (each address
# carries three alternates), small enough to build in a fraction of a second.
LIMIT = 5000


class LanguagePairs:
    """(row, language) for every row and interface language, read from the rows a slice at a time.

    Django's ``Sitemap.i18n`` builds this list for the whole section before paging it,
    which reads every published item for each page; this reads one page's rows.
    """

    def __init__(self, rows, languages):
        self.rows = rows
        self.languages = languages

    def count(self):
        rows = self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)
        return rows * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        size = len(self.languages)
        start, stop = index.start or 0, index.stop
        first = start // size
        last = None if stop is None else -(-stop // size)  # rounded up
        pairs = [(row, code) for row in self.rows[first:last] for code in self.languages]
        end = None if stop is None else stop - first * size
        return pairs[start - first * size : end]


class SiteSitemap(Sitemap):
    """A section of the sitemap: its pages in every language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    limit = LIMIT

    def get_protocol(self, protocol=None):
        return urlsplit(settings.NEWSROOM_SITE_URL).scheme

    def get_domain(self, site=None):
        address = urlsplit(settings.NEWSROOM_SITE_URL.rstrip("/"))
        return address.netloc + address.path

    @cached_property
    def paginator(self):
        """The section's (row, language) pairs, counted once and read a page at a time."""
        return Paginator(LanguagePairs(self.items(), self._languages()), self.limit)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:  # Django's codes (zh-hans) as the pages' hreflang values (zh-CN)
            for alternate in url["alternates"]:
                alternate["lang_code"] = seo.HREFLANG.get(
                    alternate["lang_code"], alternate["lang_code"]
                )
        return urls

    def get_latest_lastmod(self):
        """For the index; sections without a date have none (Django's default reads every row)."""
        return None


def _latest_correction(**link):
    """The time of the latest correction to an item (or a day's items), as a subquery."""
    corrections = Correction.objects.filter(**link).order_by("-created_at")
    return Subquery(corrections.values("created_at")[:1])


def _last_change(row):
    """Publication, or the latest correction if later (``Digest.last_updated``'s rule)."""
    return max(filter(None, [row.published, row.corrected]))


def _latest_change():
    """When a published day or item last changed: two queries (the latest publication,
    the latest correction of a published item)."""
    published = Digest.objects.published().aggregate(latest=Max("published_at"))["latest"]
    corrections = Correction.objects.filter(
        Exists(Item.objects.published().filter(pk=OuterRef("item_id")))
    )
    corrected = corrections.order_by("-created_at").values_list("created_at", flat=True).first()
    return max(filter(None, [published, corrected]), default=None)


class PageSitemap(SiteSitemap):
    """The home page and the lists that are always there."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["digests:latest", "digests:archive", "digests:browse", "digests:sources"]

    def location(self, name):
        return reverse(name)


class DigestSitemap(SiteSitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        return (
            Digest.objects.published()
            .annotate(
                published=F("published_at"),
                corrected=_latest_correction(item__digest=OuterRef("pk")),
            )
            .only("date", "published_at")
            .order_by("-date")
        )

    def lastmod(self, digest):
        return _last_change(digest)

    def get_latest_lastmod(self):
        return _latest_change()


class MonthSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Digest.objects.published().dates("date", "month", order="DESC")

    def location(self, month):
        return reverse("digests:month", kwargs={"year": month.year, "month": month.month})


class ItemSitemap(SiteSitemap):
    changefreq = "never"
    priority = 0.5

    def items(self):
        return (
            Item.objects.published()
            .annotate(
                published=F("digest__published_at"),
                corrected=_latest_correction(item=OuterRef("pk")),
            )
            .only("pk")
            .order_by("-digest__date", "id")
        )

    def lastmod(self, item):
        return _last_change(item)

    def get_latest_lastmod(self):
        return _latest_change()


class CategorySitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        """Sections with a published item, each found by its first one (no join of every item)."""
        return _with_published_item(Category, "category").only("slug").order_by("slug")


class TopicSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.3

    def items(self):
        return [slug for slug, _label in public_topics()]  # one query, one probe per topic

    def location(self, slug):
        return reverse("digests:topic", kwargs={"slug": slug})


class TagSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.3

    def items(self):
        return _with_published_item(Tag, "tags").only("slug").order_by("slug")

    def location(self, tag):
        return reverse("digests:tag", kwargs={"slug": tag.slug})


class SourceSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.3

    def items(self):
        return cited_publicly().only("slug").order_by("slug")


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


def _with_published_item(model, field):
    """``model``'s rows with a published item, each found by its first one (an index probe)."""
    first = Item.objects.published().filter(**{field: OuterRef("pk")}).order_by().values("pk")
    return model.objects.alias(first=Subquery(first[:1])).filter(first__isnull=False)


SITEMAPS = {
    "pages": PageSitemap,
    "days": DigestSitemap,
    "months": MonthSitemap,
    "items": ItemSitemap,
    "sections": CategorySitemap,
    "topics": TopicSitemap,
    "tags": TagSitemap,
    "sources": SourceSitemap,
    "trends": TrendSitemap,
}


def index(request):
    """/sitemap.xml: every page of every section, addressed from ``NEWSROOM_SITE_URL``.

    Django's ``sitemaps.views.index`` builds the addresses from the request's host;
    this is the same index (its template too) with the site's own address.
    """
    entries = []
    for section, section_class in SITEMAPS.items():
        sitemap = section_class()
        if not sitemap.paginator.count:
            continue  # a sitemap lists at least one address (sitemaps.org's schema)
        address = seo.absolute(reverse("sitemap-section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(address, lastmod))
        pages = range(2, sitemap.paginator.num_pages + 1)
        entries += [SitemapIndexItem(f"{address}?p={page}", lastmod) for page in pages]
    response = TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
