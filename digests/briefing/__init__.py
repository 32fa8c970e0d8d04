"""The plain-text briefing format, as pure Python: no database, no ORM.

``parse_text`` turns an editor's text into a ``Briefing`` (plain dataclasses)
or raises ``BriefingError`` with the line number and what was expected;
``render_text``, ``render_markdown`` and ``Briefing.to_dict`` write it back out.
The importer (``digests.importing``) stores a ``Briefing``; the exporter
(``digests.exporting``) reads one back from the database.
"""

from . import grammar
from .model import Analysis, Briefing, BriefingError, BriefingItem, Labelled, Section, Trends
from .parser import decode, parse_text
from .render import render_markdown, render_text
from .schema import from_dict

__all__ = [
    "Analysis",
    "Briefing",
    "BriefingError",
    "BriefingItem",
    "Labelled",
    "Section",
    "Trends",
    "decode",
    "from_dict",
    "grammar",
    "parse_text",
    "render_markdown",
    "render_text",
]
