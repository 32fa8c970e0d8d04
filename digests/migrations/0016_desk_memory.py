"""The desk's memory: feeds, inbox candidates, story links and their index (issue 12)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grant_desk_memory(apps, schema_editor):
    from digests.roles import DESK_MEMORY, grant_in_migration

    grant_in_migration(apps, ["auth", "digests"], DESK_MEMORY)


def revoke_desk_memory(apps, schema_editor):
    from digests.roles import revoke_in_migration

    for suffix in ("_candidate", "_itemlink"):
        revoke_in_migration(apps, "digests", suffix)


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0015_newsletter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="consecutive_failures",
            field=models.PositiveIntegerField(default=0, verbose_name="failures in a row"),
        ),
        migrations.AddField(
            model_name="source",
            name="feed_etag",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="source",
            name="feed_modified",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="source",
            name="feed_url",
            field=models.URLField(
                blank=True,
                help_text="An RSS or Atom feed; its new entries appear in the desk's inbox.",
                max_length=1000,
                verbose_name="feed address",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AddField(
            model_name="source",
            name="last_error_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last error at"),
        ),
        migrations.AddField(
            model_name="source",
            name="last_polled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last polled"),
        ),
        migrations.AddField(
            model_name="source",
            name="last_result",
            field=models.CharField(
                blank=True,
                help_text="What the last poll did.",
                max_length=300,
                verbose_name="last result",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="last_success_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last success"),
        ),
        migrations.AddField(
            model_name="source",
            name="next_poll_at",
            field=models.DateTimeField(
                blank=True, db_index=True, null=True, verbose_name="next poll"
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="poll_minutes",
            field=models.PositiveIntegerField(
                default=60,
                help_text="How often the worker reads the feed (5 minutes to a week).",
                validators=[
                    django.core.validators.MinValueValidator(5),
                    django.core.validators.MaxValueValidator(10080),
                ],
                verbose_name="poll every (minutes)",
            ),
        ),
        migrations.CreateModel(
            name="Candidate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=500, verbose_name="title")),
                ("summary", models.TextField(blank=True, verbose_name="summary")),
                ("link", models.URLField(max_length=2000, verbose_name="link")),
                ("link_key", models.CharField(editable=False, max_length=64, unique=True)),
                ("guid", models.CharField(blank=True, editable=False, max_length=500)),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True, db_index=True, null=True, verbose_name="published"
                    ),
                ),
                (
                    "fetched_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="fetched"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("new", "new"), ("used", "used"), ("dismissed", "dismissed")],
                        db_index=True,
                        default="new",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                (
                    "handled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handled"),
                ),
                (
                    "duplicate_of",
                    models.ForeignKey(
                        blank=True,
                        help_text="A near-duplicate of this earlier candidate (another source's text).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="duplicates",
                        to="digests.candidate",
                        verbose_name="same story as",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handled by",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        blank=True,
                        help_text="The item made from this candidate.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="candidates",
                        to="digests.item",
                        verbose_name="item",
                    ),
                ),
                (
                    "section_guess",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="digests.category",
                        verbose_name="section (guess)",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="candidates",
                        to="digests.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "candidate",
                "verbose_name_plural": "candidates",
                "ordering": ["-published_at", "-id"],
                "indexes": [
                    models.Index(fields=["state", "fetched_at"], name="candidate_state_fetched")
                ],
            },
        ),
        migrations.CreateModel(
            name="ItemLink",
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
                            ("follow_up", "follow-up"),
                            ("repeat", "repeat"),
                            ("unrelated", "unrelated"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "score",
                    models.FloatField(
                        blank=True,
                        help_text="0 to 1, when it was suggested.",
                        null=True,
                        verbose_name="similarity",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="decided")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "earlier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="later_links",
                        to="digests.item",
                        verbose_name="earlier item",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="earlier_links",
                        to="digests.item",
                        verbose_name="item",
                    ),
                ),
            ],
            options={
                "verbose_name": "story link",
                "verbose_name_plural": "story links",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("item", "earlier"), name="one_link_per_item_pair"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("item", models.F("earlier")), _negated=True),
                        name="no_link_to_itself",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="StoryBand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("band", models.PositiveSmallIntegerField()),
                ("value", models.BigIntegerField()),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="story_bands",
                        to="digests.item",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["band", "value", "item"], name="storyband_lookup")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("item", "band"), name="one_value_per_item_band"
                    )
                ],
            },
        ),
        migrations.RunPython(grant_desk_memory, revoke_desk_memory),
    ]
