"""Write one day's digest to standard output as plain text, Markdown or JSON."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from digests.exporting import FORMATS, export_digest
from digests.models import Digest


class Command(BaseCommand):
    help = "Export the digest of DATE (YYYY-MM-DD), in any state, to standard output."

    def add_arguments(self, parser):
        parser.add_argument("date", metavar="DATE")
        parser.add_argument("--format", choices=FORMATS, default="text", dest="fmt")

    def handle(self, *args, date, fmt, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"{date!r} is not a date; expected YYYY-MM-DD.") from None
        digest = Digest.objects.with_contents().filter(date=day).first()
        if digest is None:
            raise CommandError(f"There is no digest for {day.isoformat()}.")
        self.stdout.write(export_digest(digest, fmt), ending="")
