"""The digest: one briefing per editorial day."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from digests.briefing import grammar
from digests.validators import validate_image, validate_lede, validate_title

DEFAULT_TITLE = "每日科技新闻速览"


def page_fetch_mode():
    """The fetch mode for what a page loads (``NEWSROOM_FETCH_MODE``: peers, or raise in tests)."""
    return getattr(models, settings.NEWSROOM_FETCH_MODE)


class DigestQuerySet(models.QuerySet):
    def published(self):
        """The digests readers may see: the one definition of “public”."""
        return self.filter(status=Digest.Status.PUBLISHED)

    def withdrawn(self):
        """Digests taken off the public site and not reopened: their address says so (410).

        Each carries ``withdrawal_reason`` and ``withdrawn_at``, from its latest withdrawal.
        """
        from digests.models.desk import DigestEvent

        latest = DigestEvent.objects.filter(
            digest=models.OuterRef("pk"), action=DigestEvent.Action.WITHDRAW
        ).order_by("-created_at", "-id")[:1]
        return self.filter(status=Digest.Status.UNPUBLISHED).annotate(
            withdrawal_reason=models.Subquery(latest.values("note")),
            withdrawn_at=models.Subquery(latest.values("created_at")),
        )

    def with_contents(self, *, claims=True):
        """Fetch each digest's items, tags, analysis and trends (and claims, unless
        ``claims=False``) in a fixed number of queries."""
        return (
            self.fetch_mode(page_fetch_mode())
            .select_related("analysis", "trend_summary")
            .prefetch_related(*content_prefetches(claims=claims))
        )


def content_prefetches(*, claims=True):
    """What a digest's page shows beyond the digest row: items (with their section,
    source, tags and corrections), analysis paragraphs and trend points, and (unless
    ``claims=False``) the numeric claims that the day page, the exports and the
    edition checks read; the feeds, the newsletter and the WeChat copy show none."""
    from digests.models.blocks import TrendPoint
    from digests.models.claims import Claim
    from digests.models.item import Item, tags_prefetch

    prefetches = [
        models.Prefetch(
            "items",
            queryset=Item.objects.select_related("category", "source")
            .defer(*Item.SEARCH_FIELDS)
            .prefetch_related(tags_prefetch(), "corrections"),
        ),
        "analysis__paragraphs",
        # The trend points with their supporting items' ids, joined in the same query.
        models.Prefetch("trend_summary__points", queryset=TrendPoint.objects.with_item_ids()),
    ]
    if claims:
        # Every claim of the digest, for the .json and the analysis' marked numbers.
        ordered = Claim.objects.order_by("block", "item", "part", "start")
        prefetches.append(models.Prefetch("claims", queryset=ordered))
    return prefetches


class Digest(models.Model):
    """One day's briefing: sections of items, a deep analysis and a trend summary."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("withdrawn")

    date = models.DateField(
        _("date"),
        unique=True,
        help_text=_("The editorial day this briefing is for; one digest per day."),
    )
    title = models.CharField(
        _("title"),
        max_length=grammar.MAX_TITLE,
        default=DEFAULT_TITLE,
        validators=[validate_title],
        help_text=_("Shown above the briefing; the date is added by the site."),
    )
    lede = models.TextField(
        _("lede"),
        blank=True,
        validators=[validate_lede],
        help_text=_("An optional opening paragraph for the day, on one line."),
    )
    cover_image = models.ImageField(
        _("cover image"),
        upload_to="covers/%Y/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        validators=[validate_image],
        help_text=_("Optional; used when the day is shared on social media."),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="digests_created",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    publish_at = models.DateTimeField(
        _("scheduled for"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a scheduled digest goes public."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up with every save and status change; guards against lost edits."),
    )

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        indexes = [
            models.Index(fields=["status", "-date"], name="digest_status_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="digest_published_has_published_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(publish_at__isnull=False),
                name="digest_scheduled_has_publish_at",
            ),
        ]
        permissions = [
            ("submit_digest", _("Can submit a digest for review")),
            ("review_digest", _("Can request changes to a digest in review")),
            ("publish_digest", _("Can approve, publish and schedule a digest")),
            ("withdraw_digest", _("Can withdraw a published digest")),
        ]

    def __str__(self):
        return f"{self.title}({self.date.isoformat()})"

    def get_absolute_url(self):
        return reverse(
            "digests:day",
            kwargs={"year": self.date.year, "month": self.date.month, "day": self.date.day},
        )

    @property
    def last_updated(self):
        """When readers last saw a change: publication or the latest correction.

        Reads the corrections fetched with ``with_contents()``; no extra query.
        """
        moments = [self.published_at or self.updated_at]
        moments += [c.created_at for item in self.items.all() for c in item.corrections.all()]
        return max(moments)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def sections(self):
        """The items grouped by section, in briefing order: a list of (category, items).

        A section's place is that of its first item, so the order an editor (or an
        imported text) gave is kept without a per-day section table. Uses the items
        already fetched when the digest came with ``prefetch_related("items")``.
        """
        groups = {}
        for item in self.items.all():
            groups.setdefault(item.category_id, (item.category, []))[1].append(item)
        return list(groups.values())


class DigestTokens(models.Model):
    """A digest's items' search tokens, joined in their order: what the desk's search
    matches a digest by, through its own full-text index (migration 0011). Written by
    ``digests.search.index`` whenever items are indexed.

    A table of its own, not a column of the digest: four kilobytes a day that every
    page, feed and sitemap reading a digest (or an item with its digest) would fetch,
    and SQLite would store a digest a page.
    """

    digest = models.OneToOneField(
        Digest,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_tokens",
        editable=False,
    )
    tokens = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("digest search tokens")
        verbose_name_plural = _("digest search tokens")

    def __str__(self):
        return str(self.digest_id)
