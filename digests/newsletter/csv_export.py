"""Subscribers as CSV, streamed: the admin's export of selected or all matching rows.

Streamed (``StreamingHttpResponse``) so that a list of a hundred thousand addresses
is never held in memory, read from the database in chunks. Every cell that a
spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with a leading apostrophe: an address or a
consent source typed by a stranger must not run in the desk's spreadsheet.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK = 2000  # rows read from the database at a time (sections prefetched per chunk)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "email",
    "state",
    "sections",
    "language",
    "signed_up",
    "confirmed",
    "consent_at",
    "consent_source",
    "state_changed",
    "note",
]


def safe(value):
    """The cell as text, defused if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def row(subscriber):
    return [
        safe(cell)
        for cell in (
            subscriber.email,
            subscriber.state,
            "; ".join(section.name for section in subscriber.sections.all()),
            subscriber.language,
            _when(subscriber.created_at),
            _when(subscriber.confirmed_at),
            _when(subscriber.consent_at),
            subscriber.consent_source,
            _when(subscriber.state_changed_at),
            subscriber.note,
        )
    ]


class _Line:
    """A file-like object whose ``write`` returns the line, for ``csv.writer``."""

    def write(self, text):
        return text


def lines(queryset):
    writer = csv.writer(_Line())
    # A byte order mark, so that spreadsheets read the Chinese section names as UTF-8.
    yield "\ufeff" + writer.writerow(COLUMNS)
    for subscriber in queryset.prefetch_related("sections").iterator(chunk_size=CHUNK):
        yield writer.writerow(row(subscriber))


def response(queryset):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    result = StreamingHttpResponse(lines(queryset), content_type="text/csv; charset=utf-8")
    result["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
    result["Cache-Control"] = "no-store"
    return result
