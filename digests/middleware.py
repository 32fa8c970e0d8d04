"""The public page cache: anonymous readers' pages, served from the cache in one lookup.

A cached page is stored with the public cache generation it was built under
(``digests.public_cache``); publishing, withdrawing or correcting a digest
raises the generation in the database, so every older page is stale at once.
Each worker reads the generation at most once a second; with Redis, it also
keeps the pages it served lately in its own memory, so a warm page costs no
round trip at all. A cache that cannot be reached is a cache that keeps
nothing (``digests.cache``): pages are then built from the database.
Pages carry an ``ETag`` and ``Cache-Control`` for shared caches, and a
conditional request that matches is answered ``304 Not Modified``.

Only anonymous ``GET``/``HEAD`` requests for the reader site are cached: not the
admin, previews, static or media files, nor anyone with a session cookie.
Pages are kept per validated host (a disallowed host gets its 400 first).
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from digests import public_cache

NOT_CACHED = ("/admin/", "/preview/", "/healthz", "/static/", "/media/")
KEY_PREFIX = "newsroom:page:"


def cacheable_request(request):
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(NOT_CACHED)
    )


def cacheable_response(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "Cookie" not in response.get("Vary", "")
    )


def page_key(request):
    """One key per validated host, path and query string (HEAD shares GET's page).

    The host is in the key because pages and feeds carry absolute links: a page
    built for one allowed name of the site is never served under another.
    ``request.get_host()`` raises ``DisallowedHost`` (a 400) for a host not in
    ``ALLOWED_HOSTS``, before any cached page is looked at.
    """
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()[:32]


def shared_cache():
    """Whether the cache is one for all processes (Redis), not one per process."""
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def prepare(response):
    """Headers every cached public page carries; the language is in its path, not a header."""
    response.headers.pop("Vary", None)
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = settings.NEWSROOM_CACHE_CONTROL
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    return response


def conditional(request, response):
    """Answer If-None-Match / If-Modified-Since with 304 when the page has not changed."""
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )


class RecentPages:
    """The pages this worker process served lately, kept in front of a shared cache.

    Bounded, least recently used out first. With Redis, a page found here costs
    no round trip; it is still checked against the current generation.
    """

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.recent = RecentPages(settings.NEWSROOM_RECENT_PAGES)

    def lookup(self, key, generation):
        """A cached page built under ``generation``: from this worker's recent pages first."""
        shared = shared_cache()
        entry = self.recent.get(key) if shared else None
        if entry is None or entry["generation"] != generation:
            entry = cache.get(key)
            if shared and entry is not None and entry["generation"] == generation:
                self.recent.put(key, entry)
        return entry if entry is not None and entry["generation"] == generation else None

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        # Read from the database at most once per NEWSROOM_GENERATION_CHECK_SECONDS.
        generation = public_cache.generation()
        entry = self.lookup(key, generation)
        if entry is not None:
            response = HttpResponse(entry["content"], status=200)
            for header, value in entry["headers"]:
                response[header] = value
            response["X-Cache"] = "hit"
            return conditional(request, response)

        response = self.get_response(request)
        if not cacheable_response(response):
            return response
        prepare(response)
        entry = {
            "generation": generation,
            "content": response.content,
            "headers": list(response.headers.items()),
        }
        cache.set(key, entry, settings.NEWSROOM_PAGE_CACHE_SECONDS)
        if shared_cache():
            self.recent.put(key, entry)
        response["X-Cache"] = "miss"
        return conditional(request, response)


class DeskLocaleMiddleware(LocaleMiddleware):
    """Languages: the reader site's from its path, the desk's from the person.

    Reader pages are Chinese at / and English under /en/. Django's middleware
    would then give every unprefixed address, the admin's included, the default
    language; the desk (the admin and previews) instead follows the browser's
    preference or the language cookie, as it did before the reader site had
    language prefixes.
    """

    desk_paths = ("/admin/", "/preview/")

    def process_request(self, request):
        if request.path_info.startswith(self.desk_paths):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
