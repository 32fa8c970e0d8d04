"""Read a plain-text briefing, as editors write it, into a ``Briefing``.

The format (docs/briefing-format.md has it for editors, with examples)::

    每日科技新闻速览(2026-02-02)          title and date
    导语:……                               optional lede
    AI技术动态                             a section heading
    AI技术-多模态生成式AI进入自然交互阶段    an item: TOPIC-HEADLINE
    生成式AI将突破……                       one or more body paragraphs
    来源:权宁霞。                          optional source line
    链接:https://…  标签:甲,乙            optional link and tags lines
    # 深度解析                             the deep analysis
    深度解析:TITLE
    背景:……                               labelled paragraphs
    趋势总结                               the trend summary
    - 标签:……                             trend points
    今日核心趋势总结:……

Files may carry a BOM, CRLF line ends, blank lines, trailing spaces and half-
or full-width punctuation. Errors name the line and what was expected.
"""

import datetime
import re

from django.utils.translation import gettext as _

from .model import (
    MAX_HEADLINE,
    MAX_LABEL,
    MAX_SECTION,
    MAX_SOURCE,
    MAX_TAG,
    MAX_TITLE,
    MAX_TOPIC,
    MAX_URL,
    Analysis,
    Briefing,
    BriefingError,
    BriefingItem,
    Labelled,
    Section,
    Trends,
)

COLON = "[:\uff1a]"  # half- or full-width colon
# Hyphens between topic and headline: ASCII, full-width, Unicode hyphens and the en dash.
HYPHENS = "-\uff0d\u2010\u2011\u2013"
# Punctuation that ends or splits a sentence: a line holding one is prose, not a heading.
SENTENCE_PUNCTUATION = set(
    ',;:!?\uff0c\u3002\uff1b\uff1a\uff01\uff1f\u3001\u201c\u201d"\u300a\u300b()\uff08\uff09\u3010\u3011[]'
)
MAX_SECTION_HEADING = 30

# Lines that open the closing blocks; no section may be called this.
RESERVED_HEADINGS = ("深度解析", "趋势总结")

TITLE_RE = re.compile(r"^(?P<title>.*?)\s*[(\uff08]\s*(?P<date>[^()\uff08\uff09]*?)\s*[)\uff09]$")
DATE_RES = [
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
]
LEDE_RE = re.compile(rf"^导语\s*{COLON}\s*(?P<text>.*)$")
SOURCE_RE = re.compile(rf"^来源\s*{COLON}\s*(?P<name>.*?)\s*。?$")
LINK_RE = re.compile(rf"^(?:链接|原文)\s*{COLON}\s*(?P<url>https?://\S+)$")
TAGS_RE = re.compile(rf"^标签\s*{COLON}\s*(?P<tags>.*)$")
ANALYSIS_HEAD_RE = re.compile(r"^(?:#+\s*)?深度解析$")
ANALYSIS_TITLE_RE = re.compile(rf"^(?:#+\s*)?深度解析\s*{COLON}\s*(?P<title>.*)$")
TRENDS_HEAD_RE = re.compile(r"^(?:#+\s*)?趋势总结$")
CORE_RE = re.compile(rf"^今日核心趋势总结\s*{COLON}\s*(?P<text>.*)$")
BULLET_RE = re.compile("^[-\uff0d\u2022\u00b7*]\\s*(?P<text>.*)$")
TAG_SPLIT_RE = re.compile("[,\uff0c\u3001;\uff1b]")


def decode(data):
    """Turn an uploaded file's bytes into text, refusing anything that is not UTF-8."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BriefingError(
            _("the file is not UTF-8 text (byte %(byte)d); save it as UTF-8 and try again")
            % {"byte": error.start},
            line=line,
        ) from None


def clean_lines(text):
    """Split text into (line number, stripped line), as editors count lines."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [(number, line.strip()) for number, line in enumerate(text.split("\n"), start=1)]


def parse_date(raw, line):
    for pattern in DATE_RES:
        match = pattern.match(raw)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise BriefingError(
                    _("%(date)s is not a date that exists") % {"date": raw}, line=line
                ) from None
    raise BriefingError(
        _("expected the date as YYYY-MM-DD in the title line, found “%(date)s”") % {"date": raw},
        line=line,
    )


def is_prose(text):
    return any(char in SENTENCE_PUNCTUATION for char in text)


def split_item_heading(line):
    """Return (topic, headline) when the line reads as TOPIC-HEADLINE, else None."""
    for index, char in enumerate(line):
        if char in HYPHENS:
            topic, headline = line[:index].strip(), line[index + 1 :].strip()
            if not topic or not headline or len(topic) > MAX_TOPIC or is_prose(topic):
                return None
            if headline.endswith("。"):
                return None
            return topic, headline
    return None


def is_section_heading(line):
    return (
        len(line) <= MAX_SECTION_HEADING
        and not is_prose(line)
        and not any(char in HYPHENS for char in line)
        and not line.startswith(("-", "*", "•"))
    )


def section_name(line):
    return line.lstrip("#").strip()


def split_label(text):
    """Split “背景:…” into Labelled("背景", "…"); text without a short label keeps label "".

    The label ends at the first colon, except a half-width one between digits (14:30).
    """
    for index, char in enumerate(text):
        if char == "\uff1a" or (
            char == ":"
            and not (
                0 < index < len(text) - 1
                and text[index - 1].isdigit()
                and text[index + 1].isdigit()
            )
        ):
            label, body = text[:index].strip(), text[index + 1 :].strip()
            if label and body and len(label) <= MAX_LABEL and not is_prose(label):
                return Labelled(label, body)
            break
    return Labelled("", text)


def check_length(value, limit, what, line):
    if len(value) > limit:
        raise BriefingError(
            _("the %(what)s is %(length)d characters long; at most %(limit)d are allowed")
            % {"what": what, "length": len(value), "limit": limit},
            line=line,
        )


class _Parser:
    """A line-by-line reader; one instance reads one briefing."""

    def __init__(self, text):
        self.lines = clean_lines(text)
        self.warnings = []
        self.sections = {}
        self.section = None
        self.item = None
        self.item_state = None  # "heading", "body" or "closed"
        self.analysis = None
        self.analysis_line = None
        self.trends = None
        self.block = "items"

    def warn(self, line, message):
        self.warnings.append(_("Line %(line)d: %(message)s") % {"line": line, "message": message})

    def parse(self):
        content = [(number, line) for number, line in self.lines if line]
        if not content:
            raise BriefingError(_("the briefing is empty"), line=1)
        first_number, first = content[0]
        match = TITLE_RE.match(first)
        if not match:
            raise BriefingError(
                _(
                    "expected the title line with the date, such as "
                    "每日科技新闻速览(2026-02-02), found “%(text)s”"
                )
                % {"text": first[:40]},
                line=first_number,
            )
        title = match["title"].strip()
        if not title:
            raise BriefingError(_("the title before the date is empty"), line=first_number)
        check_length(title, MAX_TITLE, _("title"), first_number)
        briefing = Briefing(date=parse_date(match["date"], first_number), title=title)

        rest = content[1:]
        if rest and (lede := LEDE_RE.match(rest[0][1])):
            briefing.lede = lede["text"].strip()
            rest = rest[1:]

        for index, (number, line) in enumerate(rest):
            following = rest[index + 1][1] if index + 1 < len(rest) else None
            self.read(number, line, following)
        self.finish_item()
        self.finish_blocks()

        if not self.sections:
            raise BriefingError(
                _("no items found: expected a section heading (such as AI技术动态) and items"),
                line=first_number,
            )
        for section in self.sections.values():
            if not section.items:
                raise BriefingError(
                    _("the section “%(name)s” has no items") % {"name": section.name},
                    line=section.line,
                )
        briefing.sections = list(self.sections.values())
        briefing.analysis = self.analysis
        briefing.trends = self.trends
        self.check_duplicate_headlines(briefing)
        briefing.warnings = self.warnings
        return briefing

    # --- dispatch --------------------------------------------------------------

    def read(self, number, line, following):
        if ANALYSIS_HEAD_RE.match(line) or (
            self.block != "analysis" and ANALYSIS_TITLE_RE.match(line)
        ):
            self.start_analysis(number, line)
        elif TRENDS_HEAD_RE.match(line):
            self.start_trends(number)
        elif self.block == "items":
            self.read_items(number, line, following)
        elif self.block == "analysis":
            self.read_analysis(number, line)
        else:
            self.read_trends(number, line)

    def start_analysis(self, number, line):
        self.finish_item()
        if self.analysis is not None or self.analysis_line is not None:
            raise BriefingError(_("a second 深度解析 block; a briefing has one"), line=number)
        self.block = "analysis"
        self.analysis_line = number
        title = ANALYSIS_TITLE_RE.match(line)
        if title:
            self.set_analysis_title(number, title["title"].strip())

    def start_trends(self, number):
        self.finish_item()
        if self.trends is not None:
            raise BriefingError(_("a second 趋势总结 block; a briefing has one"), line=number)
        self.block = "trends"
        self.trends = Trends()
        self.trends_line = number

    # --- sections and items -------------------------------------------------------

    def read_items(self, number, line, following):
        if self.item_state == "body" and not self.ends_body(line, following):
            self.add_body(number, line)
            return
        if self.item_state == "heading":
            if SOURCE_RE.match(line):
                raise BriefingError(
                    _("expected the body of the item “%(heading)s” before its 来源 line")
                    % {"heading": self.item.heading},
                    line=number,
                )
            self.add_body(number, line)
            return
        if self.item_state in ("body", "closed") and self.read_item_trailer(number, line):
            return
        heading = split_item_heading(line)
        if heading:
            self.start_item(number, *heading)
        elif is_section_heading(section_name(line)) and not BULLET_RE.match(line):
            self.start_section(number, section_name(line))
        elif SOURCE_RE.match(line):
            raise BriefingError(
                _("a 来源 line must follow an item's body; this one belongs to no item"),
                line=number,
            )
        elif self.section is None:
            raise BriefingError(
                _("text before any heading: expected a section heading such as AI技术动态"),
                line=number,
            )
        else:
            raise BriefingError(
                _(
                    "expected an item heading TOPIC-HEADLINE (such as AI技术-…), a section "
                    "heading, 深度解析 or 趋势总结, found “%(text)s”"
                )
                % {"text": line[:40]},
                line=number,
            )

    def ends_body(self, line, following):
        """Whether a line after an item's body starts something new rather than continuing it.

        A short line can look like a heading and still be a paragraph; a heading is
        taken as one only when the line after it fits: an item heading is followed
        by its body, a section heading by an item heading.
        """
        if SOURCE_RE.match(line) or LINK_RE.match(line) or TAGS_RE.match(line):
            return True
        if split_item_heading(line):
            return following is not None and not any(
                pattern.match(following)
                for pattern in (SOURCE_RE, LINK_RE, TAGS_RE, ANALYSIS_HEAD_RE, TRENDS_HEAD_RE)
            )
        if is_section_heading(section_name(line)):
            return following is not None and split_item_heading(following) is not None
        return False

    def read_item_trailer(self, number, line):
        """Read a 来源, 链接 or 标签 line after an item's body; False if it is none of them."""
        if source := SOURCE_RE.match(line):
            if self.item.source is not None or self.item_state == "closed":
                raise BriefingError(
                    _("a second 来源 line for the item “%(heading)s”")
                    % {"heading": self.item.heading},
                    line=number,
                )
            name = source["name"].strip()
            if not name:
                raise BriefingError(_("the 来源 line names no source"), line=number)
            check_length(name, MAX_SOURCE, _("source name"), number)
            self.item.source = name
        elif link := LINK_RE.match(line):
            check_length(link["url"], MAX_URL, _("link"), number)
            self.item.url = link["url"]
        elif tags := TAGS_RE.match(line):
            names = [tag.strip() for tag in TAG_SPLIT_RE.split(tags["tags"]) if tag.strip()]
            for name in names:
                check_length(name, MAX_TAG, _("tag"), number)
            self.item.tags = sorted(set(names))
        else:
            return False
        self.item_state = "closed"
        return True

    def start_section(self, number, name):
        self.finish_item()
        check_length(name, MAX_SECTION, _("section heading"), number)
        if name in self.sections:
            self.warn(
                number,
                _("the section “%(name)s” appears twice; its items are joined to the first")
                % {"name": name},
            )
        self.section = self.sections.setdefault(name, Section(name=name, line=number))

    def start_item(self, number, topic, headline):
        self.finish_item()
        if self.section is None:
            raise BriefingError(
                _("the item “%(heading)s” comes before any section heading such as AI技术动态")
                % {"heading": f"{topic}-{headline}"[:40]},
                line=number,
            )
        check_length(topic, MAX_TOPIC, _("topic"), number)
        check_length(headline, MAX_HEADLINE, _("headline"), number)
        self.item = BriefingItem(topic=topic, title=headline, body="", line=number)
        self.item_state = "heading"

    def add_body(self, number, line):
        self.item.body = f"{self.item.body}\n{line}" if self.item.body else line
        self.item_state = "body"

    def finish_item(self):
        if self.item is None:
            return
        if self.item_state == "heading":
            raise BriefingError(
                _("the item “%(heading)s” has no body: expected a paragraph after its heading")
                % {"heading": self.item.heading[:40]},
                line=self.item.line,
            )
        if self.item.source is None:
            self.warn(
                self.item.line,
                _("the item “%(heading)s” has no 来源 line") % {"heading": self.item.heading[:40]},
            )
        self.section.items.append(self.item)
        self.item = None
        self.item_state = None

    # --- closing blocks ---------------------------------------------------------------

    def set_analysis_title(self, number, title):
        if not title:
            raise BriefingError(_("the 深度解析 title is empty"), line=number)
        check_length(title, MAX_TITLE, _("analysis title"), number)
        self.analysis = Analysis(title=title)

    def read_analysis(self, number, line):
        if self.analysis is None:
            title = ANALYSIS_TITLE_RE.match(line)
            if not title:
                raise BriefingError(
                    _("expected the analysis title line 深度解析:TITLE, found “%(text)s”")
                    % {"text": line[:40]},
                    line=number,
                )
            self.set_analysis_title(number, title["title"].strip())
            return
        paragraph = split_label(line)
        if not paragraph.label:
            self.warn(number, _("an analysis paragraph without a label such as 背景:"))
        self.analysis.paragraphs.append(paragraph)

    def read_trends(self, number, line):
        if core := CORE_RE.match(line):
            if self.trends.summary:
                raise BriefingError(_("a second 今日核心趋势总结 line"), line=number)
            text = core["text"].strip()
            if not text:
                raise BriefingError(_("the 今日核心趋势总结 line is empty"), line=number)
            self.trends.summary = text
            return
        bullet = BULLET_RE.match(line)
        if not bullet or not bullet["text"].strip():
            raise BriefingError(
                _(
                    "expected a trend point “- LABEL:TEXT” or the line "
                    "今日核心趋势总结:…, found “%(text)s”"
                )
                % {"text": line[:40]},
                line=number,
            )
        if self.trends.summary:
            raise BriefingError(
                _("a trend point after 今日核心趋势总结; the summary line comes last"), line=number
            )
        self.trends.points.append(split_label(bullet["text"].strip()))

    def finish_blocks(self):
        if self.analysis_line is not None:
            if self.analysis is None:
                raise BriefingError(
                    _("the 深度解析 block has no title line 深度解析:TITLE"),
                    line=self.analysis_line,
                )
            if not self.analysis.paragraphs:
                self.warn(self.analysis_line, _("the 深度解析 block has no paragraphs"))
        if self.trends is not None:
            if not self.trends.points and not self.trends.summary:
                raise BriefingError(
                    _("the 趋势总结 block is empty: expected “- LABEL:TEXT” lines"),
                    line=self.trends_line,
                )
            if not self.trends.summary:
                self.warn(self.trends_line, _("the 趋势总结 block has no 今日核心趋势总结 line"))

    def check_duplicate_headlines(self, briefing):
        seen = {}
        for item in briefing.items:
            if item.title in seen:
                self.warn(
                    item.line,
                    _("the headline “%(title)s” is also used at line %(other)d")
                    % {"title": item.title[:40], "other": seen[item.title]},
                )
            else:
                seen[item.title] = item.line


def parse_text(text):
    """Parse a briefing's text (or UTF-8 bytes) into a ``Briefing``; raise ``BriefingError``."""
    return _Parser(decode(text)).parse()
