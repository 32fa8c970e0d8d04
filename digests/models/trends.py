"""The published archive's topics and sections counted per day: what /trends/ draws.

``digests.trends.counts`` rewrites a day's rows whenever the day's digest reaches
or leaves the public site (the workflow's after-commit hook) and
``rebuild_trends`` rewrites them all; the pages then sum rows, never items.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicDayQuerySet(models.QuerySet):
    def published(self):
        """Counts of published days: defined through ``Digest.objects.published()``.

        The rows are only ever written for published days; reading them through the
        one definition of "public" as well means a row left behind (a day withdrawn
        by hand in the database) is still never shown.
        """
        from digests.models.digest import Digest

        return self.filter(
            models.Exists(Digest.objects.published().filter(date=models.OuterRef("day")))
        )


class TopicDay(models.Model):
    """How many published items one topic (or section) had on one day.

    ``key`` is the topic's slug (``Item.topic_slug``) for a topic and the section's
    id for a section, so that renaming a section or changing its slug keeps its
    history (its name and slug are read from ``Category`` when shown).
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("topic")
        SECTION = "section", _("section")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    key = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    day = models.DateField(_("day"))
    items = models.PositiveIntegerField(_("items"))

    objects = TopicDayQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "day", "key"]
        verbose_name = _("topic count")
        verbose_name_plural = _("topic counts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "day"], name="one_count_per_topic_day")
        ]
        indexes = [models.Index(fields=["kind", "day", "key", "items"], name="topicday_span")]

    def __str__(self):
        return f"{self.day} {self.name}: {self.items}"
