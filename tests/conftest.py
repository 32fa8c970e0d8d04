"""Shared fixtures: people on the desk, the reference sample, and a real browser."""

import datetime
import io
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer
from django.test.testcases import LiveServerThread
from hypothesis import settings as hypothesis_settings

from digests.roles import assign_role
from tests import factories

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "samples" / "briefing-2026-02-02.txt"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

# CI explores the same examples every run, so that a red build is reproducible;
# developers' runs draw new ones and keep failures in .hypothesis/.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if IN_CI else "dev")


class SerialWSGIServer(WSGIServer):
    """The browser tests' server, answering one request at a time.

    On SQLite the test database lives in memory and the live server's thread shares
    the test's one connection; the desk's pages send requests of their own while a
    person works (autosave, the presence heartbeat), and two at once on that
    connection fail ("bad parameter or other API misuse"). Served in turn, they
    can't. Between tests the server is *closed*: a request still arriving (a
    heartbeat sent just before its page closed) is dropped unanswered instead of
    touching the database while the test's tables are being flushed ("database
    table is locked"). PostgreSQL gives every thread its own connection and keeps
    Django's threaded server, closed between tests in the same way
    (``GatedThreadedWSGIServer``).
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy = threading.Lock()
        self.open = True

    def process_request(self, request, client_address):
        with self.busy:
            if not self.open:
                self.shutdown_request(request)
                return
            super().process_request(request, client_address)

    def close_for_test(self):
        """Refuse new requests and wait for the one being answered, if any."""
        self.open = False
        with self.busy:
            pass


class GatedThreadedWSGIServer(ThreadedWSGIServer):
    """Django's threaded test server, closed between tests like ``SerialWSGIServer``.

    On PostgreSQL a request still being answered when its test ends (an autosave
    sent as the page closed) holds its transaction's locks while the next flush
    truncates every table: the two deadlock, the flush fails and the next test
    starts on the last one's rows (CI, December 2026). The gate is kept around
    each request, not each connection, since a kept-alive connection may idle
    between requests: closed, the server answers 503 without reaching Django, and
    ``close_for_test`` waits for the requests under way to finish.
    """

    DRAIN_SECONDS = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open = True
        self.under_way = 0
        self.idle = threading.Condition()

    def get_app(self):
        application = super().get_app()

        def gated(environ, start_response):
            with self.idle:
                if not self.open:
                    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                    return [b"closed between tests"]
                self.under_way += 1
            try:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()  # request_finished: Django lets go of the connection
            finally:
                with self.idle:
                    self.under_way -= 1
                    self.idle.notify_all()

        return gated

    def close_for_test(self):
        """Refuse new requests and wait for those under way to end."""
        with self.idle:
            self.open = False
            if not self.idle.wait_for(lambda: self.under_way == 0, self.DRAIN_SECONDS):
                raise RuntimeError(
                    f"the live server still answers {self.under_way} request(s) "
                    f"{self.DRAIN_SECONDS} s after its test ended"
                )


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = SerialWSGIServer
else:
    LiveServerThread.server_class = GatedThreadedWSGIServer


def pytest_report_header(config):
    if CHROMIUM.exists():
        return f"browser tests: Chromium at {CHROMIUM}"
    if IN_CI:
        return f"browser tests: Chromium missing at {CHROMIUM}: they will FAIL (CI=true)"
    return f"browser tests: Chromium missing at {CHROMIUM}: they will be skipped"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, whether local memory or Redis."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A test that asked for English (a request under /en/, ``translation.override``
    left open) must not leave it active for the next test in the same worker, whose
    ``reverse()`` would then build /en/ addresses."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _quiet_live_server(request):
    """A browser test ends with its browsers closed and its server idle.

    The pages a test opened keep working after its last line (the desk's autosave and
    heartbeat); left open, they reach the server while the database is flushed for
    the next test, or after it. This fixture asks for the database first, so that
    it is torn down after us: every browser context is closed, then the server
    finishes the request it is answering and takes no more until the next test.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    server = request.getfixturevalue("live_server").thread.httpd
    server.open = True
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
    server.close_for_test()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NEWSROOM_STATE_DIR = tmp_path / "state"


@pytest.fixture
def sample_path():
    if not SAMPLE.exists():
        pytest.skip(f"the reference sample is not beside the project ({SAMPLE} is missing)")
    return SAMPLE


def _member(username, role):
    user = get_user_model().objects.create_user(
        username=username,
        password="pw-for-tests",
        email=f"{username}@newsroom.test",
        is_staff=True,
        is_superuser=role == "admin",
    )
    assign_role(user, role)
    return user


@pytest.fixture
def editor(db):
    return _member("editor", "editor")


@pytest.fixture
def other_editor(db):
    return _member("editor2", "editor")


@pytest.fixture
def reviewer(db):
    return _member("reviewer", "reviewer")


@pytest.fixture
def published_day(reviewer, django_capture_on_commit_callbacks):
    """A full digest for 2026-03-01, published by the reviewer (its after-commit work run)."""
    from digests import workflow
    from digests.models import Digest
    from tests import factories

    digest = factories.full_digest(date=datetime.date(2026, 3, 1), status=Digest.Status.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(digest, reviewer)
    return digest


@pytest.fixture(params=factories.UNPUBLISHED_STATES)
def secret(request, reviewer):
    """A digest readers must not see, once in each unpublished state, with words of its
    own (``factories.SECRET_WORDS``); a module may give its own ``SECRET_BRIEFING``."""
    text = getattr(request.module, "SECRET_BRIEFING", factories.SECRET_BRIEFING)
    return factories.unpublished(text, request.param, reviewer)


@pytest.fixture
def week(db):
    """The demo week, published as the desk would."""
    from digests.briefing import parse_text
    from digests.demo import demo_files
    from digests.importing import import_briefing

    return [import_briefing(parse_text(p.read_bytes()), publish=True) for p in demo_files()]


@pytest.fixture
def admin_user(db):
    return _member("chief", "admin")


# --- browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{message}; under CI a missing browser is a failure, not a skip")
        pytest.skip(f"{message}; browser tests skipped")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        yield chromium
        chromium.close()


def run_worker():
    """Run the queued background tasks once, as ``manage.py db_worker --batch`` would.

    The worker drops connections that are not in autocommit mode, which the test's
    own transaction never is; inside a test it keeps the connection.
    """
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def as_user(client, user):
    """The test client logged in as ``user``, asking for the desk in English."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def desk_login(browser, live_server, username, locale="zh-CN"):
    """A browser of its own, logged in to the desk as ``username`` (the members above)."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
