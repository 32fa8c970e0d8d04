"""Draw the share card of every published day that lacks one (digests/sharing).

    python manage.py make_share_cards [--force] [--batch 200] [--since 2026-01-01]

Days are read in batches by date, each batch with its items' titles in one more
query; a day whose card of its current version is already kept is skipped unless
``--force``. A day whose card cannot be drawn is reported and the others go on.
"""

import datetime
from itertools import islice

from django.core.management.base import BaseCommand, CommandError

from digests.models import Digest, Item
from digests.sharing import card


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since takes a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Draw the share card image of every published day that lacks one."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Draw every card again.")
        parser.add_argument("--batch", type=int, default=200, help="Days read per query.")
        parser.add_argument("--since", type=_date, help="Only days from this date (YYYY-MM-DD).")

    def handle(self, *args, force=False, batch=200, since=None, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        days = Digest.objects.published().order_by("date").only("pk", "date", "title", "version")
        if since:
            days = days.filter(date__gte=since)
        drawn = skipped = failed = 0
        iterator = days.iterator(chunk_size=batch)
        while chunk := list(islice(iterator, batch)):
            todo = [d for d in chunk if force or not card.path_for(d.date, d.version).exists()]
            skipped += len(chunk) - len(todo)
            titles = {}
            rows = Item.objects.filter(digest__in=[d.pk for d in todo]).order_by(
                "digest_id", "position", "id"
            )
            for digest_id, title in rows.values_list("digest_id", "title"):
                titles.setdefault(digest_id, []).append(title)
            for digest in todo:
                try:
                    card.write(
                        digest.date, digest.version, digest.title, titles.get(digest.pk, [])
                    )
                except OSError as error:
                    failed += 1
                    self.stderr.write(f"{digest.date}: {error}")
                else:
                    drawn += 1
        self.stdout.write(f"{drawn} drawn, {skipped} already there, {failed} failed")
        if failed:
            raise CommandError(f"{failed} card(s) could not be drawn")
