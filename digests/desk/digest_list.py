"""The desk's list of digests at archive size: item counts for the shown page only, and a
search served by a full-text index of each digest's items.

With sixteen years of days, anything the list computes per digest must be computed
for the page's rows, and a search must not join (and ``DISTINCT``) 72,000 items.
"""

import contextlib
import datetime

from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Q

from digests.models import Item
from digests.search.digests import digests_condition


def with_item_counts(digests):
    """The digests as a list, each with ``item_count`` from one grouped query."""
    digests = list(digests)
    counts = dict(
        Item.objects.filter(digest__in=digests)
        .order_by()
        .values_list("digest")
        .annotate(n=Count("*"))
    )
    for digest in digests:
        digest.item_count = counts.get(digest.pk, 0)
    return digests


class DigestChangeList(ChangeList):
    """Counts the items of the page's digests only.

    Counted in the list query, the items of every digest the pagination skips are
    counted too: PostgreSQL computes a row's columns before ``OFFSET`` drops it, so
    page 20 counted the items of 2,000 digests and the last page those of 6,000.
    """

    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_item_counts(self.result_list)


def search(queryset, term):
    """Digests whose title or lede holds every word of ``term``, whose date it is
    (YYYY-MM-DD), or whose items hold its words in the site's full-text index, any
    status.

    Each is a condition on the digest's own row: its items are matched through the
    digest's index of their tokens (``digests.search.digests``), so a common word
    (芯片, in 27,000 items) reads no item row, and a digest is listed once however
    many of its items match.
    """
    term = term.strip()
    if not term:
        return queryset
    own = Q()
    for word in term.split():
        own &= Q(title__icontains=word) | Q(lede__icontains=word)
    found = own
    if (items := digests_condition(term, queryset)) is not None:
        found |= items
    with contextlib.suppress(ValueError):  # a date, or not
        found |= Q(date=datetime.date.fromisoformat(term))
    return queryset.filter(found)
