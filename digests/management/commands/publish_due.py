"""Publish every scheduled digest whose time has come: for sites that prefer cron."""

from django.core.management.base import BaseCommand

from digests import workflow


class Command(BaseCommand):
    help = (
        "Publish scheduled digests that are due, through the same transition as the task "
        "worker. Safe to run every minute from cron; running it twice publishes nothing twice."
    )

    def handle(self, *args, **options):
        published = workflow.publish_due()
        for digest in published:
            self.stdout.write(f"published {digest.date.isoformat()}")
        if not published:
            self.stdout.write("nothing due")
