"""A news item in a digest, and its tags."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from digests.briefing import grammar
from digests.slugs import pinyin_slug
from digests.validators import (
    validate_body,
    validate_headline,
    validate_image,
    validate_one_line,
    validate_topic,
    validate_url,
)


class Tag(TagBase):
    """A free keyword on items, with a pinyin slug for its public page."""

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def slugify(self, tag, i=None):
        slug = pinyin_slug(tag, max_length=90, fallback="tag")
        return f"{slug}-{i}" if i is not None else slug


class TaggedItem(TaggedItemBase):
    content_object = models.ForeignKey("Item", on_delete=models.CASCADE, related_name="tagged")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("item tag")
        verbose_name_plural = _("item tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="item_tag_once"),
        ]


def item_count(field):
    """The number of items of each row, as a subquery on ``field`` (the items' link to
    the row: "digest", "category", "source"), so a list's counts and pagination stay
    join-free and only the rows shown are counted."""
    items = (
        Item.objects.filter(**{field: models.OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=models.Count("*"))  # not COUNT(id): the link's index alone answers it
        .values("n")
    )
    return Coalesce(models.Subquery(items), 0)


def tags_prefetch():
    """Prefetch an item's tags through its ``tagged`` rows: a plain join.

    (taggit's own ``prefetch_related("tags")`` builds a queryset per item, which
    costs more than the query itself on a page of many items.)
    """
    return models.Prefetch("tagged", queryset=TaggedItem.objects.select_related("tag"))


class ItemQuerySet(models.QuerySet):
    def published(self):
        """Items of published digests: defined through ``Digest.objects.published()``.

        Written as ``EXISTS`` on the item's digest rather than ``IN (…)``: SQLite
        then walks the digests' date index and stops after a page, where ``IN``
        made it sort every item (docs/performance.md, "Lists at 16 years").
        """
        from digests.models.digest import Digest

        return self.filter(
            models.Exists(Digest.objects.published().filter(pk=models.OuterRef("digest_id")))
        )

    def for_listing(self):
        """What a list of items shows: its day, section, source and tags, in fixed queries."""
        from digests.models.digest import page_fetch_mode

        return (
            self.fetch_mode(page_fetch_mode())
            .select_related("digest", "category", "source")
            .defer(*Item.SEARCH_FIELDS)
            .prefetch_related(tags_prefetch(), "corrections")
        )


class Item(models.Model):
    """One news item: a topic label, a headline, a body and a source."""

    digest = models.ForeignKey(
        "Digest", verbose_name=_("digest"), on_delete=models.CASCADE, related_name="items"
    )
    category = models.ForeignKey(
        "Category",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="items",
        help_text=_("The section the item appears under."),
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Order within the digest; sections appear in the order of their first item."),
    )
    topic = models.CharField(
        _("topic"),
        max_length=grammar.MAX_TOPIC,
        validators=[validate_topic],
        help_text=_("The short label before the hyphen in the heading, e.g. AI技术."),
    )
    topic_slug = models.SlugField(_("topic slug"), max_length=80, editable=False)
    title = models.CharField(
        _("headline"),
        max_length=grammar.MAX_HEADLINE,
        validators=[validate_headline],
        help_text=_("The headline after the hyphen, e.g. 大模型轻量化与边缘部署普及."),
    )
    body = models.TextField(
        _("body"),
        validators=[validate_body],
        help_text=_("One or more paragraphs; a line break starts a new paragraph."),
    )
    source = models.ForeignKey(
        "Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text=_("Where the item came from (来源)."),
    )
    url = models.URLField(
        _("link to the original"),
        max_length=grammar.MAX_URL,
        blank=True,
        validators=[validate_url],
        help_text=_("Optional address of the original article."),
    )
    image = models.ImageField(
        _("image"),
        upload_to="items/%Y/%m/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        validators=[validate_image],
        help_text=_("Optional picture shown with the item: JPEG, PNG, WebP or GIF, at most 5 MB."),
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        validators=[validate_one_line],
        help_text=_("Describes the picture for readers who cannot see it."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"),
        through=TaggedItem,
        blank=True,
        help_text=_("Comma-separated keywords."),
    )
    # Search: the text's tokens (jieba-segmented, space-separated), written by
    # digests.search.index whenever the item is saved through the desk, and
    # indexed by the database's own full-text engine (see migration 0005).
    search_title = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    search_version = models.CharField(max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ItemQuerySet.as_manager()
    # Written and read only by digests.search; pages leave them unloaded.
    SEARCH_FIELDS = ("search_title", "search_body", "search_version")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [
            models.Index(fields=["digest", "position"], name="item_digest_position"),
            models.Index(fields=["topic_slug"], name="item_topic_slug"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("digests:item", kwargs={"pk": self.pk})

    def clean(self):
        """Store the body as the text format holds it; its last paragraph must read as body.

        Without a 来源 or 链接 line after it, a last paragraph that looks like a heading
        would be read as one when the digest is exported and imported again.
        """
        if isinstance(self.body, str):
            self.body = grammar.normalize_body(self.body)
            trailer = bool(self.source_id or self.url)
            if not trailer and (problems := grammar.body_problems(self.body, trailer=False)):
                raise ValidationError({"body": [capfirst(p) for p in problems]})

    def fill_derived_fields(self):
        """Set what is computed from the item's own fields (``bulk_create`` callers too)."""
        self.topic_slug = pinyin_slug(self.topic, fallback="topic")

    @property
    def heading(self):
        """The heading as the briefing writes it: TOPIC-HEADLINE."""
        return f"{self.topic}-{self.title}"

    @property
    def tag_list(self):
        """The item's tags by name, from the ``tagged`` rows (see ``tags_prefetch``)."""
        return sorted((link.tag for link in self.tagged.all()), key=lambda tag: tag.name)

    @property
    def last_updated(self):
        """Publication of its digest, or its latest correction if later."""
        moments = [self.digest.published_at or self.updated_at]
        moments += [correction.created_at for correction in self.corrections.all()]
        return max(moments)

    @property
    def paragraphs(self):
        return [line for line in self.body.splitlines() if line.strip()]

    @property
    def anchor(self):
        return f"item-{self.pk}"
