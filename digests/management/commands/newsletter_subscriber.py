"""Privacy: everything Newsroom holds about one subscriber, exported as JSON or erased.

    python manage.py newsletter_subscriber export reader@example.com > reader.json
    python manage.py newsletter_subscriber erase reader@example.com [--no-input]

The address is matched without regard to case, as sign-up does. The export holds
the subscriber's own fields, the sections by name, the consent (when and where) and
every delivery (digest date, kind, state, when sent), and no internal keys (row ids,
the link key, provider message ids). Erasing deletes the subscriber, every delivery
to them, and the admin's history lines about them (which name the address); the
mailings keep their counts without this reader.
"""

import json

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from digests.models import Delivery, Subscriber


def _when(value):
    return value.isoformat() if value else None


def export(subscriber):
    """The subscriber's data as plain JSON-ready values."""
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("digest")
        .order_by("digest__date", "created_at")
    )
    return {
        "email": subscriber.email,
        "state": subscriber.state,
        "language": subscriber.language,
        "sections": sorted(section.name for section in subscriber.sections.all()),
        "signed_up": _when(subscriber.created_at),
        "confirmed": _when(subscriber.confirmed_at),
        "state_changed": _when(subscriber.state_changed_at),
        "consent": {
            "given": _when(subscriber.consent_at),
            "source": subscriber.consent_source,
        },
        "confirmation_mails": {
            "sent": subscriber.confirmations_sent,
            "last": _when(subscriber.confirmation_sent_at),
        },
        "note": subscriber.note,
        "deliveries": [
            {
                "digest": delivery.digest.date.isoformat(),
                "kind": delivery.kind,
                "state": delivery.state,
                "queued": _when(delivery.created_at),
                "sent": _when(delivery.sent_at),
                "attempts": delivery.attempts,
                "error": delivery.error,
            }
            for delivery in deliveries
        ],
    }


class Command(BaseCommand):
    help = (
        "Export (as JSON) or erase everything held about one newsletter subscriber, "
        "found by address, case-insensitively."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("address", help="the subscriber's e-mail address")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="erase without asking for confirmation",
        )

    def handle(self, *args, action, address, interactive=True, **options):
        subscriber = Subscriber.objects.by_address(address).prefetch_related("sections").first()
        if subscriber is None:
            raise CommandError(f"No subscriber has the address {address!r}.")
        if action == "export":
            self.stdout.write(json.dumps(export(subscriber), ensure_ascii=False, indent=2))
            return
        self.erase(subscriber, interactive)

    def erase(self, subscriber, interactive):
        deliveries = Delivery.objects.filter(subscriber=subscriber).count()
        if interactive:
            try:
                answer = input(
                    f"Erase {subscriber.email} and {deliveries} deliveries for good? "
                    "Type 'yes' to continue: "
                )
            except EOFError:  # no one at the terminal (a script): say how to run it
                raise CommandError(
                    "Nothing erased: no answer (use --no-input in scripts)."
                ) from None
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        with transaction.atomic():
            history = LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Subscriber),
                object_id=str(subscriber.pk),
            )
            history_count = history.count()
            history.delete()
            _, by_model = Subscriber.objects.filter(pk=subscriber.pk).delete()
        self.stdout.write(
            f"Erased {subscriber.email}: 1 subscriber, "
            f"{by_model.get(Delivery._meta.label, 0)} deliveries, "
            f"{by_model.get(Subscriber.sections.through._meta.label, 0)} section choices, "
            f"{history_count} admin history lines."
        )
