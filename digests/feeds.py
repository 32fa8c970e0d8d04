"""RSS and Atom feeds of published briefings, and of each section's items.

Each day's entry carries the whole briefing as HTML (RSS ``content:encoded``,
Atom ``content``), rendered by the templates in ``digests/feeds/`` so that every
text is escaped; titles are plain text. Entries are dated by the briefing's own
day, so a day published late sorts where it belongs, and ``updated`` follows
corrections. Every link and id is built from ``NEWSROOM_SITE_URL``
(``digests.seo.absolute``), never from the request's Host.
"""

import datetime
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from digests.models import Category, Digest, Item
from digests.seo import absolute

FEED_SIZE = 30
# What XML 1.0 cannot hold even escaped (control characters, U+FFFE, U+FFFF):
# dropped, so that one pasted control character cannot break a whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value):
    """``value`` with the characters XML 1.0 cannot carry removed; other values unchanged."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return [xml_text(v) for v in value]
    return value


class _XmlSafe:
    """A feed generator that drops characters XML cannot carry from every text it writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_text(args), **{k: xml_text(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_text(args), **{k: xml_text(v) for k, v in kwargs.items()})


class RssWithContent(_XmlSafe, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with each entry's full HTML in ``content:encoded``."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(_XmlSafe, feedgenerator.Atom1Feed):
    """Atom 1.0 with each entry's full HTML in ``content``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def day_published(digest):
    """When an entry for the briefing's day is dated: the publication time if on that
    day (in the newsroom's time zone), else the start of the day, so that a day
    published late (backfilled) or early sorts by its own date."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(digest.date, datetime.time.min, tzinfo=zone)
    published = digest.published_at
    if published and timezone.localtime(published, zone).date() == digest.date:
        return published
    return start


class SiteFeed(Feed):
    """What every Newsroom feed shares: full-content entries, links from the site's address."""

    feed_type = RssWithContent
    url_name = None  # the feed's own URL, for its self link

    def feed_url(self, obj):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name, kwargs=kwargs))

    def item_guid_is_permalink(self, item):
        return True


class DigestFeed(SiteFeed):
    """The latest published briefings, one entry a day, each with the whole briefing."""

    title = settings.NEWSROOM_SITE_NAME
    description = _("A daily briefing of technology news, readable in two minutes.")
    url_name = "digests:feed-rss"

    def link(self):
        return absolute(reverse("digests:latest"))

    def items(self):
        """The latest days with everything an entry shows, in a fixed number of queries."""
        return Digest.objects.published().with_contents().order_by("-date")[:FEED_SIZE]

    def item_title(self, digest):
        return f"{digest.title}\uff08{digest.date:%Y-%m-%d}\uff09"

    def item_description(self, digest):
        return render_to_string("digests/feeds/summary.html", {"digest": digest})

    def item_extra_kwargs(self, digest):
        return {"content": render_to_string("digests/feeds/digest.html", {"digest": digest})}

    def item_categories(self, digest):
        return list(dict.fromkeys(category.name for category, _items in digest.sections()))

    def item_pubdate(self, digest):
        return day_published(digest)

    def item_updateddate(self, digest):
        return max(digest.last_updated, day_published(digest))

    def item_link(self, digest):
        return absolute(digest.get_absolute_url())


class DigestAtomFeed(DigestFeed):
    feed_type = AtomWithContent
    subtitle = DigestFeed.description
    url_name = "digests:feed-atom"


class CategoryFeed(SiteFeed):
    """The latest published items of one section, each in full."""

    url_name = "digests:category-rss"

    def get_object(self, request, slug):
        """A section readers can see: one with published items."""
        public = Category.objects.filter(items__in=Item.objects.published()).distinct()
        return get_object_or_404(public, slug=slug)

    def title(self, category):
        return f"{settings.NEWSROOM_SITE_NAME} · {category.name}"

    def description(self, category):
        return category.description or category.name

    def link(self, category):
        return absolute(category.get_absolute_url())

    def items(self, category):
        """The section's latest items with their day, source, tags and corrections."""
        return (
            Item.objects.published()
            .filter(category=category)
            .for_listing()
            .order_by("-digest__date", "position", "pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.heading

    def item_description(self, item):
        """The first paragraph, as a summary; the whole item is the entry's content."""
        return conditional_escape(next(iter(item.paragraphs), ""))

    def item_extra_kwargs(self, item):
        return {"content": render_to_string("digests/feeds/item.html", {"item": item})}

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list]

    def item_pubdate(self, item):
        return day_published(item.digest)

    def item_updateddate(self, item):
        return max(item.last_updated, day_published(item.digest))

    def item_link(self, item):
        return absolute(item.get_absolute_url())


class CategoryAtomFeed(CategoryFeed):
    feed_type = AtomWithContent
    url_name = "digests:category-atom"

    def subtitle(self, category):
        return self.description(category)
