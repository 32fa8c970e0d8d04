"""The desk's memory: candidate items from the sources' feeds, and stories across days.

A ``Candidate`` is one entry of a source's feed, kept for the desk's inbox for 30
days (``digests/ingest``). An ``ItemLink`` is the desk's decision about an item
that resembles an earlier published one: a follow-up (readers see the link both
ways), a repeat (the ``no_repeats`` check flags it) or unrelated (not suggested
again). ``StoryBand`` rows are the locality-sensitive index of items' text that
finds the earlier ones without reading the archive (``digests/story``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Candidate(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("new")
        USED = "used", _("used")
        DISMISSED = "dismissed", _("dismissed")

    source = models.ForeignKey(
        "digests.Source",
        on_delete=models.CASCADE,
        related_name="candidates",
        verbose_name=_("source"),
    )
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    link = models.URLField(_("link"), max_length=2000)
    # The link normalised (scheme and host lower-cased, tracking parameters such as
    # utm_* and the fragment dropped), hashed: one candidate per story address.
    link_key = models.CharField(max_length=64, unique=True, editable=False)
    guid = models.CharField(max_length=500, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(_("fetched"), auto_now_add=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NEW, db_index=True
    )
    section_guess = models.ForeignKey(
        "digests.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("section (guess)"),
    )
    item = models.ForeignKey(
        "digests.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        verbose_name=_("item"),
        help_text=_("The item made from this candidate."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("same story as"),
        help_text=_("A near-duplicate of this earlier candidate (another source's text)."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "fetched_at"], name="candidate_state_fetched")]

    def __str__(self):
        return self.title


class ItemLink(models.Model):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("follow-up")
        REPEAT = "repeat", _("repeat")
        UNRELATED = "unrelated", _("unrelated")

    item = models.ForeignKey(
        "digests.Item",
        on_delete=models.CASCADE,
        related_name="earlier_links",
        verbose_name=_("item"),
    )
    earlier = models.ForeignKey(
        "digests.Item",
        on_delete=models.CASCADE,
        related_name="later_links",
        verbose_name=_("earlier item"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    score = models.FloatField(
        _("similarity"), null=True, blank=True, help_text=_("0 to 1, when it was suggested.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("story link")
        verbose_name_plural = _("story links")
        constraints = [
            models.UniqueConstraint(fields=["item", "earlier"], name="one_link_per_item_pair"),
            models.CheckConstraint(
                condition=~models.Q(item=models.F("earlier")), name="no_link_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} → {self.earlier_id}: {self.kind}"


class StoryBand(models.Model):
    """One band of an item's MinHash signature: items sharing a band are candidates."""

    item = models.ForeignKey("digests.Item", on_delete=models.CASCADE, related_name="story_bands")
    band = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()
    # The item's day (its digest's date), copied: the desk's window of 30 days is then a
    # range of the index, not a check of every row sharing a band. Written with the
    # bands, which are rewritten whenever a digest's date changes (reindex_digest).
    day = models.DateField()

    class Meta:
        # The day and the item too: a lookup, in a window or the whole archive, reads
        # only the index (docs/performance.md).
        indexes = [
            models.Index(fields=["band", "value", "day", "item"], name="storyband_window"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "band"], name="one_value_per_item_band")
        ]

    def __str__(self):
        return f"{self.item_id}: band {self.band}"
