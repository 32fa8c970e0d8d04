"""One poll of one source's feed, and the source's feed state.

A feed is outside text from a server Newsroom does not control, read by the same
worker that publishes digests and sends mail. So every poll is bounded:

- ``NEWSROOM_FEED_TIMEOUT_SECONDS`` for the whole exchange, not per socket read: a
  watchdog cuts the connection when it runs out, so a server that trickles a byte a
  second holds the worker no longer than one that never answers;
- ``NEWSROOM_FEED_MAX_BYTES`` read at most, in chunks (a longer body is an error,
  refused up front when its Content-Length says so);
- ``NEWSROOM_FEED_MAX_REDIRECTS`` redirects, to http(s) addresses only, never in a
  loop;
- public addresses only, at every hop: a feed address (or a redirect) naming a host
  on the loopback, a private or link-local network (a cloud's metadata service at
  169.254.169.254, the database next door) is refused before any connection, and the
  connection goes to the addresses that were checked, so a name that resolves
  differently a moment later can't slip past. ``NEWSROOM_FEED_ALLOW_PRIVATE`` lifts
  this for a desk whose feeds live on its own network (and for the tests, whose
  feed server listens on loopback).

A poll asks with the ``ETag`` and ``Last-Modified`` of the last answer, so an
unchanged feed costs a 304. Its outcome is written to the source in one UPDATE:
success (and what it found) or the error in a few words, the failures in a row,
and the next poll's time, which backs off after failures (doubling per failure,
at most a day, never sooner than the source's own interval). One source's
failure is its own: ``poll`` returns a summary and raises nothing but a
programming error.
"""

import contextlib
import dataclasses
import datetime
import http.client
import io
import ipaddress
import logging
import socket
import ssl
import threading
import time
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from digests.ingest import candidates
from digests.models import Source

log = logging.getLogger(__name__)

USER_AGENT = "Newsroom/1.0 (feed reader of a news desk; +https://github.com/newsroom)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
CHUNK = 64 * 1024  # bytes per read
REDIRECTS = {301, 302, 303, 307, 308}
BACKOFF_CAP_MINUTES = 24 * 60  # after failures, the wait grows to a day at most
ERROR_CHARS = 300  # the error kept on the source (the admin shortens it further)
# Feed polls run after mail and page refreshes when the worker has both waiting.
FETCH_PRIORITY = -10


class FeedError(Exception):
    """The feed could not be read; the message says why, in a few words, for the desk."""


@dataclasses.dataclass
class Download:
    url: str  # after redirects
    status: int
    body: bytes = b""
    etag: str = ""
    modified: str = ""
    content_type: str = ""


@dataclasses.dataclass
class Outcome:
    ok: bool
    message: str
    new: int = 0

    def __str__(self):
        return self.message if self.ok else _("failed: %(error)s") % {"error": self.message}


def _seconds(value):
    return f"{value:g}"


def _megabytes(size):
    return f"{size / (1024 * 1024):g}"


class _Deadline:
    """The time left for one poll, and a watchdog that cuts a connection when it is up."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False

    def remaining(self):
        left = self.at - time.monotonic()
        if left <= 0:
            self.expired = True
            raise FeedError(self.message())
        return left

    def message(self):
        return _("timed out after %(seconds)s s") % {"seconds": _seconds(self.seconds)}

    def watch(self, sock):
        """A started timer that shuts ``sock`` down at the deadline (cancel it when done)."""

        def cut():
            self.expired = True
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also for TLS: it wakes a blocked read.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(max(self.at - time.monotonic(), 0), cut)
        timer.daemon = True
        timer.start()
        return timer


def _http_url(url, *, redirected):
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port out of range or not a number raises ValueError)
    except ValueError as error:
        raise FeedError(_("not a valid address: %(url)s") % {"url": url[:200]}) from error
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        if redirected:
            raise FeedError(
                _("redirected to an address that is not http(s): %(url)s") % {"url": url[:200]}
            )
        raise FeedError(_("the feed address is not http(s): %(url)s") % {"url": url[:200]})
    return parts


def _public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone is not the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host, port, deadline):
    """The addresses of ``host`` this poll may connect to, each checked to be public.

    Every address the name resolves to must be public, not only the one used: a name
    may list a public address beside a private one.
    """
    deadline.remaining()
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FeedError(_("host not found: %(host)s") % {"host": host}) from error
    addresses = [info[4][0] for info in found]
    if not settings.NEWSROOM_FEED_ALLOW_PRIVATE:
        for address in addresses:
            if not _public(address):
                raise FeedError(
                    _(
                        "%(host)s is a private or local address (%(address)s): "
                        "Newsroom reads feeds from public addresses only"
                    )
                    % {"host": host, "address": address}
                )
    return list(dict.fromkeys(addresses))  # in the resolver's order, once each


def _tls():
    """Certificates and host names verified, HTTP/1.1 offered (as ``HTTPSConnection`` does)."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


class _Connection(http.client.HTTPConnection):
    """HTTP(S) to the host's addresses that were checked, tried in turn (as
    ``socket.create_connection`` tries a name's); the Host header and TLS (its
    server name and certificate) still name the host."""

    def __init__(self, host, port, addresses, *, tls, timeout):
        super().__init__(host, port, timeout=timeout)
        self.addresses, self.tls = addresses, tls

    def connect(self):
        failure = OSError("no address to connect to")
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as error:
                failure = error
        else:
            raise failure
        if self.tls:
            try:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


def _read_body(response, limit):
    """The body, read in chunks, refused as soon as it passes ``limit`` bytes."""
    too_large = FeedError(_("larger than %(size)s MB") % {"size": _megabytes(limit)})
    length = response.getheader("Content-Length", "")
    if length.strip().isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    while chunk := response.read1(CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _get(parts, headers, deadline, limit):
    """One GET: ``(status, reason, headers, body)``; the body only for a 200."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    connection = _Connection(
        parts.hostname,
        port,
        _addresses(parts.hostname, port, deadline),
        tls=_tls() if https else None,
        timeout=deadline.remaining(),
    )
    timer = None
    try:
        connection.connect()
        timer = deadline.watch(connection.sock)
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = _read_body(response, limit) if response.status == 200 else b""
        if deadline.expired:  # cut mid-answer: what was read is not the whole feed
            raise FeedError(deadline.message())
        return response.status, response.reason, response.headers, body
    except FeedError:
        raise
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as error:
        if deadline.expired or isinstance(error, TimeoutError):
            raise FeedError(deadline.message()) from error
        raise FeedError(_network_message(error, parts.hostname)) from error
    finally:
        if timer is not None:
            timer.cancel()
        connection.close()


def _network_message(error, host):
    if isinstance(error, socket.gaierror):
        return _("host not found: %(host)s") % {"host": host}
    if isinstance(error, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(error, ssl.SSLError):
        return _("TLS error: %(error)s") % {"error": error}
    if isinstance(error, http.client.HTTPException | ConnectionError):
        return _("the server broke off the answer (%(error)s)") % {"error": type(error).__name__}
    return _("network error: %(error)s") % {"error": error}


def download(url, *, etag="", modified=""):
    """GET a feed with the limits above; a 304 is a ``Download`` with status 304."""
    deadline = _Deadline(settings.NEWSROOM_FEED_TIMEOUT_SECONDS)
    limit = settings.NEWSROOM_FEED_MAX_BYTES
    most = settings.NEWSROOM_FEED_MAX_REDIRECTS
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    seen = set()
    for hop in range(most + 1):
        parts = _http_url(url, redirected=hop > 0)
        if url in seen:
            raise FeedError(_("redirect loop at %(url)s") % {"url": url[:200]})
        seen.add(url)
        status, reason, answer, body = _get(parts, headers, deadline, limit)
        if status in REDIRECTS:
            location = (answer.get("Location") or "").strip()
            if not location:
                raise FeedError(_("HTTP %(status)d without a Location") % {"status": status})
            url = urljoin(url, location)
            continue
        if status == 304:
            etag, modified = answer.get("ETag", ""), answer.get("Last-Modified", "")
            return Download(url, 304, etag=etag, modified=modified)
        if status != 200:
            raise FeedError(f"HTTP {status} {reason}".strip())
        return Download(
            url,
            200,
            body,
            etag=answer.get("ETag", ""),
            modified=answer.get("Last-Modified", ""),
            content_type=answer.get("Content-Type", ""),
        )
    raise FeedError(_("more than %(count)d redirects") % {"count": most})


def parse(fetched):
    """The feed's entries; a feed with none that feedparser could not read is an error."""
    headers = {"content-location": fetched.url}
    if fetched.content_type:
        headers["content-type"] = fetched.content_type
    try:
        # A stream, never the bytes themselves: feedparser opens a bytes value that
        # names an existing file.
        feed = feedparser.parse(io.BytesIO(fetched.body), response_headers=headers)
    except Exception as error:  # a crash in the parser is this feed's failure, logged
        log.exception("feedparser failed on %s", fetched.url)
        raise FeedError(_("not a feed: %(reason)s") % {"reason": error}) from error
    if not feed.entries and (feed.bozo or not feed.version):
        reason = feed.get("bozo_exception") or _("neither RSS nor Atom")
        raise FeedError(_("not a feed: %(reason)s") % {"reason": str(reason)[:200]})
    return feed.entries


def next_poll_at(poll_minutes, failures, now):
    """When to poll again: the source's interval, doubled per failure in a row, at most
    a day (or the interval, if that is longer)."""
    minutes = poll_minutes
    if failures:
        cap = max(poll_minutes, BACKOFF_CAP_MINUTES)
        minutes = min(poll_minutes * 2 ** min(failures, 20), cap)
    return now + datetime.timedelta(minutes=minutes)


def result_message(entries, new, duplicates):
    """What a poll found, e.g. "12 entries, 3 new, 1 near-duplicate"."""
    return _("%(entries)s, %(new)s, %(duplicates)s") % {
        "entries": ngettext("%(n)d entry", "%(n)d entries", entries) % {"n": entries},
        "new": ngettext("%(n)d new", "%(n)d new", new) % {"n": new},
        "duplicates": ngettext("%(n)d near-duplicate", "%(n)d near-duplicates", duplicates)
        % {"n": duplicates},
    }


def poll_source(source, now=None):
    """Poll ``source``'s feed once and record the outcome on it; returns the ``Outcome``."""
    if not source.feed_url:
        return Outcome(True, _("no feed address"))
    now = now or timezone.now()
    fields = {"last_polled_at": now}
    try:
        fetched = download(source.feed_url, etag=source.feed_etag, modified=source.feed_modified)
        if fetched.status == 304:
            outcome = Outcome(True, _("not modified"))
        else:
            entries = parse(fetched)
            try:
                with transaction.atomic():
                    new, duplicates = candidates.store(
                        source, entries, base_url=fetched.url, now=now
                    )
            except DatabaseError as error:
                log.exception("saving the entries of %s failed", source.feed_url)
                message = _("could not save the entries: %(error)s") % {"error": error}
                raise FeedError(message) from error
            outcome = Outcome(True, result_message(len(entries), new, duplicates), new)
    except FeedError as error:
        outcome = Outcome(False, str(error)[:ERROR_CHARS])
        failures = source.consecutive_failures + 1
        fields.update(
            last_error_at=now,
            last_error=outcome.message,
            consecutive_failures=failures,
            last_result=str(outcome)[: Source._meta.get_field("last_result").max_length],
        )
    else:
        failures = 0
        fields.update(
            last_success_at=now, consecutive_failures=0, last_result=outcome.message[:300]
        )
        for field, value in (("feed_etag", fetched.etag), ("feed_modified", fetched.modified)):
            # A 304 may leave them out (they still hold); one too long to keep is dropped.
            if value or fetched.status == 200:
                limit = Source._meta.get_field(field).max_length
                fields[field] = value if len(value) <= limit else ""
    fields["next_poll_at"] = next_poll_at(source.poll_minutes, failures, now)
    try:
        Source.objects.filter(pk=source.pk).update(**fields)
    except DatabaseError:
        log.exception("recording the poll of source %s failed", source.pk)
    return outcome


def poll(source_id):
    """One poll of one source (the ``fetch_source`` task); returns a short summary."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return _("no such source")
    return str(poll_source(source))


def feeds():
    """The sources the worker polls: active, with a feed address."""
    return Source.objects.active().exclude(feed_url="")


def queue_due(now=None):
    """Queue a ``fetch_source`` task for every source whose poll is due; returns how many.

    Each source's ``next_poll_at`` is moved on in the same UPDATE that claims it (only
    if nobody moved it meanwhile), in the transaction that queues the task: two
    workers, or two cycles, never queue one source twice.
    """
    from digests import tasks

    now = now or timezone.now()
    due = (
        feeds()
        .filter(Q(next_poll_at__lte=now) | Q(next_poll_at=None))
        .only("pk", "next_poll_at", "poll_minutes")
        .order_by("next_poll_at", "pk")
    )
    queued = 0
    for source in due:
        with transaction.atomic():
            claimed = Source.objects.filter(pk=source.pk, next_poll_at=source.next_poll_at).update(
                next_poll_at=now + datetime.timedelta(minutes=source.poll_minutes)
            )
            if claimed:
                tasks.fetch_source.using(priority=FETCH_PRIORITY).enqueue(source.pk)
                queued += 1
    return queued


def queue_now(sources):
    """Queue a poll of each of ``sources`` that has a feed (the admin's "poll now")."""
    from digests import tasks

    queued = 0
    for source in sources:
        if source.feed_url:
            tasks.fetch_source.using(priority=FETCH_PRIORITY).enqueue(source.pk)
            queued += 1
    return queued


def forget_feed_state(source):
    """A new feed address: the old one's validators and errors no longer apply; poll soon."""
    Source.objects.filter(pk=source.pk).update(
        feed_etag="",
        feed_modified="",
        consecutive_failures=0,
        last_error="",
        last_error_at=None,
        last_result="",
        next_poll_at=None,
    )
