"""Day pages kept by what they show, so a publication elsewhere does not rebuild them.

The page cache (``digests.middleware``) drops every page when anything is
published, since lists, feeds and the home page all change. A day's page,
though, depends only on its own digest (its ``version`` rises with every save,
status change and correction), on the days before and after it, on the names
of sections and sources, and on the language and address. Kept under exactly
that, the page of a day that did not change is served again after a
publication for the price of the three small queries that find out.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.utils import translation

from digests import public_cache
from digests.models.digest import content_prefetches


def page_key(digest, previous_day, next_day, request):
    return ":".join(
        str(part)
        for part in (
            "newsroom:day-page",
            digest.pk,
            digest.version,
            previous_day,
            next_day,
            public_cache.names_generation(),
            translation.get_language(),
            request.path,
        )
    )


def kept_page(key):
    """A kept page ``{"content", "last_updated"}``, or None (also when keeping is off)."""
    if settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS <= 0:
        return None
    return cache.get(key)


def keep_page(key, content, last_updated):
    if settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS > 0:
        cache.set(
            key,
            {"content": content, "last_updated": last_updated},
            settings.NEWSROOM_DAY_PAGE_CACHE_SECONDS,
        )


def fetch_contents(digest):
    """Prefetch what a day's page shows: only when the page is rendered, not when kept."""
    prefetch_related_objects([digest], *content_prefetches())
