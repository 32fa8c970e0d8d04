"""RSS and Atom feeds of published briefings, and of each section's items."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from digests.models import Category, Digest, Item

FEED_SIZE = 30


class DigestFeed(Feed):
    """The latest published briefings, one entry a day."""

    title = settings.NEWSROOM_SITE_NAME
    description = _("A daily briefing of technology news, readable in two minutes.")

    def link(self):
        return reverse("digests:latest")

    def items(self):
        """The latest days, with just what an entry shows: headlines and corrections."""
        headlines = Item.objects.only("digest_id", "position", "topic", "title", "updated_at")
        return (
            Digest.objects.published()
            .order_by("-date")
            .prefetch_related(Prefetch("items", queryset=headlines), "items__corrections")[
                :FEED_SIZE
            ]
        )

    def item_title(self, digest):
        return f"{digest.title}\uff08{digest.date:%Y-%m-%d}\uff09"

    def item_description(self, digest):
        lines = [digest.lede] if digest.lede else []
        lines += [f"【{item.topic}】{item.title}" for item in digest.items.all()]
        return "<br>".join(lines)

    def item_pubdate(self, digest):
        return digest.published_at

    def item_updateddate(self, digest):
        return digest.last_updated

    def item_link(self, digest):
        return digest.get_absolute_url()


class DigestAtomFeed(DigestFeed):
    feed_type = Atom1Feed
    subtitle = DigestFeed.description


class CategoryFeed(Feed):
    """The latest published items of one section."""

    def get_object(self, request, slug):
        """A section readers can see: one with published items."""
        public = Category.objects.filter(items__in=Item.objects.published()).distinct()
        return get_object_or_404(public, slug=slug)

    def title(self, category):
        return f"{settings.NEWSROOM_SITE_NAME} · {category.name}"

    def description(self, category):
        return category.description or category.name

    def link(self, category):
        return category.get_absolute_url()

    def items(self, category):
        return (
            Item.objects.published()
            .filter(category=category)
            .select_related("digest", "source")
            .order_by("-digest__date", "position")[:FEED_SIZE]
        )

    def item_title(self, item):
        return f"{item.topic}-{item.title}"

    def item_description(self, item):
        return "<br>".join(item.paragraphs)

    def item_pubdate(self, item):
        return item.digest.published_at

    def item_link(self, item):
        return item.get_absolute_url()


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed

    def subtitle(self, category):
        return self.description(category)
