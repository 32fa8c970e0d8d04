"""The story thread page: one story read back through the days (/items/<id>/story/)."""

from django.http import Http404
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from digests import seo
from digests.models import Digest, Item
from digests.models.digest import page_fetch_mode
from digests.story import public
from digests.views import WithdrawnNoticeMixin


class StoryThreadView(WithdrawnNoticeMixin, DetailView):
    """Every published item of the story ``pk`` belongs to, in date order.

    The story is the desk's follow-up links walked both ways from the item
    (``public.thread``, at most ``THREAD_LIMIT`` items). An item readers cannot
    see, or one with no published follow-up either way, has no thread page (404);
    an item of a withdrawn day answers 410, like its own page.
    """

    template_name = "digests/story.html"
    context_object_name = "item"

    def withdrawn_digests(self):
        return Digest.objects.withdrawn().filter(items__pk=self.kwargs["pk"])

    def get_queryset(self):
        return Item.objects.published().select_related("digest").fetch_mode(page_fetch_mode())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = public.thread(self.object)
        if not story.items:
            raise Http404(_("This item is not part of a story."))
        first = story.items[0]
        context.update(
            story=story,
            limit=public.THREAD_LIMIT,
            page_title=_("Story: %(headline)s") % {"headline": first.title},
            # Every item of a story has this page; the story's first item names it.
            canonical_url=seo.absolute(reverse("digests:story", kwargs={"pk": first.pk})),
            description=Truncator(
                "、".join(f"{i.digest.date:%Y-%m-%d} {i.title}" for i in story.items)
            ).chars(150),
        )
        return context
