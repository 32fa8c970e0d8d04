"""Public pages: what readers see. Every query starts from ``Digest.objects.published()``."""

import datetime

from django.http import Http404
from django.views.generic import DetailView

from digests.models import Digest


class PublishedDigestMixin:
    """Readers see published digests only, with their contents fetched up front."""

    model = Digest
    context_object_name = "digest"

    def get_queryset(self):
        return Digest.objects.published().with_contents()


class LatestDigestView(PublishedDigestMixin, DetailView):
    """The home page: the latest published briefing."""

    template_name = "digests/digest_detail.html"

    def get_object(self, queryset=None):
        digest = (queryset or self.get_queryset()).order_by("-date").first()
        if digest is None:
            raise Http404("No briefing has been published yet.")
        return digest


class DigestDayView(PublishedDigestMixin, DetailView):
    """One day's briefing at /YYYY/MM/DD/."""

    def get_object(self, queryset=None):
        try:
            day = datetime.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        except ValueError:
            raise Http404("No such date.") from None
        try:
            return (queryset or self.get_queryset()).get(date=day)
        except Digest.DoesNotExist:
            raise Http404("No briefing was published on this day.") from None
