"""What search engines and social networks read: canonical URLs, OpenGraph and JSON-LD."""

from django.conf import settings
from django.templatetags.static import static
from django.utils.text import Truncator


def absolute(path):
    """The public address of a path, from ``NEWSROOM_SITE_URL`` (never from the Host header)."""
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def _publisher():
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute("/"),
        "logo": {"@type": "ImageObject", "url": absolute(static("favicon.svg"))},
    }


def _image(fieldfile):
    return absolute(fieldfile.url) if fieldfile else None


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
            "inLanguage": "zh-CN",
            "datePublished": digest.published_at.isoformat() if digest.published_at else None,
            "dateModified": digest.last_updated.isoformat(),
            "description": description,
            "publisher": _publisher(),
            "hasPart": [
                {
                    "@type": "NewsArticle",
                    "headline": item.title,
                    "url": absolute(item.get_absolute_url()),
                }
                for item in items
            ],
        },
    }


def for_item(item):
    """Canonical URL, description, OpenGraph and a NewsArticle for an item's own page."""
    url = absolute(item.get_absolute_url())
    description = Truncator(item.body.replace("\n", " ")).chars(150)
    image = _image(item.image)
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": "zh-CN",
        "articleSection": item.category.name,
        "about": item.topic,
        "datePublished": item.digest.published_at.isoformat(),
        "dateModified": item.last_updated.isoformat(),
        "description": description,
        "articleBody": item.body,
        "keywords": [tag.name for tag in item.tag_list],
        "publisher": _publisher(),
        "isPartOf": {"@type": "CollectionPage", "url": absolute(item.digest.get_absolute_url())},
    }
    if item.source:
        article["sourceOrganization"] = {"@type": "Organization", "name": item.source.name}
    if item.url:
        article["isBasedOn"] = item.url
    if image:
        article["image"] = image
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
