"""The public page cache: hits, invalidation on publish, withdraw and correct, and 304s."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from digests import middleware, public_cache, workflow
from digests.models import Digest, PublicCounter
from tests import factories
from tests.formdata import form_data

pytestmark = pytest.mark.django_db
S = Digest.Status


@pytest.fixture
def day(published_day):
    return published_day


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_second_visit_is_served_from_the_cache_without_queries(client, day, settings):
    # As in production: the generation is read at most once a second per process.
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 60
    public_cache.forget()
    first, first_queries = get(client, "/2026/03/01/")
    second, second_queries = get(client, "/2026/03/01/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first_queries > 0 and second_queries == 0
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
    assert "Accept-Language" not in second.get("Vary", "") and "Cookie" not in second.get(
        "Vary", ""
    )


@pytest.fixture
def immediate(settings):
    """Tasks run as they are queued, as if the worker took them at once."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# The worker refreshes pages under the site's canonical address (NEWSROOM_SITE_URL).
CANONICAL = {"headers": {"host": "127.0.0.1:8000"}}


def refreshed():
    """What a reader's first request after a change answers: with a shared cache (Redis)
    the worker has refreshed the page; a per-process one the reader refreshes itself."""
    return "hit" if middleware.shared_cache() else "refresh"


def test_publishing_another_day_updates_the_home_page(
    client, day, reviewer, immediate, django_capture_on_commit_callbacks
):
    assert "2026-03-01" in client.get("/", **CANONICAL).content.decode()
    later = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(later, reviewer)
    response = client.get("/", **CANONICAL)
    assert response["X-Cache"] == refreshed()
    assert '<time datetime="2026-03-02" class="digest-date">' in response.content.decode()
    assert client.get("/", **CANONICAL)["X-Cache"] == "hit"


def test_withdrawn_day_disappears_at_once(
    client, day, reviewer, django_capture_on_commit_callbacks
):
    assert client.get("/2026/03/01/").status_code == 200
    assert client.get("/2026/03/01/")["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(day, reviewer, "来源有误")
    assert client.get("/2026/03/01/").status_code == 410  # gone, with a notice
    assert "2026-03-01" not in client.get("/feeds/rss/").content.decode()


def test_correction_shows_at_once(
    client, day, reviewer, immediate, django_capture_on_commit_callbacks
):
    client.get("/2026/03/01/", **CANONICAL)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(day.items.first(), reviewer, "更正后的数字是42。")
    response = client.get("/2026/03/01/", **CANONICAL)
    assert response["X-Cache"] == refreshed() and "更正后的数字是42。" in response.content.decode()


def test_etag_and_last_modified_answer_conditional_requests(client, day):
    first = client.get("/2026/03/01/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert client.get("/2026/03/01/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/2026/03/01/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get("/2026/03/01/", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # The first, uncached, answer is conditional too.
    client.get("/2026/03/01/", HTTP_IF_NONE_MATCH='"warm"')
    from django.core.cache import cache

    cache.clear()
    assert client.get("/2026/03/01/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_signed_in_desk_members_are_never_served_from_the_cache(client, day, editor):
    client.get("/2026/03/01/")
    client.force_login(editor)
    response = client.get("/2026/03/01/")
    assert "X-Cache" not in response


@pytest.mark.parametrize("path", ["/admin/", "/healthz"])
def test_desk_and_health_pages_are_not_cached(client, day, path):
    response = client.get(path)
    assert "X-Cache" not in response


def test_share_preview_is_never_cached(client, editor):
    from digests.models import PreviewLink
    from digests.preview import share_url

    draft = factories.full_digest(status=S.DRAFT)
    link = PreviewLink.objects.create(
        digest=draft, created_by=editor, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    response = client.get(share_url(link))
    assert "X-Cache" not in response and "no-store" in response["Cache-Control"]


def test_not_found_pages_are_not_cached(client, day):
    assert client.get("/2026/03/09/").status_code == 404
    assert "X-Cache" not in client.get("/2026/03/09/")


def test_cache_can_be_switched_off(client, day, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    client.get("/2026/03/01/")
    assert "X-Cache" not in client.get("/2026/03/01/")


# --- day pages kept by what they show ------------------------------------------------------


@pytest.fixture
def page_cache_off(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


def test_a_day_page_is_rebuilt_only_when_what_it_shows_changes(client, day, page_cache_off):
    first, first_queries = get(client, "/2026/03/01/")
    again, again_queries = get(client, "/2026/03/01/")
    # Kept: one query, the digest's id and version with the days before and after
    # (fragments.day_state), to know the page is still the same. Rendered: that one,
    # then the digest (with the days around it in subqueries), items, tags,
    # corrections, the analysis, its paragraphs, the trend summary, its points, the
    # items' story links, the digest's numeric claims. Each also reads the public
    # counters (once a second in production, every time in tests).
    assert (first_queries, again_queries) == (1 + 10 + 1, 1 + 1)
    assert again.content == first.content
    assert again["Last-Modified"] == first["Last-Modified"]


def test_publishing_the_next_day_rebuilds_the_page_with_its_link(
    client, day, reviewer, page_cache_off, django_capture_on_commit_callbacks
):
    assert 'rel="next"' not in client.get("/2026/03/01/").content.decode()
    later = factories.full_digest(date=datetime.date(2026, 3, 2), status=S.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(later, reviewer)
    assert 'rel="next" href="/2026/03/02/"' in client.get("/2026/03/01/").content.decode()


def test_a_correction_rebuilds_the_page(
    client, day, reviewer, page_cache_off, django_capture_on_commit_callbacks
):
    client.get("/2026/03/01/")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(day.items.first(), reviewer, "第二处更正。")
    assert "第二处更正。" in client.get("/2026/03/01/").content.decode()


def test_renaming_a_section_rebuilds_every_day_page(
    client, day, admin_user, page_cache_off, django_capture_on_commit_callbacks
):
    section = day.items.first().category
    client.get("/2026/03/01/")
    client.force_login(admin_user)
    url = f"/admin/digests/category/{section.pk}/change/"
    data = form_data(client.get(url).content, form_id="category_form")  # as a browser would
    data["name"] = "新栏目名"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    client.logout()
    assert "新栏目名" in client.get("/2026/03/01/").content.decode()


def test_previews_are_never_kept_or_served_from_kept_pages(client, editor, reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 3, 5), status=S.REVIEW)
    client.force_login(editor)
    url = f"/admin/digests/digest/{digest.pk}/preview/"
    assert "Preview" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    workflow.publish(digest, reviewer)
    client.logout()
    page = client.get("/2026/03/05/").content.decode()
    assert "Preview" not in page and "preview-banner" not in page
    assert 'class="permalink"' in page  # the public page, not the preview


def test_the_generation_is_raised_with_the_change_and_only_if_it_commits(reviewer):
    """The counters live in the database: every process sees them, whatever the cache."""
    from django.core.cache import cache
    from django.db import transaction

    before = public_cache.read()
    with pytest.raises(RuntimeError), transaction.atomic():
        public_cache.changed(names=True)
        raise RuntimeError("the change failed")
    assert public_cache.read() == before
    public_cache.changed()
    cache.clear()  # what another worker process holds: nothing of this one's cache
    assert public_cache.read() == (before.public + 1, before.names, before.floor)
    public_cache.changed(names=True)
    assert public_cache.read() == (before.public + 2, before.names + 1, before.floor)
    public_cache.changed(removes=True)  # a withdrawal: the floor rises to the new generation
    assert public_cache.read() == (before.public + 3, before.names + 1, before.public + 3)


def test_with_a_shared_cache_workers_keep_recent_pages_and_check_the_generation_each_second(
    client, day, settings, monkeypatch
):
    from digests import middleware

    monkeypatch.setattr(middleware, "shared_cache", lambda: True)
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 60
    public_cache.forget()
    assert client.get("/2026/03/01/")["X-Cache"] == "miss"
    PublicCounter.objects.filter(name=public_cache.PUBLIC).update(value=F("value") + 1)
    # Within the check interval this worker has not seen the new generation yet.
    assert client.get("/2026/03/01/")["X-Cache"] == "hit"
    settings.NEWSROOM_GENERATION_CHECK_SECONDS = 0
    assert client.get("/2026/03/01/")["X-Cache"] == "stale"  # and its refresh is queued


def test_recent_pages_are_bounded():
    from digests.middleware import RecentPages

    recent = RecentPages(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # a is now the most recent
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)


# --- hosts ---------------------------------------------------------------------------------


def test_a_cached_page_is_refused_to_a_host_not_allowed(client, day):
    assert client.get("/2026/03/01/")["X-Cache"] == "miss"
    assert client.get("/2026/03/01/")["X-Cache"] == "hit"
    assert client.get("/2026/03/01/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/feeds/rss/", HTTP_HOST="evil.example").status_code == 400


def test_pages_are_cached_per_host(client, day, settings):
    settings.ALLOWED_HOSTS = ["news.example.com", "www.news.example.com"]
    for host in settings.ALLOWED_HOSTS:
        assert client.get("/feeds/rss/", HTTP_HOST=host)["X-Cache"] == "miss", host
        assert client.get("/feeds/rss/", HTTP_HOST=host)["X-Cache"] == "hit", host
