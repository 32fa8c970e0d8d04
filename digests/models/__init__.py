"""The newsroom's data: a digest per day, its items, sections, sources and blocks."""

from .blocks import Analysis, AnalysisParagraph, TrendPoint, TrendSummary
from .claims import Claim
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
from .memory import Candidate, ItemLink, StoryBand
from .newsletter import Delivery, Mailing, Subscriber, SubscriberQuerySet
from .public import PublicCounter
from .search import SearchTerm
from .taxonomy import Category, SectionAlias, Source, SourceAlias
from .trends import TopicDay

__all__ = [
    "Analysis",
    "AnalysisParagraph",
    "Candidate",
    "Category",
    "Claim",
    "Correction",
    "Delivery",
    "Digest",
    "DigestEvent",
    "DigestQuerySet",
    "EditLock",
    "Item",
    "ItemLink",
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
    "StoryBand",
    "Subscriber",
    "SubscriberQuerySet",
    "Tag",
    "TaggedItem",
    "TopicDay",
    "TrendPoint",
    "TrendSummary",
    "WorkingCopy",
]
