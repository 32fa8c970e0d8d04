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

    def to_dict(self):
        return {"label": self.label, "text": self.text}


@dataclass
class BriefingItem:
    topic: str
    title: str
    body: str
    source: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)

    @property
    def heading(self):
        return f"{self.topic}-{self.title}"

    def to_dict(self):
        return {
            "topic": self.topic,
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "url": self.url,
            "tags": list(self.tags),
        }


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
