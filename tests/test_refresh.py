"""After a publication readers get the old page (allowed, stale) until the worker has
rendered the new one; never a page built before a withdrawal; one render per miss."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django_tasks_db.models import DBTaskResult

from digests import middleware, public_cache, refresh, workflow
from digests.models import Digest
from digests.tasks import refresh_pages
from newsroom.settings import redis_cache
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
HOST = "127.0.0.1:8000"  # NEWSROOM_SITE_URL's: the worker renders under the canonical host
NEW_DAY = '<time datetime="2026-03-02" class="digest-date">'


def get(client, path):
    return client.get(path, headers={"host": HOST})


@pytest.fixture
def shared(monkeypatch, day):
    """One cache for every process, as Redis is: the test and its "worker" share local memory.

    (With Redis, publishing ``day`` already queued and claimed a refresh: start with none.)
    """
    monkeypatch.setattr(middleware, "shared_cache", lambda: True)
    DBTaskResult.objects.all().delete()
    cache.clear()


@pytest.fixture
def immediate(settings):
    """Tasks run as they are queued, as if the worker took them at once."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def day(published_day):
    return published_day


def publish_next_day(reviewer, capture):
    later = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.REVIEW)
    with capture(execute=True):
        workflow.publish(later, reviewer)
    return later


def refresh_tasks():
    return DBTaskResult.objects.filter(task_path=refresh_pages.module_path)


def test_a_stale_page_is_served_while_the_worker_refreshes_it(
    client, day, reviewer, shared, django_capture_on_commit_callbacks
):
    assert get(client, "/")["X-Cache"] == "miss"
    publish_next_day(reviewer, django_capture_on_commit_callbacks)
    (task,) = refresh_tasks()  # queued once the publication committed, not run yet
    stale = get(client, "/")
    assert stale["X-Cache"] == "stale" and NEW_DAY not in stale.content.decode()
    assert refresh_tasks().count() == 1  # the page was claimed with the queued refresh
    refresh_pages.call(**task.args_kwargs["kwargs"])  # what the worker does
    fresh = get(client, "/")
    assert fresh["X-Cache"] == "hit" and NEW_DAY in fresh.content.decode()


def test_a_stale_page_nobody_queued_queues_its_own_refresh(client, day, shared):
    assert get(client, "/2026/03/01/")["X-Cache"] == "miss"
    public_cache.changed()  # say, search terms: every page is stale
    assert get(client, "/2026/03/01/")["X-Cache"] == "stale"
    assert get(client, "/2026/03/01/")["X-Cache"] == "stale"
    (task,) = refresh_tasks()  # the change's own would be queued once it commits
    assert task.args_kwargs["kwargs"] == {"addresses": [f"http://{HOST}/2026/03/01/"]}


def test_the_worker_renders_every_page_a_publication_changes(
    client, day, reviewer, shared, immediate, django_capture_on_commit_callbacks
):
    later = publish_next_day(reviewer, django_capture_on_commit_callbacks)
    pages = refresh.addresses(refresh.digest_pages(later))
    section = later.items.first().category.slug
    for path in [
        "/",
        "/en/",
        "/2026/03/02/",
        "/2026/03/01/",  # the day before: its link to the next day changed
        "/en/2026/03/02/",
        "/2026/03/",
        "/archive/",
        "/feeds/rss/",
        "/feeds/atom/",
        f"/feeds/categories/{section}/rss/",
        f"/feeds/categories/{section}/atom/",
    ]:
        assert f"http://{HOST}{path}" in pages, path
    generation = public_cache.read().public
    for address in pages:
        entry = cache.get(middleware.page_key(address))
        assert entry is not None and entry["generation"] == generation, address
    response = get(client, "/")
    assert response["X-Cache"] == "hit" and NEW_DAY in response.content.decode()
    assert 'rel="next" href="/2026/03/02/"' in get(client, "/2026/03/01/").content.decode()


def test_with_the_worker_down_a_publication_still_reaches_readers(
    client, day, reviewer, shared, django_capture_on_commit_callbacks, settings
):
    get(client, "/")
    publish_next_day(reviewer, django_capture_on_commit_callbacks)
    assert get(client, "/")["X-Cache"] == "stale"  # the refresh is queued; nobody runs it
    # NEWSROOM_STALE_SECONDS later, as this process counts (it saw the change then):
    seen = public_cache._seen.first_seen
    for generation in seen:
        seen[generation] -= settings.NEWSROOM_STALE_SECONDS
    response = get(client, "/")
    assert response["X-Cache"] == "miss" and NEW_DAY in response.content.decode()


# --- the floor: what was withdrawn is never served ----------------------------------------


def redis_or_skip(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")


@pytest.mark.parametrize("where", ["local memory", "redis", "redis down"])
def test_a_withdrawn_day_is_never_served_stale(
    client, day, reviewer, shared, settings, where, django_capture_on_commit_callbacks
):
    if where == "redis":
        redis_or_skip(settings)
        settings.CACHES = redis_cache(settings.REDIS_URL)
    elif where == "redis down":
        settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    elif settings.REDIS_URL:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    headline = day.items.first().title
    for path in ["/", "/2026/03/01/", "/feeds/rss/"]:
        get(client, path)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(day, reviewer, "事实有误")
    assert get(client, "/2026/03/01/").status_code == 410
    for path in ["/", "/feeds/rss/"]:
        response = get(client, path)
        assert response.get("X-Cache") != "stale" and headline not in response.content.decode()
    cache.clear()


def test_a_correction_may_be_served_stale_a_withdrawal_not(
    client, day, reviewer, shared, django_capture_on_commit_callbacks
):
    get(client, "/2026/03/01/")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(day.items.first(), reviewer, "更正后的数字是42。")
    assert get(client, "/2026/03/01/")["X-Cache"] == "stale"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(day, reviewer, "事实有误")
    assert get(client, "/2026/03/01/").status_code == 410


# --- concurrent misses render once ----------------------------------------------------------


class SlowPage:
    """A view that counts its renders and takes a while, so that requests overlap."""

    def __init__(self, status=200):
        self.status = status
        self.renders = 0
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, request):
        with self.lock:
            self.renders += 1
        self.started.set()
        self.release.wait(5)
        return HttpResponse("the page", status=self.status)


class CountingWaits(middleware.PublicPageCacheMiddleware):
    """The page cache, telling when seven readers are waiting for the first one's page."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.waiting = threading.Semaphore(0)

    def wait_for(self, key, generations):
        self.waiting.release()
        return super().wait_for(key, generations)


def eight_readers(page):
    """Eight readers of one page; the first is rendering it when the others arrive."""
    cached = CountingWaits(page)
    responses = []

    def reader():
        responses.append(cached(RequestFactory().get("/2026/03/01/")))

    first = threading.Thread(target=reader)
    first.start()
    assert page.started.wait(5)  # the first reader holds the lock and renders
    others = [threading.Thread(target=reader) for _ in range(7)]
    for thread in others:
        thread.start()
    for _ in others:  # each found the lock taken and waits, or rendered (a failure below)
        cached.waiting.acquire(timeout=5)
    page.release.set()
    for thread in [first, *others]:
        thread.join(10)
        assert not thread.is_alive()
    return responses


@pytest.fixture
def generation_seven(monkeypatch):
    monkeypatch.setattr(public_cache, "current", lambda: public_cache.Generations(7, 1, 1))


def test_concurrent_misses_render_the_page_once(generation_seven):
    page = SlowPage()
    responses = eight_readers(page)
    assert page.renders == 1
    assert sorted(r["X-Cache"] for r in responses) == ["hit"] * 7 + ["miss"]
    assert {r.content for r in responses} == {b"the page"}


def test_readers_waiting_for_a_page_that_is_not_kept_stop_waiting(generation_seven, monkeypatch):
    monkeypatch.setattr(middleware, "WAIT_SECONDS", 60)  # the threads would outlive join(10)
    page = SlowPage(status=404)
    responses = eight_readers(page)
    # The first one's 404 is not kept: the others see its lock go and render their own.
    assert page.renders == 8 and {r.status_code for r in responses} == {404}


def test_with_redis_down_a_miss_renders_at_once(settings, monkeypatch):
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    assert cache.get("anything") is None  # refused, and forgiven: no lock can be taken
    monkeypatch.setattr(public_cache, "current", lambda: public_cache.Generations(7, 1, 1))

    def no_waiting(*args):
        raise AssertionError("waited for a lock nobody can hold")

    monkeypatch.setattr(middleware.PublicPageCacheMiddleware, "wait_for", no_waiting)
    cached = middleware.PublicPageCacheMiddleware(lambda request: HttpResponse("the page"))
    response = cached(RequestFactory().get("/2026/03/01/"))
    assert (response.status_code, response["X-Cache"]) == (200, "miss")
