"""The API's answers, as Pydantic schemas: they make the OpenAPI document."""

import datetime

from ninja import Field, Schema


class Labelled(Schema):
    label: str
    text: str


class NumericClaim(Schema):
    """A number the item states (docs/claims.md), as the desk checked it."""

    text: str = Field(description="As written, e.g. 超过6000家.")
    value: float = Field(description="The number, multipliers applied: 1.2万亿元 → 1200000000000.")
    unit: str = Field(description="元, 美元, 美元/公斤, %, 倍, Gbps, 家 …; empty if none.")
    bound: str = Field(
        description="about, near, over, reach, under, down_to, up_to; empty when exact."
    )
    high: float | None = Field(description="The upper end of a range, else null.")
    measure: str = Field(description="What it measures, as the sentence says; may be empty.")


class BriefingItem(Schema):
    topic: str
    title: str
    body: str
    source: str | None
    url: str | None
    tags: list[str]
    claims: list[NumericClaim] = Field(
        description="The item's numbers; the desk's corrections applied, dismissed ones left out."
    )


class BriefingSection(Schema):
    name: str
    items: list[BriefingItem]


class BriefingAnalysis(Schema):
    title: str
    paragraphs: list[Labelled]


class BriefingTrends(Schema):
    points: list[Labelled]
    summary: str


class Briefing(Schema):
    """A day's digest: the same document as its ``.json`` download (docs/briefing-format.md)."""

    date: datetime.date
    title: str
    lede: str
    status: str
    sections: list[BriefingSection]
    analysis: BriefingAnalysis | None
    trends: BriefingTrends | None


class DigestSummary(Schema):
    date: datetime.date
    title: str
    item_count: int
    url: str
    api_url: str


class DigestPage(Schema):
    results: list[DigestSummary]
    next: str | None


class Named(Schema):
    name: str
    slug: str


class Item(Schema):
    id: int
    date: datetime.date
    position: int
    section: Named
    topic: str
    topic_slug: str
    title: str
    body: str
    source: Named | None
    link: str | None
    tags: list[str]
    claims: list[NumericClaim] = Field(description="As in the day's briefing.")
    url: str
    digest_api_url: str


class ItemPage(Schema):
    results: list[Item]
    next: str | None


class Section(Schema):
    name: str
    slug: str
    description: str
    url: str


class Source(Schema):
    name: str
    slug: str
    kind: str
    website: str | None
    url: str


class Error(Schema):
    detail: str | dict


class Withdrawn(Schema):
    """A withdrawn day: when and why, none of its contents (as the day page's 410 notice)."""

    detail: str
    date: datetime.date
    reason: str | None
    withdrawn_at: datetime.datetime | None
