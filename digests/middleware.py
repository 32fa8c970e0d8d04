"""The public page cache: anonymous readers' pages, served from the cache in one lookup.

Django's ``UpdateCacheMiddleware``/``FetchFromCacheMiddleware`` cannot serve
this site: they know nothing of the public generation or its floor, cannot
serve a stale page while a fresh one is built, let concurrent misses all
render, and derive the server-side timeout from ``max-age``. So this one
middleware does the lookup; Django does the rest (the cache framework for
storage, ``ConditionalGetMiddleware`` for ``ETag`` and 304,
``patch_cache_control``/``patch_vary_headers`` for headers).

Each page address has one entry, holding the public generation it was built
under (``digests.public_cache``):

- built under the current generation: a **hit**;
- built under an older one, but not below the *floor* (raised by a
  withdrawal) and stale for less than ``NEWSROOM_STALE_SECONDS``: served
  **stale**, while a refresh is under way (the task worker renders the page
  again, ``digests.refresh``; with a per-process cache, this request does);
- otherwise a **miss**: one request renders the page while the others wait
  for it, up to ``WAIT_SECONDS``, rather than all rendering it at once.

A cache that cannot be reached is a cache that keeps nothing
(``digests.cache``): no entry, no lock, pages built from the database.

Only anonymous ``GET``/``HEAD`` requests for the reader site are cached: not the
admin, the API, previews, static or media files, nor anyone with a session cookie.
Pages are kept per validated host (a disallowed host gets its 400 first).
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
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from digests import public_cache
from digests.build import build_id

# /api/ is built for each request, so that its rate limit counts every one (digests/api).
# The newsletter's pages carry a subscriber's token or a sign-up in progress.
NOT_CACHED = (
    "/admin/",
    "/api/",
    "/anymail/",
    "/preview/",
    "/healthz",
    "/static/",
    "/media/",
    "/newsletter/",
    "/en/newsletter/",
)
KEY_PREFIX = "newsroom:page:"
# A WSGI environ key (no HTTP header can set it): the refresh task's requests.
REFRESH = "newsroom.refresh"
LOCK_SECONDS = 10  # a render that takes longer lets another request try
REFRESH_CLAIM_SECONDS = 30  # how long a queued refresh keeps others from queueing one
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02


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


def page_address(request):
    """The page's absolute address, under the validated host.

    The host is in it because pages and feeds carry absolute links: a page
    built for one allowed name of the site is never served under another.
    ``request.get_host()`` raises ``DisallowedHost`` (a 400) for a host not in
    ``ALLOWED_HOSTS``, before any cached page is looked at.
    """
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def page_key(address):
    """One key per address (HEAD shares GET's page) and release (``digests.build``)."""
    return f"{KEY_PREFIX}{build_id()}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def shared_cache():
    """Whether the cache is one for all processes (Redis), not one per process."""
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def cache_failing():
    """Whether the cache is unreachable now (then ``add`` refuses every lock)."""
    failing = getattr(cache, "failing", None)
    return failing is not None and failing()


def cache_control():
    """``NEWSROOM_CACHE_CONTROL`` as ``patch_cache_control`` arguments."""
    directives = {}
    for part in settings.NEWSROOM_CACHE_CONTROL.split(","):
        name, sep, value = part.strip().partition("=")
        if name:
            directives[name.replace("-", "_")] = value if sep else True
    return directives


def prepare(response):
    """Headers every cached public page carries; the language is in its path, not a header."""
    response.headers.pop("Vary", None)
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, **cache_control())
    if not response.has_header("ETag"):
        set_response_etag(response)
    return response


def freshness(entry, generations):
    """``"fresh"``, ``"stale"`` (may be served while refreshed) or None (must not be served)."""
    if entry is None or entry["generation"] < generations.floor:
        return None
    if entry["generation"] == generations.public:
        return "fresh"
    if public_cache.stale_for(entry["generation"]) < settings.NEWSROOM_STALE_SECONDS:
        return "stale"
    return None


def served(entry, state):
    response = HttpResponse(entry["content"], status=200)
    for header, value in entry["headers"]:
        response[header] = value
    response["X-Cache"] = state
    return response


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
        if self.size <= 0:
            return
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.recent = RecentPages(settings.NEWSROOM_RECENT_PAGES)

    def lookup(self, key, generations):
        """The entry for ``key``: from this worker's recent pages when it is fresh there."""
        shared = shared_cache()
        entry = self.recent.get(key) if shared else None
        if entry is None or entry["generation"] != generations.public:
            entry = cache.get(key)
            if shared and entry is not None and entry["generation"] == generations.public:
                self.recent.put(key, entry)
        return entry

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        address = page_address(request)
        key = page_key(address)
        if request.META.get(REFRESH):
            # Read the counters now, before the page: it is then at least as new as its label.
            return self.build(request, key, public_cache.read(), refresh=True)
        # Read from the database at most once per NEWSROOM_GENERATION_CHECK_SECONDS.
        generations = public_cache.current()
        entry = self.lookup(key, generations)
        state = freshness(entry, generations)
        if state == "fresh":
            return served(entry, "hit")
        if state == "stale":
            if cache.add(key + ":refresh", 1, REFRESH_CLAIM_SECONDS):
                if not shared_cache():  # no worker can fill this process's cache
                    return self.build(request, key, generations, refresh=True)
                from digests.tasks import refresh_pages

                refresh_pages.enqueue(addresses=[address])
            return served(entry, "stale")
        if cache.add(key + ":lock", 1, LOCK_SECONDS) or cache_failing():
            return self.build(request, key, generations, lock=True)
        entry = self.wait_for(key, generations)
        if entry is not None:
            return served(entry, "hit")
        return self.build(request, key, generations)

    def wait_for(self, key, generations):
        """The entry another request is building, if it comes within ``WAIT_SECONDS``.

        None as soon as that request is done without one (a 404 is not kept).
        """
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            found = cache.get_many([key, key + ":lock"])
            if freshness(found.get(key), generations) is not None:
                return found[key]
            if key + ":lock" not in found:
                return None
        return None

    def build(self, request, key, generations, lock=False, refresh=False):
        """Render the page and keep it, built under ``generations.public``."""
        try:
            response = self.get_response(request)
            if not cacheable_response(response):
                return response
            prepare(response)
            entry = {
                "generation": generations.public,
                "content": response.content,
                "headers": list(response.headers.items()),
            }
            cache.set(key, entry, settings.NEWSROOM_PAGE_CACHE_SECONDS)
            if shared_cache():
                self.recent.put(key, entry)
            response["X-Cache"] = "refresh" if refresh else "miss"
            return response
        finally:
            if lock:
                cache.delete(key + ":lock")
            if refresh:
                cache.delete(key + ":refresh")


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
