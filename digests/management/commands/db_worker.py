"""The task worker: django-tasks-db's ``db_worker``, which also publishes due digests.

Each cycle first publishes every scheduled digest whose time has come
(``workflow.publish_due``), then runs the tasks that are ready, then waits
``--interval`` seconds. So a scheduled digest is published on time even when
its own task was lost: a worker killed while running it leaves the task
"running" for ever, and the next worker's first cycle publishes the digest.
It is published once: ``publish_due`` and the task both go through the
``publish_scheduled`` transition, which locks the digest and refuses one that
is no longer scheduled.

Each cycle also queues a poll (``tasks.fetch_source``) of every source whose
feed is due, and prunes the inbox's old candidates once an hour
(``poll_feeds``; docs/workflow.md).

Newsroom's app comes before ``django_tasks_db`` in ``INSTALLED_APPS``, so
``python manage.py db_worker`` is this command; it takes the same options.
"""

import logging
import os
import random
import time

from django.db import DatabaseError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from digests import workflow
from digests.ingest import candidates, fetch
from digests.newsletter import sending, signup

log = logging.getLogger(__name__)


class _QuietRounds(logging.Filter):
    """Drop the library's start and stop lines, which it logs for each round of tasks."""

    def filter(self, record):
        return not str(record.msg).startswith(("Starting worker", "No more tasks to run"))


class Worker(db_worker.Worker):
    """The library's worker, run one round of ready tasks per cycle, after ``publish_due``."""

    def run(self):
        log.info("Starting Newsroom's worker worker_id=%s", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spread workers started together
        batch = self.batch
        while self.running:
            self.cycle()
            if batch or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            if self.running:
                time.sleep(self.interval)
                # As the library does: drop connections that died or aged while asleep.
                close_old_connections()

    def cycle(self):
        """Publish the digests that are due, then run every task that is ready."""
        self.running_task = True  # a stop signal now waits for the publication to finish
        try:
            published = workflow.publish_due()
        finally:
            self.running_task = False
        for digest in published:
            log.info("published the digest of %s, which was due", digest.date)
        self.sweep_newsletter()
        self.poll_feeds()
        if not self.running:
            return
        self.batch, self.startup_delay = True, False
        quiet = _QuietRounds()
        db_worker.logger.addFilter(quiet)
        try:
            super().run()  # in batch mode: the tasks that are ready, then back here
        finally:
            db_worker.logger.removeFilter(quiet)

    def sweep_newsletter(self):
        """Mark deliveries cut off by a killed worker, queue stalled mailings again, and
        forget the addresses that never confirmed.

        A database error is logged and the cycle goes on: the sweep runs again next cycle.
        """
        try:
            swept = sending.resume_stalled()
            swept["forgotten"] = signup.forget_unconfirmed()
        except DatabaseError:
            log.exception("the newsletter sweep failed; it runs again next cycle")
            return
        if any(swept.values()):
            log.info("newsletter sweep: %s", swept)

    # --- the sources' feeds (digests/ingest) ---------------------------------------

    prune_every = 3600  # seconds between two prunings of old candidates
    _pruned_at = None  # time.monotonic() of the last pruning, None before the first

    def poll_feeds(self):
        """Queue a poll of each source whose feed is due, and prune old candidates hourly.

        The polls are tasks like any other, run in this cycle's round. A database
        error is logged and the cycle goes on: the due sources are still due next cycle.
        """
        try:
            queued = fetch.queue_due()
            pruned = None
            if self._pruned_at is None or time.monotonic() - self._pruned_at >= self.prune_every:
                pruned = candidates.prune()
                self._pruned_at = time.monotonic()
        except DatabaseError:
            log.exception("queuing the feeds' polls failed; it runs again next cycle")
            return
        if queued:
            log.info("queued the polls of %s feeds", queued)
        if pruned:
            log.info("pruned %s old candidates", pruned)


class Command(db_worker.Command):
    help = (
        "Run the task worker (scheduled publication, e-mail, search index); each cycle "
        "also publishes every scheduled digest that is due and queues the polls of the "
        "sources' feeds that are due."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child process
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
