"""After a change readers can see, the worker renders the pages it changed, before anyone asks.

Until a page is rendered again, readers get the one already cached, built
under an older generation (``digests.middleware``: stale but allowed), so no
reader waits for a rebuild. The pages are rendered through the real request
path (Django's test ``Client``: every middleware, the view, the templates),
anonymously, under the site's canonical address (``NEWSROOM_SITE_URL``), and
stored as fresh entries by the page cache itself.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from digests import middleware
from digests.models import Digest
from digests.story import public as story_public

log = logging.getLogger(__name__)


def _paths(name, *args):
    """The path of a reader page in every language of the site."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse(f"digests:{name}", args=args))
    return paths


def site_pages():
    """What every change touches: the home page, the feeds and the archive."""
    return [
        *_paths("latest"),
        *_paths("feed-rss"),
        *_paths("feed-atom"),
        *_paths("archive"),
    ]


def digest_pages(digest):
    """The pages a change of ``digest`` shows on: its day, its month, its sections'
    feeds, the days before and after it (their links change), the items and days its
    story links lead to, and the site pages."""
    paths = site_pages()
    days = [digest.date]
    published = Digest.objects.published().values_list("date", flat=True)
    days += [d for d in (published.filter(date__lt=digest.date).order_by("-date").first(),) if d]
    days += [d for d in (published.filter(date__gt=digest.date).order_by("date").first(),) if d]
    # The items on other days that follow this digest's, or that it follows: their
    # 此前报道 / 后续报道 links change with it (digests.story.public).
    linked = story_public.linked_pages(digest)
    days += sorted({day for _pk, day in linked} - set(days))
    for day in days:
        paths += _paths("day", day.year, day.month, day.day)
    for pk, _day in linked:
        paths += _paths("item", pk)
    paths += _paths("month", digest.date.year, digest.date.month)
    slugs = digest.items.order_by().values_list("category__slug", flat=True).distinct()
    for slug in sorted(set(slugs)):
        paths += _paths("category-rss", slug) + _paths("category-atom", slug)
    return paths


def addresses(paths):
    base = settings.NEWSROOM_SITE_URL.rstrip("/")
    return [base + path for path in paths]


def after_commit(digest=None):
    """Queue the refresh of the pages a change touched, once it has committed.

    Only with a cache that every process shares: the worker could not fill a
    web process's own memory (there, the first reader of a stale page
    refreshes it). The queued pages are claimed first, so that readers finding
    them stale do not queue them again.
    """
    if not middleware.shared_cache() or settings.NEWSROOM_PAGE_CACHE_SECONDS <= 0:
        return
    from digests.tasks import refresh_pages

    def queue():
        pages = addresses(digest_pages(digest) if digest is not None else site_pages())
        claims = {middleware.page_key(a) + ":refresh": 1 for a in pages}
        cache.set_many(claims, middleware.REFRESH_CLAIM_SECONDS)
        refresh_pages.enqueue(addresses=pages)

    transaction.on_commit(queue)


def render(pages):
    """Render each address through the whole request path; the page cache keeps it fresh."""
    statuses = {}
    client = Client(raise_request_exception=False)
    with translation.override(translation.get_language()):  # each request activates its own
        for address in pages:
            statuses[address] = _render(client, address)
    return statuses


def _render(client, address):
    parts = urlsplit(address)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    client.cookies.clear()  # anonymous, always
    response = client.get(
        path,
        headers={"host": parts.netloc},
        secure=parts.scheme == "https",
        **{middleware.REFRESH: True},
    )
    if response.status_code >= 500:
        log.warning("refreshing %s answered %s", address, response.status_code)
    return response.status_code
