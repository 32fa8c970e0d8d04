"""Poll the sources' feeds now, one after the other, and say what each poll did."""

from django.core.management.base import BaseCommand, CommandError

from digests.ingest import fetch
from digests.models import Source


class Command(BaseCommand):
    help = (
        "Poll every active source's feed (or one source's, --source SLUG) into the desk's "
        "inbox, printing one line per source. A feed that fails is reported and recorded on "
        "its source; the others are polled all the same, and the exit status stays 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", metavar="SLUG", help="Poll only this source's feed.")

    def handle(self, *args, source=None, **options):
        if source is None:
            sources = list(fetch.feeds().order_by("name"))
        else:
            found = Source.objects.filter(slug=source).first()
            if found is None:
                raise CommandError(f"No source has the slug “{source}”.")
            if not found.feed_url:
                raise CommandError(f"The source “{found.name}” has no feed address.")
            sources = [found]
        failed = new = 0
        for one in sources:
            outcome = fetch.poll_source(one)
            failed += not outcome.ok
            new += outcome.new
            line = f"{one.slug}: {outcome}"
            self.stdout.write(line if outcome.ok else self.style.ERROR(line))
        self.stdout.write(f"{len(sources)} feeds polled, {failed} failed, {new} new candidates.")
