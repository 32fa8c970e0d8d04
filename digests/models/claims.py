"""The numbers the briefing claims, stored per digest: the ledger behind docs/claims.md.

``digests.claims`` (the service) writes these rows from ``digests.briefing.claims``
(the pure extractor) whenever a digest's text is saved or imported, keeping the
desk's corrections and dismissals of numbers whose text is unchanged.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from digests.briefing.schema import CLAIM_MEASURE, CLAIM_TEXT, CLAIM_UNIT


class Claim(models.Model):
    """One number a digest states: its text as written, value, unit and what it measures."""

    class Block(models.TextChoices):
        ITEM = "item", _("item")
        ANALYSIS = "analysis", _("deep analysis")
        TRENDS = "trends", _("trend summary")

    class Status(models.TextChoices):
        FOUND = "found", _("as found")
        CORRECTED = "corrected", _("corrected by the desk")
        DISMISSED = "dismissed", _("dismissed")

    digest = models.ForeignKey(
        "digests.Digest", on_delete=models.CASCADE, related_name="claims", verbose_name=_("digest")
    )
    item = models.ForeignKey(
        "digests.Item",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="claims",
        verbose_name=_("item"),
    )
    block = models.CharField(_("block"), max_length=10, choices=Block)
    # Which text of its block: an item's title (0) or body (1); the analysis' title
    # (0) or its n-th paragraph (n); the n-th trend point (n) or the core summary (0).
    part = models.PositiveSmallIntegerField(_("part"), default=0)
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    text = models.CharField(_("as written"), max_length=CLAIM_TEXT)
    value = models.DecimalField(
        _("value"), max_digits=30, decimal_places=6, help_text=_("1.2万亿 is 1200000000000.")
    )
    high = models.DecimalField(
        _("up to"),
        max_digits=30,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("The upper end of a range (3-5年), else empty."),
    )
    bound = models.CharField(
        _("bound"),
        max_length=10,
        blank=True,
        help_text=_("约 about, 近 near, 超过 over, 突破 reach, 降至 down to …; empty when exact."),
    )
    unit = models.CharField(
        _("unit"),
        max_length=CLAIM_UNIT,
        blank=True,
        help_text=_("元, 美元/公斤, %, 倍, Gbps, 家 …"),
    )
    measure = models.CharField(
        _("measures"),
        max_length=CLAIM_MEASURE,
        blank=True,
        help_text=_("What the number measures, as the sentence says (核心产业规模)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.FOUND)
    supported_by = models.ManyToManyField(
        "digests.Item",
        blank=True,
        related_name="supported_claims",
        verbose_name=_("supported by"),
        help_text=_("For the analysis and the trends: the day's items reporting this number."),
    )

    class Meta:
        ordering = ["digest", "block", "item", "part", "start"]
        verbose_name = _("numeric claim")
        verbose_name_plural = _("numeric claims")
        indexes = [models.Index(fields=["unit", "digest"], name="claim_unit")]

    def __str__(self):
        return self.text
