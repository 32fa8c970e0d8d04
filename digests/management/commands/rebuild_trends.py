"""Rewrite /trends/' counts (``TopicDay``) of every published day from its items."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from digests.trends import counts


class Command(BaseCommand):
    help = (
        "Rewrite the counts behind /trends/ (items per topic and per section of every "
        "published day), oldest day first, in batches; days no longer published lose "
        "theirs. Run it after upgrading, after changing data outside the desk, or with "
        "--after to resume an interrupted run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after",
            type=datetime.date.fromisoformat,
            help="Start after this day (YYYY-MM-DD: the last day an interrupted run printed).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=counts.BATCH_DAYS,
            help=f"Days per batch and transaction (1 to 5000; default {counts.BATCH_DAYS}).",
        )

    def handle(self, *args, after, batch, **options):
        if not 1 <= batch <= 5000:
            raise CommandError("--batch must be between 1 and 5000.")
        started = time.monotonic()

        def progress(done, total, last):
            self.stdout.write(
                f"{done}/{total} days, up to {last.isoformat()} "
                f"({time.monotonic() - started:.0f} s)"
            )

        days, rows = counts.rebuild(after=after, batch=batch, progress=progress)
        self.stdout.write(
            f"{days} days counted, {rows} rows, in {time.monotonic() - started:.1f} s."
        )
