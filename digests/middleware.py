"""The public page cache: anonymous readers' pages, served from the cache in one lookup.

A cached page is stored with the public cache generation it was built under
(``digests.public_cache``); publishing, withdrawing or correcting a digest
bumps the generation, so every older page is stale at once. With Redis, each
worker also keeps the pages it served lately in its own memory and reads the
generation at most once a second, so a warm page costs no round trip at all.
Pages carry an ``ETag`` and ``Cache-Control`` for shared caches, and a
conditional request that matches is answered ``304 Not Modified``.

Only anonymous ``GET``/``HEAD`` requests for the reader site are cached: not the
admin, previews, static or media files, nor anyone with a session cookie.
"""

import hashlib
import threading
import time
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
    """One key per path and query string (HEAD shares GET's page)."""
    return KEY_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]


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
        self.generation_seen = (None, 0.0)  # (generation, when it was read)

    def current_generation(self):
        """The public generation; with Redis, read at most once per check interval.

        With the per-process cache it is read from its file every time (cheap);
        with Redis, a worker asks again after ``NEWSROOM_GENERATION_CHECK_SECONDS``,
        so a publication reaches every worker within that time.
        """
        if not public_cache.shared_cache():
            return public_cache.generation()
        generation, seen_at = self.generation_seen
        now = time.monotonic()
        if generation is None or now - seen_at >= settings.NEWSROOM_GENERATION_CHECK_SECONDS:
            generation = public_cache.generation()
            self.generation_seen = (generation, now)
        return generation

    def lookup(self, key, generation):
        """A cached page built under ``generation``: from this worker's recent pages first."""
        shared = public_cache.shared_cache()
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
        generation = self.current_generation()
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
        if public_cache.shared_cache():
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
