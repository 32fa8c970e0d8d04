"""The newsroom's data: a digest per day, its items, sections, sources and blocks."""

from .blocks import Analysis, AnalysisParagraph, TrendPoint, TrendSummary
from .desk import Correction, DigestEvent, Notification, PreviewLink, ReviewComment
from .digest import Digest, DigestQuerySet
from .item import Item, Tag, TaggedItem
from .taxonomy import Category, Source

__all__ = [
    "Analysis",
    "AnalysisParagraph",
    "Category",
    "Correction",
    "Digest",
    "DigestEvent",
    "DigestQuerySet",
    "Item",
    "Notification",
    "PreviewLink",
    "ReviewComment",
    "Source",
    "Tag",
    "TaggedItem",
    "TrendPoint",
    "TrendSummary",
]
