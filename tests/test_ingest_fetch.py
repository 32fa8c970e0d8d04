"""Polling the sources' feeds, against a local HTTP server on 127.0.0.1 (never the internet).

The server serves the fixture feeds in tests/feeds/ and the misbehaving answers a
feed can give: slow, trickling, endless, looping, changing, unchanged (304). The
slow answers wait on an event that the fixture sets at teardown, so no thread
outlives its test; timeouts are made small in settings instead of waiting.
"""

import datetime
import io
import ssl
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from digests.ingest import fetch
from digests.models import Source
from digests.models.memory import Candidate
from tests import factories

FEEDS = Path(__file__).with_name("feeds")
NOW = datetime.datetime(2026, 2, 2, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai
MB = 1024 * 1024
FETCH_TASK = "digests.tasks.fetch_source"


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.release = threading.Event()  # set at teardown: slow answers give up
        self.requests = []  # (path, headers) of each request
        self.changing = "rss.xml"  # what /changing.xml serves now
        self.sent = 0  # bytes of the endless body sent

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def handle_error(self, request, client_address):
        """The fetcher hanging up early (a cap, a timeout) is what the tests want."""


class FeedHandler(BaseHTTPRequestHandler):
    ETAG = '"v1-rss"'
    MODIFIED = "Mon, 02 Feb 2026 00:00:00 GMT"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="application/rss+xml; charset=utf-8", **extra):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # one branch per kind of feed
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        path = self.path
        if path == "/rss.xml":
            if self.headers.get("If-None-Match") == self.ETAG:
                return self.send(304, ETag=self.ETAG)
            body = (FEEDS / "rss.xml").read_bytes()
            return self.send(200, body, ETag=self.ETAG, Last_Modified=self.MODIFIED)
        if path in ("/atom.xml", "/broken.xml", "/not-a-feed.html"):
            kind = "text/html" if path.endswith(".html") else "application/xml"
            return self.send(200, (FEEDS / path[1:]).read_bytes(), f"{kind}; charset=utf-8")
        if path == "/changing.xml":
            return self.send(200, (FEEDS / server.changing).read_bytes())
        if path == "/relative-atom":
            return self.redirect("/atom.xml")
        if path == "/missing.xml":
            return self.send(404, b"not here", "text/plain")
        if path == "/slow.xml":  # answers when the release comes
            server.release.wait(10)
            return self.send(200, (FEEDS / "rss.xml").read_bytes())
        if path == "/trickle.xml":  # a byte every 50 ms, each well within any socket timeout
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            for byte in (FEEDS / "rss.xml").read_bytes():
                if server.release.wait(0.05):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        if path in ("/huge.xml", "/huge-declared.xml"):  # 30 MB, streamed
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            if path == "/huge-declared.xml":
                self.send_header("Content-Length", str(30 * MB))
            self.end_headers()
            chunk = b"<!-- " + b"x" * (64 * 1024 - 9) + b" -->"
            for _ in range(30 * MB // len(chunk)):
                self.wfile.write(chunk)
                server.sent += len(chunk)
            return
        if path == "/loop-a":
            return self.redirect("/loop-b")
        if path == "/loop-b":
            return self.redirect(server.url("/loop-a"))
        if path.startswith("/hop/"):  # /hop/N → /hop/N-1 → … → /hop/0 → the feed
            left = int(path.rsplit("/", 1)[1])
            return self.redirect(f"/hop/{left - 1}" if left else "/rss.xml")
        if path == "/to-file":
            return self.redirect("file:///etc/passwd")
        if path == "/to-metadata":  # where a cloud machine's credentials are served
            return self.redirect("http://169.254.169.254/latest/meta-data/")
        return self.send(404, b"no such feed", "text/plain")


def serving(server):
    """Serve ``server`` in a thread for one test; slow answers give up at its end."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def feed_server():
    yield from serving(FeedServer())


@pytest.fixture
def tls_server():
    """The same server over TLS, with a certificate for "localhost" (tests/feeds, made
    with openssl for a hundred years) that no system trusts."""
    server = FeedServer()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(FEEDS / "localhost-cert.pem", FEEDS / "localhost-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from serving(server)


@pytest.fixture
def trusting(monkeypatch):
    """The fetcher trusting the test certificate, and verifying as it always does."""

    def tls():
        context = ssl.create_default_context(cafile=FEEDS / "localhost-cert.pem")
        context.set_alpn_protocols(["http/1.1"])
        return context

    monkeypatch.setattr(fetch, "_tls", tls)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _loopback_feeds(settings):
    """The feed server listens on loopback, which Newsroom refuses unless told."""
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True


def feed(server, path, name=None, **fields):
    return factories.source(name, feed_url=server.url(path), **fields)


def polled(source):
    """Poll, then the source as the database now has it."""
    summary = fetch.poll(source.pk)
    source.refresh_from_db()
    return summary, source


# --- feeds that work ----------------------------------------------------------------


def test_an_rss_feed_becomes_candidates(db, feed_server, clock):
    source = feed(feed_server, "/rss.xml", "鼎鉴乾坤")
    summary, source = polled(source)
    assert summary == "3 entries, 3 new, 0 near-duplicates"
    assert source.last_result == summary
    assert source.last_polled_at == source.last_success_at == NOW
    assert (source.consecutive_failures, source.last_error) == (0, "")
    assert source.next_poll_at == NOW + datetime.timedelta(minutes=60)
    assert (source.feed_etag, source.feed_modified) == (FeedHandler.ETAG, FeedHandler.MODIFIED)
    first = Candidate.objects.get(guid="tech-example-20260202-001")
    assert first.source == source
    assert first.title == "6G通信：太赫兹通信速率达100Gbps"
    assert first.link == "https://tech.example.cn/news/6g-thz.html"  # utm_* removed
    assert "<" not in first.summary and "“太赫兹通信”技术实现100Gbps" in first.summary
    assert first.published_at == datetime.datetime(2026, 2, 1, 23, 30, tzinfo=datetime.UTC)
    _path, headers = feed_server.requests[0]
    assert headers["User-Agent"].startswith("Newsroom/")
    assert "If-None-Match" not in headers  # nothing to be conditional on yet


def test_an_atom_feed_after_a_redirect_resolves_relative_links(db, feed_server, clock):
    source = feed(feed_server, "/relative-atom")
    summary, source = polled(source)
    assert summary == "2 entries, 2 new, 0 near-duplicates"
    scale = Candidate.objects.get(guid="tag:blog.example.org,2026:ai-industry-scale")
    assert scale.link == "https://blog.example.org/posts/2026/ai-industry-scale/"  # xml:base
    assert scale.title == "中国AI产业规模突破1.2万亿元"  # type="html": the <em> is gone
    undated_published = Candidate.objects.get(guid="tag:blog.example.org,2026:perseverance")
    # No <published>: its <updated> time.
    assert undated_published.published_at == datetime.datetime(2026, 2, 1, 14, tzinfo=datetime.UTC)


def test_a_feed_answering_304_to_the_conditional_get(db, feed_server, clock):
    source = feed(feed_server, "/rss.xml")
    polled(source)
    clock.shift(datetime.timedelta(hours=1))
    summary, source = polled(source)
    _path, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == FeedHandler.ETAG
    assert headers["If-Modified-Since"] == FeedHandler.MODIFIED
    assert summary == "not modified"
    assert source.last_success_at == timezone.now()
    assert source.feed_etag == FeedHandler.ETAG  # the 304 repeated it; kept
    assert source.feed_modified == FeedHandler.MODIFIED  # the 304 left it out; kept
    assert Candidate.objects.count() == 3


def test_a_feed_that_changes_between_polls(db, feed_server, clock):
    source = feed(feed_server, "/changing.xml")
    assert polled(source)[0] == "3 entries, 3 new, 0 near-duplicates"
    feed_server.changing = "rss-more.xml"  # two more entries; an old one's tracking changed
    clock.shift(datetime.timedelta(hours=1))
    assert polled(source)[0] == "5 entries, 2 new, 0 near-duplicates"
    assert Candidate.objects.count() == 5
    assert Candidate.objects.filter(link__contains="6g-thz").count() == 1
    venus = Candidate.objects.get(guid="tech-example-20260202-005")
    assert venus.link == "https://tech.example.cn/news/venustech-ai.html?id=42"  # from= gone


def test_the_same_story_address_from_two_sources_is_one_candidate(db, feed_server, clock):
    first, second = feed(feed_server, "/rss.xml"), feed(feed_server, "/changing.xml")
    polled(first)
    assert polled(second)[0] == "3 entries, 0 new, 0 near-duplicates"
    assert set(Candidate.objects.values_list("source", flat=True)) == {first.pk}


def test_a_partly_broken_feed_keeps_what_parsed(db, feed_server, clock):
    summary, source = polled(feed(feed_server, "/broken.xml"))
    assert summary == "2 entries, 2 new, 0 near-duplicates"
    assert source.consecutive_failures == 0
    assert Candidate.objects.get(title="可灵AI推出3.0系列模型").summary == ""


# --- feeds that fail ----------------------------------------------------------------


def assert_failed(source, error, *, failures=1, poll_minutes=60):
    assert source.last_error == error
    assert source.last_error_at == source.last_polled_at == NOW
    assert source.last_success_at is None
    assert source.consecutive_failures == failures
    wait = min(poll_minutes * 2**failures, max(poll_minutes, 24 * 60))
    assert source.next_poll_at == NOW + datetime.timedelta(minutes=wait)


def test_garbage_is_not_a_feed(db, feed_server, clock):
    summary, source = polled(feed(feed_server, "/not-a-feed.html"))
    assert summary.startswith("failed: not a feed: ")
    assert source.last_error.startswith("not a feed: ")
    assert_failed(source, source.last_error)
    assert not Candidate.objects.exists()


def test_an_http_error(db, feed_server, clock):
    summary, source = polled(feed(feed_server, "/missing.xml"))
    assert summary == "failed: HTTP 404 Not Found"
    assert_failed(source, "HTTP 404 Not Found")


def test_a_server_that_answers_after_the_timeout(db, feed_server, clock, settings):
    settings.NEWSROOM_FEED_TIMEOUT_SECONDS = 0.3
    started = time.monotonic()
    _summary, source = polled(feed(feed_server, "/slow.xml"))
    assert time.monotonic() - started < 2
    assert_failed(source, "timed out after 0.3 s")


def test_a_server_that_trickles_is_cut_off_at_the_timeout(db, feed_server, clock, settings):
    """Every byte comes within any socket timeout; the whole answer would take 100 s."""
    settings.NEWSROOM_FEED_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    _summary, source = polled(feed(feed_server, "/trickle.xml"))
    assert time.monotonic() - started < 2
    assert_failed(source, "timed out after 0.5 s")
    assert not Candidate.objects.exists()  # not the part that came


@pytest.mark.parametrize("path", ["/huge.xml", "/huge-declared.xml"])
def test_a_30_mb_body_is_refused_at_the_cap_without_holding_it(db, feed_server, clock, path):
    tracemalloc.start()
    try:
        _summary, source = polled(feed(feed_server, path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_failed(source, "larger than 5 MB")  # NEWSROOM_FEED_MAX_BYTES, 5 MiB
    assert peak < 12 * MB  # the cap and a chunk, not the 30 MB
    if path == "/huge-declared.xml":
        assert feed_server.sent < 30 * MB


def test_a_redirect_loop_is_an_error(db, feed_server, clock):
    _summary, source = polled(feed(feed_server, "/loop-a"))
    assert_failed(source, f"redirect loop at {feed_server.url('/loop-a')}")


def test_redirects_are_followed_up_to_the_limit(db, feed_server, clock, settings):
    settings.NEWSROOM_FEED_MAX_REDIRECTS = 3
    assert polled(feed(feed_server, "/hop/2"))[0].startswith("3 entries")  # 3 redirects
    _summary, source = polled(feed(feed_server, "/hop/3"))  # 4 redirects
    assert_failed(source, "more than 3 redirects")


def test_a_redirect_to_a_file_is_an_error(db, feed_server, clock):
    _summary, source = polled(feed(feed_server, "/to-file"))
    assert_failed(source, "redirected to an address that is not http(s): file:///etc/passwd")


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/rss.xml",
        "http://localhost:{port}/rss.xml",
        "http://[::1]:{port}/rss.xml",
        "http://[::ffff:127.0.0.1]:{port}/rss.xml",
        "http://10.1.2.3/rss.xml",
        "http://192.168.0.1/rss.xml",
        "http://100.64.0.1/rss.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:{port}/rss.xml",
        "http://224.0.0.1/rss.xml",
    ],
)
def test_a_feed_on_a_private_or_local_address_is_refused_before_connecting(
    db, feed_server, clock, settings, address
):
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = False
    url = address.format(port=feed_server.server_port)
    _summary, source = polled(factories.source(feed_url=url))
    assert source.last_error.endswith("Newsroom reads feeds from public addresses only")
    assert source.consecutive_failures == 1
    assert feed_server.requests == []


def test_a_redirect_to_a_private_address_is_refused(db, feed_server, clock, settings, monkeypatch):
    """Every hop is checked: a public feed may not redirect the worker inward."""
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = False
    # The feed server stands in for a public host: its own address passes the check.
    monkeypatch.setattr(fetch, "_public", lambda address: address == "127.0.0.1")
    _summary, source = polled(feed(feed_server, "/to-metadata"))
    assert [path for path, _headers in feed_server.requests] == ["/to-metadata"]
    assert_failed(
        source,
        "169.254.169.254 is a private or local address (169.254.169.254): "
        "Newsroom reads feeds from public addresses only",
    )


def test_a_public_address_passes_the_check():
    assert fetch._public("93.184.215.14")
    assert fetch._public("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert not fetch._public("fe80::1%eth0")
    assert not fetch._public("fd00::1")


def test_https_names_the_host_while_connecting_to_its_checked_address(
    db, tls_server, trusting, clock
):
    """TLS checks the certificate against the host's name, not the address dialled."""
    port = tls_server.server_address[1]
    summary, source = polled(factories.source(feed_url=f"https://localhost:{port}/rss.xml"))
    assert summary == "3 entries, 3 new, 0 near-duplicates", source.last_error
    (_path, headers), *_ = tls_server.requests
    assert headers["Host"] == f"localhost:{port}"

    _summary, by_address = polled(factories.source(feed_url=f"https://127.0.0.1:{port}/rss.xml"))
    assert by_address.last_error.startswith("TLS error:")
    assert "IP address mismatch" in by_address.last_error


def test_https_refuses_a_certificate_no_one_vouches_for(db, tls_server, clock):
    port = tls_server.server_address[1]
    _summary, source = polled(factories.source(feed_url=f"https://localhost:{port}/rss.xml"))
    assert source.last_error.startswith("TLS error:")
    assert "CERTIFICATE_VERIFY_FAILED" in source.last_error
    assert tls_server.requests == []


def test_a_name_with_an_address_that_refuses_tries_the_next(db, feed_server, clock, monkeypatch):
    """Like ``socket.create_connection``: a name's addresses in turn (all of them checked)."""
    port = feed_server.server_address[1]
    real = fetch.socket.getaddrinfo

    def two_addresses(host, *args, **kwargs):
        if host == "feeds.example":  # first an address where nothing listens
            return real("::1", *args, **kwargs) + real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", two_addresses)
    summary, source = polled(factories.source(feed_url=f"http://feeds.example:{port}/rss.xml"))
    assert summary == "3 entries, 3 new, 0 near-duplicates", source.last_error
    (_path, headers), *_ = feed_server.requests
    assert headers["Host"] == f"feeds.example:{port}"


def test_an_address_with_an_impossible_port_is_an_error(db, clock):
    _summary, source = polled(factories.source(feed_url="http://127.0.0.1:99999/feed.xml"))
    assert_failed(source, "not a valid address: http://127.0.0.1:99999/feed.xml")


def test_a_closed_port_is_an_error(db, clock):
    _summary, source = polled(factories.source(feed_url="http://127.0.0.1:9/feed.xml"))
    assert_failed(source, "connection refused")


def test_failures_back_off_to_a_day_and_a_success_resets_them(db, feed_server, clock):
    source = feed(feed_server, "/missing.xml", poll_minutes=120)
    for failures in range(1, 6):
        _summary, source = polled(source)
        assert_failed(source, "HTTP 404 Not Found", failures=failures, poll_minutes=120)
    assert source.next_poll_at == NOW + datetime.timedelta(days=1)  # 120 × 2⁵ capped
    Source.objects.filter(pk=source.pk).update(feed_url=feed_server.url("/rss.xml"))
    source.refresh_from_db()
    _summary, source = polled(source)
    assert source.consecutive_failures == 0
    assert source.last_error == "HTTP 404 Not Found"  # kept, with its time, for the record
    assert source.next_poll_at == NOW + datetime.timedelta(minutes=120)


def test_a_source_without_a_feed_or_gone_is_skipped(db):
    source = factories.source()
    assert fetch.poll(source.pk) == "no feed address"
    assert fetch.poll(source.pk + 1000) == "no such source"
    source.refresh_from_db()
    assert source.last_polled_at is None


def test_a_database_error_saving_the_entries_is_the_feeds_failure(db, feed_server, clock):
    from django.db import OperationalError

    source = feed(feed_server, "/rss.xml")
    with mock.patch("digests.ingest.candidates.store", side_effect=OperationalError("locked")):
        _summary, source = polled(source)
    assert_failed(source, "could not save the entries: locked")
    assert source.feed_etag == ""  # the next poll asks for the whole feed again


# --- the command --------------------------------------------------------------------


def run_command(*args):
    out = io.StringIO()
    call_command("fetch_sources", *args, stdout=out)
    return out.getvalue()


def test_fetch_sources_polls_every_feed_and_a_broken_one_stops_none(db, feed_server, clock):
    feed(feed_server, "/missing.xml", "A 坏掉的源", slug="broken")
    feed(feed_server, "/rss.xml", "B 鼎鉴乾坤", slug="dingjian")
    feed(feed_server, "/atom.xml", "C 辉和辉的AI学习", slug="huihe")
    factories.source("D 没有订阅源")  # no feed: not polled
    feed(feed_server, "/atom.xml", "E 停用的源", slug="inactive", is_active=False)
    output = run_command()
    assert output.splitlines() == [
        "broken: failed: HTTP 404 Not Found",
        "dingjian: 3 entries, 3 new, 0 near-duplicates",
        "huihe: 2 entries, 2 new, 0 near-duplicates",
        "3 feeds polled, 1 failed, 5 new candidates.",
    ]


def test_fetch_sources_for_one_source(db, feed_server, clock):
    feed(feed_server, "/rss.xml", slug="dingjian")
    feed(feed_server, "/atom.xml", slug="huihe", is_active=False)  # asked for: polled
    assert run_command("--source", "huihe").splitlines() == [
        "huihe: 2 entries, 2 new, 0 near-duplicates",
        "1 feeds polled, 0 failed, 2 new candidates.",
    ]
    assert len(feed_server.requests) == 1


def test_fetch_sources_refuses_an_unknown_slug_or_a_source_without_a_feed(db):
    factories.source("新华网", slug="xinhua")
    with pytest.raises(CommandError, match="No source has the slug “nope”"):
        run_command("--source", "nope")
    with pytest.raises(CommandError, match="has no feed address"):
        run_command("--source", "xinhua")


# --- the worker ---------------------------------------------------------------------


def a_worker():
    from digests.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )


def queued_polls():
    return sorted(
        DBTaskResult.objects.filter(task_path=FETCH_TASK).values_list("args_kwargs", flat=True),
        key=str,
    )


def test_the_worker_queues_each_due_source_once(db, clock):
    due = factories.source(feed_url="http://127.0.0.1:9/a", next_poll_at=NOW)
    never_polled = factories.source(feed_url="http://127.0.0.1:9/b")
    later = NOW + datetime.timedelta(minutes=1)
    factories.source(feed_url="http://127.0.0.1:9/c", next_poll_at=later)
    factories.source(feed_url="http://127.0.0.1:9/d", is_active=False)
    factories.source(next_poll_at=None)  # no feed
    worker = a_worker()
    worker.poll_feeds()
    worker.poll_feeds()  # the next cycle: nothing is due again
    assert queued_polls() == sorted(
        [{"args": [due.pk], "kwargs": {}}, {"args": [never_polled.pk], "kwargs": {}}], key=str
    )
    due.refresh_from_db()
    assert due.next_poll_at == NOW + datetime.timedelta(minutes=60)  # moved on when queued
    clock.shift(datetime.timedelta(minutes=1))
    assert fetch.queue_due() == 1  # the third is due now


def test_the_worker_prunes_hourly_and_survives_a_database_error(db, clock, caplog):
    from django.db import OperationalError

    worker = a_worker()
    with mock.patch("digests.ingest.candidates.prune", return_value=0) as prune:
        worker.poll_feeds()
        worker.poll_feeds()
        assert prune.call_count == 1
        worker._pruned_at -= worker.prune_every
        worker.poll_feeds()
        assert prune.call_count == 2
    with mock.patch.object(fetch, "queue_due", side_effect=OperationalError("gone")):
        worker.poll_feeds()
    assert "queuing the feeds' polls failed" in caplog.text


def test_the_worker_polls_the_due_feeds_in_its_round(db, feed_server, clock):
    from tests.conftest import run_worker

    feed(feed_server, "/missing.xml", "坏掉的源")
    good = feed(feed_server, "/rss.xml", "鼎鉴乾坤")
    run_worker()
    assert Candidate.objects.filter(source=good).count() == 3
    assert Source.objects.get(name="坏掉的源").consecutive_failures == 1
    assert not DBTaskResult.objects.filter(task_path=FETCH_TASK, status="READY").exists()


# --- the admin ----------------------------------------------------------------------


@pytest.fixture
def desk(client, admin_user):
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize("sources", [2, 20])
def test_the_source_list_shows_the_feed_state(desk, django_assert_num_queries, sources):
    for n in range(sources - 1):
        factories.source(feed_url=f"https://feeds.example.cn/{n}.xml", last_success_at=NOW)
    factories.source(
        "坏掉的源",
        feed_url="https://broken.example.cn/rss",
        consecutive_failures=3,
        last_error="timed out after 10 s " + "and more words " * 10,
        next_poll_at=NOW,
    )
    # session, user, count, total count, the page of sources with item counts (a
    # subquery), the review count in the header: as many for 2 sources as for 20
    with django_assert_num_queries(6):
        response = desk.get("/admin/digests/source/")
    html = response.content.decode()
    assert html.count('class="feed-state feed-failing"') == 1
    assert html.count('class="feed-state feed-ok"') == sources - 1
    assert 'class="feed-error" title="timed out after 10 s and more words' in html
    with django_assert_num_queries(6):
        response = desk.get("/admin/digests/source/", {"feed": "failing"})
    assert [s.name for s in response.context["cl"].result_list] == ["坏掉的源"]


def test_poll_now_queues_the_selected_feeds(desk):
    with_feed = factories.source(feed_url="https://feeds.example.cn/a.xml")
    without = factories.source()
    response = desk.post(
        "/admin/digests/source/",
        {"action": "poll_now", "_selected_action": [with_feed.pk, without.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert queued_polls() == [{"args": [with_feed.pk], "kwargs": {}}]
    assert "The poll of 1 feed is queued" in response.content.decode()


def test_poll_now_needs_the_change_permission(client, db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(viewer)
    source = factories.source(feed_url="https://feeds.example.cn/a.xml")
    response = client.get("/admin/digests/source/")
    assert response.status_code == 200
    assert "poll_now" not in response.content.decode()
    client.post("/admin/digests/source/", {"action": "poll_now", "_selected_action": [source.pk]})
    assert queued_polls() == []


def test_changing_the_feed_address_forgets_the_old_feeds_state(desk):
    source = factories.source(
        "鼎鉴乾坤",
        feed_url="https://old.example.cn/rss",
        feed_etag='"old"',
        consecutive_failures=4,
        last_error="HTTP 410 Gone",
        next_poll_at=NOW + datetime.timedelta(days=1),
    )
    url = f"/admin/digests/source/{source.pk}/change/"
    response = desk.get(url)
    assert 'name="feed_url"' in response.content.decode()
    assert 'name="consecutive_failures"' not in response.content.decode()  # read-only
    response = desk.post(
        url,
        {
            "name": "鼎鉴乾坤",
            "slug": source.slug,
            "kind": "media",
            "feed_url": "https://new.example.cn/feed",
            "poll_minutes": "30",
            "is_active": "on",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    source.refresh_from_db()
    assert (source.feed_url, source.poll_minutes) == ("https://new.example.cn/feed", 30)
    assert (source.feed_etag, source.consecutive_failures, source.last_error) == ("", 0, "")
    assert source.next_poll_at is None  # polled at the worker's next cycle
