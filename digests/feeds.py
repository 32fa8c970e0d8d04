"""RSS and Atom feeds of published briefings, and of each section's items.

Each day's entry carries the whole briefing as HTML (RSS ``content:encoded``,
Atom ``content``), rendered by the templates in ``digests/feeds/`` so that every
text is escaped; titles are plain text. Entries are dated by the briefing's own
day, so a day published late sorts where it belongs, and ``updated`` follows
corrections. Every link and id is built from ``NEWSROOM_SITE_URL``
(``digests.seo.absolute``), never from the request's Host.

Rendering thirty briefings is most of a feed's cost, and a publication changes
one entry, not thirty: each entry's rendered parts are kept in the cache under
what they show (``kept_entries``), the way ``digests.fragments`` keeps day
pages. A feed then costs one query for its entries and one ``get_many``; the
contents (items, analysis, trends) are fetched only for entries not kept.
"""

import datetime
import io
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator, timezone, translation
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from digests import public_cache
from digests.build import build_id
from digests.models import Category, Digest, Item
from digests.models.digest import content_prefetches, page_fetch_mode
from digests.models.item import tags_prefetch
from digests.seo import absolute

FEED_SIZE = 30
# The briefing's language, as the reader site marks it (``<html lang>`` in base.html).
CONTENT_LANGUAGE = "zh-CN"
# What XML 1.0 cannot hold even escaped (control characters, U+FFFE, U+FFFF):
# dropped, so that one pasted control character cannot break a whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XmlText(str):
    """Text that ``xml_text`` has already cleaned: a kept feed entry is not scanned again."""


def xml_text(value):
    """``value`` with the characters XML 1.0 cannot carry removed; other values unchanged."""
    if isinstance(value, XmlText):
        return value
    if isinstance(value, str):
        return XmlText(_NOT_XML.sub("", value))
    if isinstance(value, (list, tuple)):
        return [xml_text(v) for v in value]
    return value


class _XmlSafe:
    """A feed generator that drops characters XML cannot carry from every text it writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_text(args), **{k: xml_text(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_text(args), **{k: xml_text(v) for k, v in kwargs.items()})

    def write(self, outfile, encoding):
        """Write the feed to ``outfile`` at once: the XML writer's thousand small writes
        go to a string first, not each through the response (1.5 ms of a 30-day feed)."""
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue())


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
    """Atom 1.0 (RFC 4287) with each entry's full HTML in ``content``.

    In a feed of another interface language (``/en/``), each entry is marked
    ``xml:lang="zh-CN"``: its title, summary, content and categories are the briefing's.
    """

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if self.feed["language"] != CONTENT_LANGUAGE:
            attributes["xml:lang"] = CONTENT_LANGUAGE
        return attributes

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


def kept_entries(objects, kind, version, fetch, render):
    """``objects``, each with its rendered entry as ``.entry``, kept in the cache where it was.

    ``version(obj)`` is what rises when the entry's contents change (its digest's
    ``version``: every save, status change and correction); renamed sections and
    sources and the language are in the key too. One ``get_many`` finds the kept
    entries; ``fetch(missing)`` loads the contents of the others only, which
    ``render(obj)`` turns into a dict, kept with one ``set_many``. Keeping is off
    when ``NEWSROOM_DAY_PAGE_CACHE_SECONDS`` is 0, like for day pages. A withdrawn
    day is never listed, so a kept entry of it is never shown.
    """
    # What every entry of this feed depends on besides itself: names, language, address.
    shared = (
        build_id(),
        public_cache.names_generation(),
        translation.get_language(),
        settings.NEWSROOM_SITE_URL,
    )
    keys = {
        ":".join(map(str, ("newsroom:feed-entry", kind, obj.pk, version(obj), *shared))): obj
        for obj in objects
    }
    seconds = settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS
    kept = cache.get_many(list(keys)) if seconds > 0 else {}
    missing = {key: obj for key, obj in keys.items() if key not in kept}
    if missing:
        fetch(list(missing.values()))
        fresh = {key: render(obj) for key, obj in missing.items()}
        if seconds > 0:
            cache.set_many(fresh, seconds)
        kept.update(fresh)
    for key, obj in keys.items():
        obj.entry = kept[key]
    return objects


def language_tag(code):
    """The BCP 47 tag the reader site uses for a Django language code (zh-hans: zh-CN)."""
    return CONTENT_LANGUAGE if code == "zh-hans" else code


class SiteFeed(Feed):
    """What every Newsroom feed shares: full-content entries, links from the site's address."""

    feed_type = RssWithContent
    url_name = None  # the feed's own URL, for its self link

    @property
    def language(self):
        """The interface language (RSS ``language``, Atom ``xml:lang``), tagged as pages are."""
        return language_tag(translation.get_language())

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
        """The latest days, each with its entry: contents fetched only for entries not kept."""
        days = (
            Digest.objects.published().fetch_mode(page_fetch_mode()).order_by("-date")[:FEED_SIZE]
        )
        return kept_entries(
            list(days),
            "day",
            version=lambda digest: digest.version,
            fetch=lambda days: prefetch_related_objects(days, *content_prefetches(claims=False)),
            render=self.entry,
        )

    def entry(self, digest):
        """What a day's entry shows beyond the digest row, rendered (kept by ``kept_entries``)."""
        return {
            "description": xml_text(
                render_to_string("digests/feeds/summary.html", {"digest": digest})
            ),
            "content": xml_text(render_to_string("digests/feeds/digest.html", {"digest": digest})),
            "categories": list(
                dict.fromkeys(category.name for category, _items in digest.sections())
            ),
            "updated": max(digest.last_updated, day_published(digest)),
        }

    def item_title(self, digest):
        return f"{digest.title}\uff08{digest.date:%Y-%m-%d}\uff09"

    def item_description(self, digest):
        return digest.entry["description"]

    def item_extra_kwargs(self, digest):
        return {"content": digest.entry["content"]}

    def item_categories(self, digest):
        return digest.entry["categories"]

    def item_pubdate(self, digest):
        return day_published(digest)

    def item_updateddate(self, digest):
        return digest.entry["updated"]

    def item_link(self, digest):
        return absolute(digest.get_absolute_url())


class AtomEntries:
    """What RFC 4287 asks of an Atom feed beyond RSS: an author, and ids that never change.

    The newsroom is the feed's author (so every entry has one, section 4.1.1). An entry's
    id is its address in the newsroom's default language, so that the same briefing has
    the same id in the Chinese and the English feed, whatever the address it links to.
    """

    feed_type = AtomWithContent

    def author_name(self):
        return settings.NEWSROOM_SITE_NAME

    def author_link(self):
        return settings.NEWSROOM_SITE_URL.rstrip("/") + "/"

    def item_guid(self, obj):
        with translation.override(settings.LANGUAGE_CODE):
            return absolute(obj.get_absolute_url())


class DigestAtomFeed(AtomEntries, DigestFeed):
    subtitle = DigestFeed.description
    url_name = "digests:feed-atom"


class CategoryFeed(SiteFeed):
    """The latest published items of one section, each in full."""

    url_name = "digests:category-rss"

    def get_object(self, request, slug):
        """A section readers can see: one with published items (found by its first one)."""
        category = get_object_or_404(Category, slug=slug)
        if not Item.objects.published().filter(category=category).exists():
            raise Http404(_("No published item in this section."))
        return category

    def title(self, category):
        return f"{settings.NEWSROOM_SITE_NAME} · {category.name}"

    def description(self, category):
        return category.description or category.name

    def link(self, category):
        return absolute(category.get_absolute_url())

    def items(self, category):
        """The section's latest items with their day and source, each with its entry."""
        items = (
            Item.objects.published()
            .filter(category=category)
            .fetch_mode(page_fetch_mode())
            .select_related("digest", "source")
            .defer(*Item.SEARCH_FIELDS)
            .order_by("-digest__date", "position", "pk")[:FEED_SIZE]
        )
        return kept_entries(
            list(items),
            "section-item",
            version=lambda item: item.digest.version,
            fetch=lambda items: prefetch_related_objects(items, tags_prefetch(), "corrections"),
            render=self.entry,
        )

    def entry(self, item):
        """What an item's entry shows beyond its row: the summary is its first paragraph."""
        return {
            "description": conditional_escape(next(iter(item.paragraphs), "")),
            "content": xml_text(render_to_string("digests/feeds/item.html", {"item": item})),
            "categories": [tag.name for tag in item.tag_list],
            "updated": max(item.last_updated, day_published(item.digest)),
        }

    def item_title(self, item):
        return item.heading

    def item_description(self, item):
        return item.entry["description"]

    def item_extra_kwargs(self, item):
        return {"content": item.entry["content"]}

    def item_categories(self, item):
        return item.entry["categories"]

    def item_pubdate(self, item):
        return day_published(item.digest)

    def item_updateddate(self, item):
        return item.entry["updated"]

    def item_link(self, item):
        return absolute(item.get_absolute_url())


class CategoryAtomFeed(AtomEntries, CategoryFeed):
    url_name = "digests:category-atom"

    def subtitle(self, category):
        return self.description(category)
