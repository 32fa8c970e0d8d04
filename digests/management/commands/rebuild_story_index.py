"""Rewrite the story index's bands (``StoryBand``) of every item from its stored tokens."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from digests.models import Item
from digests.story import index, similarity


class Command(BaseCommand):
    help = (
        "Rewrite the story index (the MinHash bands by which the desk finds earlier "
        "reports of a story) of every item, in batches, from the items' search tokens. "
        "Run it after changing digests/story/similarity.py's parameters, or with "
        "--after to resume an interrupted run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after",
            type=int,
            default=0,
            help="Start after this item id (the last id an interrupted run printed).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=index.CHUNK,
            help=f"Items per batch and transaction (1 to 5000; default {index.CHUNK}).",
        )

    def handle(self, *args, after, batch, **options):
        if not 1 <= batch <= 5000:
            raise CommandError("--batch must be between 1 and 5000.")
        todo = Item.objects.order_by("pk").only("pk", "search_title", "search_body")
        total = todo.filter(pk__gt=after).count()
        done, rows, last, started = 0, 0, after, time.monotonic()
        while True:
            with transaction.atomic():
                chunk = list(todo.filter(pk__gt=last)[:batch])
                rows += index.index_items(chunk)
            if not chunk:
                break
            done, last = done + len(chunk), chunk[-1].pk
            self.stdout.write(
                f"{done}/{total} items, up to id {last} ({time.monotonic() - started:.0f} s)"
            )
        self.stdout.write(
            f"{done} items indexed, {rows} bands ({similarity.BANDS} per item with words), "
            f"in {time.monotonic() - started:.1f} s."
        )
