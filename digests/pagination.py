"""Pages of long lists whose count stops at a cap, so that no page counts 72,000 rows.

Sixteen years of briefings hold tens of thousands of items, and a reader pages
through the first few pages of a list, not the thousandth. ``CappedPaginator``
counts at most ``COUNT_CAP`` + 1 rows (``SELECT COUNT(*) FROM (… LIMIT 1001)``),
shows "1,000+ items" when there are more, and pages through the first
``COUNT_CAP`` only: a page past them is out of range (a 404, like any page out
of range). The last page of a capped list links on instead (``older_url``): to
/items/ with the same filter and ``date_to`` set to the day of the last item
shown, so a reader can still walk back through every year, a thousand items at
a time. (That day's first items appear once more at the top of the next list:
a day is the finest step browse has.)
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``cap``: one bounded query, whatever the list's size."""

    cap = COUNT_CAP

    @cached_property
    def counted(self):
        """How many objects there are, up to one past the cap: rows, in no order."""
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self):
        """Whether the list goes on past the cap (its count then reads "1,000+")."""
        return self.counted > self.cap

    @cached_property
    def count(self):
        return min(self.counted, self.cap)


def older_url(page, filters):
    """Where the last page of a capped list goes on: /items/ with ``filters`` up to its last day.

    None on any other page, or when the list is not capped. ``filters`` are
    browse's query parameters for the same list (e.g. ``{"category": slug}``).
    """
    paginator = page.paginator
    if not getattr(paginator, "capped", False) or page.has_next():
        return None
    last_day = page.object_list[len(page.object_list) - 1].digest.date
    params = {key: value for key, value in filters.items() if key not in ("page", "date_to")}
    params["date_to"] = last_day.isoformat()
    return f"{reverse('digests:browse')}?{urlencode(params)}"
