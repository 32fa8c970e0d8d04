"""The newsletter: subscribers, mailings and their delivery ledger (issue 11)."""


import django.db.models.deletion
import django.db.models.functions.text
import uuid
from django.conf import settings
from django.db import migrations, models


def grant_newsletter(apps, schema_editor):
    from digests.roles import NEWSLETTER_DESK, SUBSCRIBERS, grant_in_migration

    grant_in_migration(apps, ["auth", "digests"], [*NEWSLETTER_DESK, *SUBSCRIBERS])


def revoke_newsletter(apps, schema_editor):
    from digests.roles import revoke_in_migration

    for suffix in ("_subscriber", "_mailing", "_delivery"):
        revoke_in_migration(apps, "digests", suffix)


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0014_morning_desk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Mailing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("issue", "the day's briefing"),
                            ("correction", "correction notice"),
                            ("test", "test"),
                        ],
                        default="issue",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                (
                    "cancelled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="stopped"),
                ),
                (
                    "correction",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mailings",
                        to="digests.correction",
                        verbose_name="correction",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="started by",
                    ),
                ),
                (
                    "digest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mailings",
                        to="digests.digest",
                        verbose_name="digest",
                    ),
                ),
            ],
            options={
                "verbose_name": "mailing",
                "verbose_name_plural": "mailings",
                "ordering": ["-created_at"],
                "permissions": [("send_mailing", "Can send test mails and correction notices")],
            },
        ),
        migrations.CreateModel(
            name="Subscriber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail address")),
                (
                    "key",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        help_text="Stands for the address in the links of every mail (signed).",
                        unique=True,
                        verbose_name="key",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for confirmation"),
                            ("active", "subscribed"),
                            ("paused", "paused"),
                            ("unsubscribed", "unsubscribed"),
                            ("bounced", "bounced"),
                            ("complained", "marked as spam"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                (
                    "language",
                    models.CharField(default="zh-hans", max_length=16, verbose_name="language"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="signed up")),
                (
                    "confirmed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="confirmed"),
                ),
                (
                    "state_changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="state changed"),
                ),
                (
                    "consent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="consent given"),
                ),
                (
                    "consent_source",
                    models.CharField(
                        blank=True,
                        help_text="The page whose form the reader used, or who added the address.",
                        max_length=300,
                        verbose_name="consent source",
                    ),
                ),
                (
                    "confirmation_sent_at",
                    models.DateTimeField(blank=True, editable=False, null=True),
                ),
                ("confirmations_sent", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="The last bounce or complaint, as the provider reported it.",
                        max_length=300,
                        verbose_name="note",
                    ),
                ),
                (
                    "sections",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Only these sections in the mail; none means all.",
                        related_name="subscribers",
                        to="digests.category",
                        verbose_name="sections",
                    ),
                ),
            ],
            options={
                "verbose_name": "subscriber",
                "verbose_name_plural": "subscribers",
                "ordering": ["-created_at"],
                "permissions": [("export_subscriber", "Can export subscribers")],
            },
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("issue", "the day's briefing"),
                            ("correction", "correction notice"),
                            ("test", "test"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "queued"),
                            ("sending", "sending"),
                            ("sent", "sent"),
                            ("failed", "failed"),
                            ("interrupted", "interrupted (may have been sent)"),
                            ("bounced", "bounced"),
                            ("complained", "marked as spam"),
                            ("cancelled", "stopped"),
                        ],
                        db_index=True,
                        default="queued",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "claimed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="sending since"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "message_id",
                    models.CharField(
                        blank=True, db_index=True, max_length=300, verbose_name="message ID"
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="queued")),
                (
                    "digest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="digests.digest",
                        verbose_name="digest",
                    ),
                ),
                (
                    "mailing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="digests.mailing",
                        verbose_name="mailing",
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="digests.subscriber",
                        verbose_name="subscriber",
                    ),
                ),
            ],
            options={
                "verbose_name": "delivery",
                "verbose_name_plural": "deliveries",
            },
        ),
        migrations.AddConstraint(
            model_name="mailing",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "issue")),
                fields=("digest",),
                name="one_issue_mailing_per_digest",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"), name="one_subscriber_per_address"
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["mailing", "state"], name="delivery_mailing_state"),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("mailing", "subscriber"), name="one_delivery_per_mailing_and_subscriber"
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "issue")),
                fields=("subscriber", "digest"),
                name="one_issue_per_subscriber_and_digest",
            ),
        ),
        migrations.RunPython(grant_newsletter, revoke_newsletter),
    ]
