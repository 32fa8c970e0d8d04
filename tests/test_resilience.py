"""Readers and the desk when something fails: Redis down, the database down, a lost task,
a development address or missing static files in production."""

import datetime
import json
import logging
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from digests import checks, public_cache, workflow
from digests.management.commands.db_worker import Worker
from digests.models import Digest, DigestEvent
from newsroom.settings import redis_cache
from tests import factories

pytestmark = pytest.mark.django_db
S = Digest.Status
A = DigestEvent.Action
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: every connection is refused


@pytest.fixture
def day(published_day):
    return published_day


@pytest.fixture
def redis_down(settings):
    """The production cache settings, with a Redis that cannot be reached (a fresh connection)."""
    settings.CACHES = redis_cache(CLOSED_PORT)
    assert cache.get("anything", "default") == "default"  # refused, and forgiven


PUBLIC_PAGES = [
    "/",
    "/2026/03/01/",
    "/2026/03/01.json",
    "/2026/03/",
    "/archive/",
    "/items/",
    "/search/?q=标题",
    "/feeds/rss/",
    "/sitemap.xml",
    "/robots.txt",
]


# --- Redis down ---------------------------------------------------------------------------


def test_with_redis_down_pages_come_from_the_database_and_the_failure_is_logged(
    client, day, settings, caplog
):
    with caplog.at_level(logging.WARNING, logger="digests.cache"):
        settings.CACHES = redis_cache(CLOSED_PORT)
        for url in PUBLIC_PAGES:
            assert client.get(url).status_code == 200, url
    assert any("cache unavailable" in record.getMessage() for record in caplog.records)


def test_with_redis_down_the_desk_publishes_and_withdraws(
    client, reviewer, redis_down, django_capture_on_commit_callbacks
):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    client.force_login(reviewer)
    url = f"/admin/digests/digest/{digest.pk}/transition/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "publish/").status_code == 302
    client.logout()
    assert client.get("/2026/03/01/").status_code == 200
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "withdraw/", {"note": "事实有误"}).status_code == 302
    digest.refresh_from_db()
    assert digest.status == S.UNPUBLISHED
    client.logout()
    assert client.get("/2026/03/01/").status_code == 410


def test_a_withdrawal_reaches_readers_though_the_cache_failed_during_it(
    client, day, reviewer, settings, django_capture_on_commit_callbacks
):
    """The cache holds the day's page; the withdrawal happens while the cache is
    unreachable; when it is back, the page it holds must not be served."""
    assert client.get("/2026/03/01/")["X-Cache"] == "miss"
    assert client.get("/2026/03/01/")["X-Cache"] == "hit"
    working = settings.CACHES
    settings.CACHES = redis_cache(CLOSED_PORT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(day, reviewer, "事实有误")
    settings.CACHES = working  # the same cache, with the day's page still in it
    assert client.get("/2026/03/01/").status_code == 410
    assert "2026-03-01" not in client.get("/feeds/rss/").content.decode()


def test_after_a_failure_the_cache_is_left_alone_for_a_while(redis_down, caplog):
    client = cache._cache
    assert client.outage.skipping()
    with caplog.at_level(logging.WARNING, logger="digests.cache"):
        assert cache.get("page") is None and cache.set("page", 1) is None
        assert cache.get_many(["a", "b"]) == {} and cache.add("a", 1) is False
        with pytest.raises(ValueError):  # as for a key that is not kept
            cache.incr("a")
    assert not caplog.records  # skipped, not tried again (nor logged again)
    client.outage.until = 0  # the pause is over (it runs on the monotonic clock)
    assert not client.outage.skipping()
    with caplog.at_level(logging.WARNING, logger="digests.cache"):
        assert cache.get("page", "gone") == "gone"
    assert len(caplog.records) == 1


# --- /healthz -----------------------------------------------------------------------------


def health(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_health_reports_the_database_and_the_cache(client):
    assert health(client) == (200, {"database": "ok", "cache": "ok"})


def test_health_with_redis_down_is_200_with_the_cache_unavailable(client, redis_down):
    assert health(client) == (200, {"database": "ok", "cache": "unavailable"})


def test_health_with_the_database_down_is_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert health(client) == (503, {"database": "unavailable", "cache": "ok"})


# --- the worker publishes what is due ---------------------------------------------------------


def worker():
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_db_worker_is_newsrooms():
    assert get_commands()["db_worker"] == "digests"


# The worker closes the database connections it finds in a transaction, as in
# production: these tests run outside the usual per-test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_due_digest_whose_task_was_lost_exactly_once(
    client, reviewer, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        workflow.schedule(digest, reviewer, start + datetime.timedelta(hours=1))
    (task,) = DBTaskResult.objects.all()
    # A worker claimed the task, then was killed: it stays "running" for ever.
    task.claim("killed-worker")
    published = Digest.objects.filter(pk=digest.pk, status=S.PUBLISHED)
    with time_machine.travel(start + datetime.timedelta(minutes=59), tick=False):
        worker().cycle()
        assert not published.exists()  # not yet due
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
        worker().cycle()
        assert published.exists()
        worker().cycle()  # and again: nothing more happens
    assert DigestEvent.objects.filter(digest=digest, action=A.PUBLISH_SCHEDULED).count() == 1
    assert client.get("/2026/03/01/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_still_runs_the_tasks_that_are_ready(reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    when = timezone.now() - datetime.timedelta(minutes=1)
    Digest.objects.filter(pk=digest.pk).update(status=S.SCHEDULED, publish_at=when)
    from digests.tasks import publish_scheduled_digest

    result = publish_scheduled_digest.enqueue(digest_id=digest.pk, publish_at=when.isoformat())
    worker().cycle()
    result.refresh()
    # The cycle published the digest first; the task then found nothing left to do.
    assert (result.status, result.return_value) == ("SUCCESSFUL", "not scheduled for this time")
    assert DigestEvent.objects.filter(digest=digest, action=A.PUBLISH_SCHEDULED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_a_batch(reviewer):
    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=S.REVIEW)
    when = timezone.now() - datetime.timedelta(minutes=1)
    Digest.objects.filter(pk=digest.pk).update(status=S.SCHEDULED, publish_at=when)
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    digest.refresh_from_db()
    assert digest.status == S.PUBLISHED


# --- production settings: the site's address, static files ---------------------------------


@pytest.mark.parametrize(
    "url, ids",
    [
        ("http://127.0.0.1:8000", ["newsroom.W001"]),
        ("http://localhost", ["newsroom.W001"]),
        ("http://news.example.com", ["newsroom.W002"]),
        ("https://elsewhere.example.com", ["newsroom.W003"]),
        ("https://news.example.com", []),
    ],
)
def test_check_deploy_warns_about_the_sites_address(settings, url, ids):
    settings.NEWSROOM_SITE_URL = url
    settings.ALLOWED_HOSTS = ["news.example.com"]
    assert [message.id for message in checks.check_site_url(None)] == ids


def test_check_deploy_runs_the_newsroom_checks(settings):
    settings.NEWSROOM_SITE_URL = "http://127.0.0.1:8000"
    from django.core.checks import run_checks

    assert "newsroom.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    assert "newsroom.W001" not in [m.id for m in run_checks()]


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    return settings.STATIC_ROOT


def test_check_deploy_refuses_missing_static_files(manifest_storage):
    assert [m.id for m in checks.check_static_manifest(None)] == ["newsroom.E001"]
    call_command("collectstatic", "--noinput", verbosity=0)
    assert checks.check_static_manifest(None) == []
    manifest = manifest_storage / "staticfiles.json"
    stored = json.loads(manifest.read_text())
    del stored["paths"]["favicon.svg"]
    manifest.write_text(json.dumps(stored))
    (error,) = checks.check_static_manifest(None)
    assert error.id == "newsroom.E002" and "favicon.svg" in error.msg


def test_static_root_comes_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.STATIC_ROOT)"
    environment = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "STATIC_ROOT": str(tmp_path / "collected"),
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=environment,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == str(tmp_path / "collected")


def test_the_generation_is_read_from_the_database(day, reviewer):
    before = public_cache.read().public
    workflow.withdraw(day, reviewer, "事实有误")
    assert public_cache.read().public == before + 1
