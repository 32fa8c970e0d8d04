"""A news item in a digest, and its tags."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from digests.slugs import pinyin_slug
from digests.validators import validate_body, validate_topic


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
        max_length=40,
        validators=[validate_topic],
        help_text=_("The short label before the hyphen in the heading, e.g. AI技术."),
    )
    topic_slug = models.SlugField(_("topic slug"), max_length=80, editable=False)
    title = models.CharField(
        _("headline"),
        max_length=200,
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
        max_length=500,
        blank=True,
        help_text=_("Optional address of the original article."),
    )
    image = models.ImageField(
        _("image"),
        upload_to="items/%Y/%m/",
        blank=True,
        help_text=_("Optional picture shown with the item."),
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("Describes the picture for readers who cannot see it."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"),
        through=TaggedItem,
        blank=True,
        help_text=_("Comma-separated keywords."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        self.topic_slug = pinyin_slug(self.topic, fallback="topic")
        super().save(*args, **kwargs)

    @property
    def heading(self):
        """The heading as the briefing writes it: TOPIC-HEADLINE."""
        return f"{self.topic}-{self.title}"

    @property
    def paragraphs(self):
        return [line for line in self.body.splitlines() if line.strip()]

    @property
    def anchor(self):
        return f"item-{self.pk}"
