"""The newsroom's data: a digest per day, its items, sections, sources and blocks."""

from .blocks import Analysis, AnalysisParagraph, TrendPoint, TrendSummary
from .desk import (
    Correction,
    DigestEvent,
    EditLock,
    Notification,
    Presence,
    PreviewLink,
    ReviewComment,
    WorkingCopy,
)
from .digest import Digest, DigestQuerySet
from .item import Item, ItemQuerySet, Tag, TaggedItem
from .newsletter import Delivery, Mailing, Subscriber, SubscriberQuerySet
from .public import PublicCounter
from .search import SearchTerm
from .taxonomy import Category, SectionAlias, Source, SourceAlias

__all__ = [
    "Analysis",
    "AnalysisParagraph",
    "Category",
    "Correction",
    "Delivery",
    "Digest",
    "DigestEvent",
    "DigestQuerySet",
    "EditLock",
    "Item",
    "ItemQuerySet",
    "Mailing",
    "Notification",
    "Presence",
    "PreviewLink",
    "PublicCounter",
    "ReviewComment",
    "SearchTerm",
    "SectionAlias",
    "Source",
    "SourceAlias",
    "Subscriber",
    "SubscriberQuerySet",
    "Tag",
    "TaggedItem",
    "TrendPoint",
    "TrendSummary",
    "WorkingCopy",
]
