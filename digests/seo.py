"""What search engines and social networks read: canonical URLs, OpenGraph and JSON-LD.

The JSON-LD follows schema.org as Google reads it: a NewsArticle for each item (on its
day's page and its own), the newsroom as an Organization with a raster logo, a
WebSite with its search on the home page and a BreadcrumbList on the day, month,
item, section, topic, tag and source pages (``breadcrumbs``). Everything here is
built from what the page already fetched: no query of its own.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import translation
from django.utils.text import Truncator

# The language of the content (the briefing is written in Chinese whatever the interface).
CONTENT_LANGUAGE = "zh-CN"
# Django's language codes as hreflang values (BCP 47, the region readers search from).
HREFLANG = {"zh-hans": "zh-CN", "en": "en"}
# The search page's address with the placeholder a search engine fills in.
SEARCH_TERM = "search_term_string"


def absolute(path):
    """The public address of a path, from ``NEWSROOM_SITE_URL`` (never from the Host header)."""
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def site_path(url):
    """The path of one of the site's own absolute addresses (``absolute``'s inverse)."""
    site = settings.NEWSROOM_SITE_URL.rstrip("/")
    return url[len(site) :] if url.startswith(site + "/") else None


def alternates(path):
    """(hreflang, absolute address) of a public page in each language, then x-default.

    The default language (Chinese, unprefixed) is also the x-default: the page for
    readers whose language is neither. A path the site does not know has none.
    """
    found = []
    language = _language_of(path)
    with translation.override(language):  # read the path in its own language
        for code, _name in settings.LANGUAGES:
            translated = translate_url(path, code)
            if translated == path and code != language:
                return []  # not one of the reader site's pages: no language versions
            found.append((HREFLANG.get(code, code), absolute(translated)))
    default = dict(found).get(HREFLANG.get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE))
    return [*found, ("x-default", default)] if default else found


def _language_of(path):
    """The interface language a path is in: its prefix, or the default language."""
    prefix = path.strip("/").split("/", 1)[0]
    codes = [code for code, _name in settings.LANGUAGES]
    return prefix if prefix in codes else settings.LANGUAGE_CODE


def publisher():
    """The newsroom as the Organization that publishes every article (its logo a PNG)."""
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static("logo.png")),
            "width": 512,
            "height": 512,
        },
    }


def _image(fieldfile):
    return absolute(fieldfile.url) if fieldfile else None


def _picture(digest):
    """The day's picture for structured data: its cover, else its share card (no query)."""
    from digests.sharing import card_url  # digests.sharing builds its addresses here

    return _image(digest.cover_image) or card_url(digest)


def _moment(value):
    return value.isoformat() if value else None


def news_article(item):
    """The NewsArticle of a published item: what its day knows about it.

    ``item.digest`` and ``item.corrections`` must be fetched with the item (both are on
    the day and item pages); ``dateModified`` is its latest correction, if any, and the
    image the item's own picture, else the day's cover or share card.
    """
    url = absolute(item.get_absolute_url())
    article = {
        "@type": "NewsArticle",
        "headline": item.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": _moment(item.digest.published_at),
        "dateModified": _moment(item.last_updated),
        "author": publisher(),
        "publisher": publisher(),
        "articleSection": item.category.name,
        "inLanguage": CONTENT_LANGUAGE,
        "isAccessibleForFree": True,
    }
    picture = _image(item.image) or _picture(item.digest)
    if picture:
        article["image"] = [picture]
    return article


def for_digest(digest):
    """Canonical URL, description, OpenGraph and a CollectionPage for a day's briefing."""
    url = absolute(digest.get_absolute_url())
    items = digest.items.all()
    headlines = "、".join(item.title for item in items[:4])
    description = digest.lede or Truncator(headlines).chars(150)
    image = _image(digest.cover_image) or next(
        (_image(item.image) for item in items if item.image), None
    )
    title = f"{digest.title}\uff08{digest.date:%Y-%m-%d}\uff09"  # full-width, as on the page
    return {
        "canonical_url": url,
        "description": description,
        "og": {
            "type": "website",
            "title": title,
            "url": url,
            "description": description,
            "image": image,
        },
        "json_ld": {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": title,
            "url": url,
            "inLanguage": CONTENT_LANGUAGE,
            "datePublished": _moment(digest.published_at),
            "dateModified": digest.last_updated.isoformat(),
            "description": description,
            "publisher": publisher(),
            "image": _picture(digest),
            "hasPart": [news_article(item) for item in items],
        },
    }


def for_item(item):
    """Canonical URL, description, OpenGraph and a NewsArticle for an item's own page."""
    url = absolute(item.get_absolute_url())
    description = Truncator(item.body.replace("\n", " ")).chars(150)
    image = _image(item.image)
    article = {
        "@context": "https://schema.org",
        **news_article(item),
        "about": item.topic,
        "description": description,
        "articleBody": item.body,
        "keywords": [tag.name for tag in item.tag_list],
        "isPartOf": {"@type": "CollectionPage", "url": absolute(item.digest.get_absolute_url())},
    }
    if item.source:
        article["sourceOrganization"] = {"@type": "Organization", "name": item.source.name}
    if item.url:
        article["isBasedOn"] = item.url
    return {
        "canonical_url": url,
        "description": description,
        "og": {
            "type": "article",
            "title": item.title,
            "url": url,
            "description": description,
            "image": image,
        },
        "json_ld": article,
    }


def website():
    """The site and its search, for the home page (a search engine's search box)."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute("/"),
        "inLanguage": CONTENT_LANGUAGE,
        "publisher": publisher(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                # The placeholder's braces must stay as they are: no quoting.
                "urlTemplate": absolute("/search/") + "?q={" + SEARCH_TERM + "}",
            },
            "query-input": f"required name={SEARCH_TERM}",
        },
    }


def breadcrumbs(trail):
    """A BreadcrumbList of (name, path) steps, the last one the page itself."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute(path)}
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }
