"""The briefing as plain data, the shape shared by the parser, importer and exporters."""

from dataclasses import dataclass, field
from datetime import date as Date

from django.utils.translation import gettext as _

# The limits live with the rest of the grammar; re-exported here for older imports.
from .grammar import (  # noqa: F401
    MAX_HEADLINE,
    MAX_ITEMS,
    MAX_LABEL,
    MAX_SECTION,
    MAX_SOURCE,
    MAX_TAG,
    MAX_TITLE,
    MAX_TOPIC,
    MAX_URL,
)


class BriefingError(ValueError):
    """A briefing that cannot be read: where (a line, or a JSON path) and what was expected."""

    def __init__(self, message, line=None, path=None):
        self.message = str(message)
        self.line = line
        self.path = path
        super().__init__(str(self))

    def __str__(self):
        if self.line is not None:
            return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


@dataclass
class Labelled:
    """A labelled paragraph (背景:…) or trend point (- 标签:…); the label may be empty."""

    label: str
    text: str
    # A trend point's supporting items, as 1-based numbers in the day's order (the JSON
    # format only); None when not given, as in the text format and for paragraphs.
    items: list[int] | None = field(default=None, compare=False)

    def to_dict(self):
        data = {"label": self.label, "text": self.text}
        if self.items is not None:
            data["items"] = list(self.items)
        return data


@dataclass
class BriefingItem:
    topic: str
    title: str
    body: str
    source: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)
    # The numbers the desk stands by (docs/claims.md), as dicts with text, value (a
    # Decimal), unit, bound, high and measure; None when not given (the text format).
    claims: list[dict] | None = field(default=None, compare=False)

    @property
    def heading(self):
        return f"{self.topic}-{self.title}"

    def to_dict(self):
        data = {
            "topic": self.topic,
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "url": self.url,
            "tags": list(self.tags),
        }
        if self.claims is not None:
            data["claims"] = [claim_json(claim) for claim in self.claims]
        return data


def claim_json(claim):
    """An item's claim (a dict) as JSON gives it: its value and high as numbers."""
    return {**claim, "value": _number(claim["value"]), "high": _number(claim.get("high"))}


def _number(value):
    """A Decimal as a JSON number: an int when whole (1200000000000), else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Section:
    name: str
    items: list[BriefingItem] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)

    def to_dict(self):
        return {"name": self.name, "items": [item.to_dict() for item in self.items]}


@dataclass
class Analysis:
    title: str
    paragraphs: list[Labelled] = field(default_factory=list)

    def to_dict(self):
        return {"title": self.title, "paragraphs": [p.to_dict() for p in self.paragraphs]}


@dataclass
class Trends:
    points: list[Labelled] = field(default_factory=list)
    summary: str = ""

    def to_dict(self):
        return {"points": [p.to_dict() for p in self.points], "summary": self.summary}


@dataclass
class Briefing:
    date: Date
    title: str
    sections: list[Section] = field(default_factory=list)
    analysis: Analysis | None = None
    trends: Trends | None = None
    lede: str = ""
    status: str = "draft"
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]

    def to_dict(self):
        """The JSON shape documented in docs/briefing-format.md."""
        return {
            "date": self.date.isoformat(),
            "title": self.title,
            "lede": self.lede,
            "status": self.status,
            "sections": [section.to_dict() for section in self.sections],
            "analysis": self.analysis.to_dict() if self.analysis else None,
            "trends": self.trends.to_dict() if self.trends else None,
        }
