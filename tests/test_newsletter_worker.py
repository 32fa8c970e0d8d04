"""A worker killed in the middle of a batch: the rest is sent, nobody gets a mail twice.

The real test runs ``manage.py db_worker`` as a subprocess against the test database
(PostgreSQL only: a subprocess can't see SQLite's in-memory test database), sending
through an aiosmtpd server in this process that holds one message open until the
worker is killed with SIGKILL. The in-process variant, on both databases, stops a
batch with ``KeyboardInterrupt`` raised by the mail backend after a few mails.
"""

import asyncio
import datetime
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from digests.models import Delivery, Digest, Mailing, Subscriber
from digests.newsletter import sending
from tests import factories

D = Delivery.State
SUBSCRIBERS = 10
CUT_AT = 6  # the mail during which the worker dies (in the second batch of four)


def readers():
    return [
        Subscriber.objects.create(email=f"reader{n:02}@example.com", state=Subscriber.State.ACTIVE)
        for n in range(SUBSCRIBERS)
    ]


def after_timeout():
    return timezone.now() + datetime.timedelta(
        seconds=settings.NEWSROOM_NEWSLETTER_SENDING_TIMEOUT + 1
    )


# --- in process, on both databases ---------------------------------------------------------


class DyingBackend(LocmemBackend):
    """Hands over ``CUT_AT`` mails, then dies while "sending" the next: the mail is out
    (in the outbox) but the worker never learns it."""

    handed = 0

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        DyingBackend.handed += len(messages)
        if DyingBackend.handed == CUT_AT:
            raise KeyboardInterrupt("the worker is killed")
        return sent


def test_a_batch_stopped_mid_way_then_resumed_sends_to_nobody_twice(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_NEWSLETTER_BATCH_SIZE = 4
    settings.NEWSROOM_NEWSLETTER_RATE = 1_000_000
    settings.MAILERS = {**settings.MAILERS, "newsletter": {"BACKEND": f"{__name__}.DyingBackend"}}
    DyingBackend.handed = 0
    everyone = readers()
    digest = factories.full_digest(status=Digest.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        sending.start_issue(digest.pk)
    mailing = Mailing.objects.get(digest=digest)
    sending.send_batch(mailing.pk)
    with pytest.raises(KeyboardInterrupt):
        sending.send_batch(mailing.pk)  # dies on the sixth mail
    assert len(mailoutbox) == CUT_AT
    assert Delivery.objects.filter(state=D.SENDING).count() == 1
    # The next batch was queued before the dead one sent anything.
    assert DBTaskResult.objects.filter(status="READY").count() >= 2
    assert sending.resume_stalled(now=after_timeout())["interrupted"] == 1
    for _ in range(3):
        sending.send_batch(mailing.pk)
    received = sorted(address for message in mailoutbox for address in message.to)
    assert received == sorted(r.email for r in everyone)  # each once, the cut-off one too
    assert Delivery.objects.filter(state=D.SENT).count() == SUBSCRIBERS - 1
    (cut_off,) = Delivery.objects.filter(state=D.INTERRUPTED)
    assert cut_off.subscriber.email == mailoutbox[CUT_AT - 1].to[0]


# --- a real worker process, killed -----------------------------------------------------------


class HoldingHandler:
    """Takes every message; holds the ``CUT_AT``-th open (received, not acknowledged)."""

    def __init__(self):
        self.received = []
        self.holding = threading.Event()
        self.release = False

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        if len(self.received) == CUT_AT:
            self.holding.set()
            while not self.release:  # the worker is killed meanwhile
                await asyncio.sleep(0.05)
            return "421 closing"
        return "250 OK"


def start_smtp(handler):
    """An aiosmtpd server on a free loopback port; returns the controller and the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def worker(port, *args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "NEWSROOM_ENV_FILE": "/nonexistent",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "NEWSLETTER_BATCH_SIZE": "4",
        "NEWSLETTER_RATE_PER_MINUTE": "1000000",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_and_restarted_sends_to_nobody_twice():
    if connection.vendor != "postgresql":
        pytest.skip("a worker process can't see SQLite's in-memory test database")
    handler = HoldingHandler()
    controller, port = start_smtp(handler)
    try:
        everyone = readers()
        digest = factories.full_digest(status=Digest.Status.PUBLISHED)
        sending.start_issue(digest.pk)  # autocommit: its batch task is queued at once
        process = worker(port, "--interval", "0.1")
        try:
            assert handler.holding.wait(timeout=60), process.stderr
        finally:
            process.kill()  # SIGKILL: no clean-up of any kind
            process.wait(timeout=10)
        handler.release = True
        assert Delivery.objects.filter(state=D.SENDING).count() == 1
        assert Delivery.objects.filter(state=D.SENT).count() == CUT_AT - 1

        assert sending.resume_stalled(now=after_timeout())["interrupted"] == 1
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.ready().exists() and time.monotonic() < deadline:
            restarted = worker(port, "--batch")
            assert restarted.wait(timeout=60) == 0, restarted.stderr.read()
        assert sorted(handler.received) == sorted(r.email for r in everyone)
        assert Delivery.objects.filter(state=D.SENT).count() == SUBSCRIBERS - 1
        (cut_off,) = Delivery.objects.filter(state=D.INTERRUPTED)
        assert cut_off.subscriber.email == handler.received[CUT_AT - 1]
    finally:
        handler.release = True
        controller.stop()


def test_a_failing_sweep_does_not_stop_the_worker(db, caplog):
    from unittest import mock

    from django.db import OperationalError

    from digests.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    with (
        mock.patch.object(sending, "resume_stalled", side_effect=OperationalError("gone")),
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
    ):
        worker.cycle()  # logs, and runs the ready tasks all the same
    assert "newsletter sweep failed" in caplog.text
