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

from . import grammar
from .grammar import (  # noqa: F401 (re-exported: the admin's forms read lines with them)
    HYPHENS,
    MAX_FILE_BYTES,
    MAX_ITEMS,
    MAX_LINE,
    RESERVED_HEADINGS,
    SENTENCE_PUNCTUATION,
    is_prose,
    is_section_heading,
    section_name,
    split_item_heading,
)
from .model import (
    Analysis,
    Briefing,
    BriefingError,
    BriefingItem,
    Labelled,
    Section,
    Trends,
)

# Bounded patterns only: each runs in time linear in the line (and lines are capped).
DATE_RES = [
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
]
# Kept for the admin's labelled-lines field: “- TEXT” (one bullet, then the rest).
BULLET_RE = re.compile("^[-\uff0d\u2022\u00b7*](?P<text>.*)$", re.DOTALL)


def decode(data):
    """Turn an uploaded file's bytes into text, refusing anything that is not UTF-8."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise BriefingError(
            _(
                "the briefing is %(size)d bytes long; at most %(limit)d bytes (%(mb)d MB) "
                "are allowed"
            )
            % {"size": size, "limit": MAX_FILE_BYTES, "mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
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
    """Split text into (line number, stripped line), as editors count lines.

    Refuses a line longer than ``MAX_LINE`` and control characters (other than
    tabs around the text), before any pattern reads the line.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > MAX_LINE:
            raise BriefingError(
                _("the line is %(length)d characters long; at most %(limit)d are allowed")
                % {"length": len(raw), "limit": MAX_LINE},
                line=number,
            )
        line = raw.strip()
        check(grammar.text_problems(line, _("line"), None, required=False), number)
        lines.append((number, line))
    return lines


def parse_date(raw, line):
    for pattern in DATE_RES:
        match = pattern.fullmatch(raw)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise BriefingError(
                    _("%(date)s is not a date that exists") % {"date": raw}, line=line
                ) from None
    raise BriefingError(
        _("expected the date as YYYY-MM-DD in the title line, found “%(date)s”")
        % {"date": raw[:40]},
        line=line,
    )


def split_label(text):
    """Split “背景:…” into Labelled("背景", "…"); text without a short label keeps label ""."""
    return Labelled(*grammar.split_label(text))


def check(problems, line):
    """Raise the first of a field's problems (from ``grammar``) as an error at ``line``."""
    if problems:
        raise BriefingError(problems[0], line=line)


class _Parser:
    """A line-by-line reader; one instance reads one briefing."""

    def __init__(self, text):
        self.lines = clean_lines(text)
        self.warnings = []
        self.sections = {}
        self.section = None
        self.item = None
        self.item_state = None  # "heading", "body" or "closed"
        self.item_count = 0
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
        parts = grammar.title_line(first)
        if not parts:
            raise BriefingError(
                _(
                    "expected the title line with the date, such as "
                    "每日科技新闻速览(2026-02-02), found “%(text)s”"
                )
                % {"text": first[:40]},
                line=first_number,
            )
        title, raw_date = parts
        if not title:
            raise BriefingError(_("the title before the date is empty"), line=first_number)
        check(grammar.title_problems(title), first_number)
        briefing = Briefing(date=parse_date(raw_date, first_number), title=title)

        rest = content[1:]
        if rest and (lede := grammar.lede_line(rest[0][1])) is not None:
            check(grammar.lede_problems(lede), rest[0][0])
            briefing.lede = lede
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
        if grammar.is_analysis_heading(line) or (
            self.block != "analysis" and grammar.analysis_title_line(line) is not None
        ):
            self.start_analysis(number, line)
        elif grammar.is_trends_heading(line):
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
        title = grammar.analysis_title_line(line)
        if title is not None:
            self.set_analysis_title(number, title)

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
            if grammar.source_line(line) is not None:
                raise BriefingError(
                    _("expected the body of the item “%(heading)s” before its 来源 line")
                    % {"heading": self.item.heading[:40]},
                    line=number,
                )
            self.add_body(number, line)
            return
        if self.item_state in ("body", "closed") and self.read_item_trailer(number, line):
            return
        heading = split_item_heading(line)
        if heading:
            self.start_item(number, *heading)
        elif grammar.reads_as_section(line) and grammar.bullet_line(line) is None:
            self.start_section(number, section_name(line))
        elif grammar.source_line(line) is not None:
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
        if grammar.is_trailer(line):
            return True
        if split_item_heading(line):
            return (
                following is not None
                and not grammar.is_trailer(following)
                and not grammar.opens_block(following)
            )
        if grammar.reads_as_section(line):
            return following is not None and split_item_heading(following) is not None
        return False

    def read_item_trailer(self, number, line):
        """Read a 来源, 链接 or 标签 line after an item's body; False if it is none of them."""
        if (name := grammar.source_line(line)) is not None:
            if self.item.source is not None or self.item_state == "closed":
                raise BriefingError(
                    _("a second 来源 line for the item “%(heading)s”")
                    % {"heading": self.item.heading[:40]},
                    line=number,
                )
            if not name:
                raise BriefingError(_("the 来源 line names no source"), line=number)
            check(grammar.source_problems(name), number)
            self.item.source = name
        elif (url := grammar.link_line(line)) is not None:
            check(grammar.url_problems(url), number)
            self.item.url = url
        elif (names := grammar.tags_line(line)) is not None:
            for name in names:
                check(grammar.tag_problems(name), number)
            self.item.tags = names
        else:
            return False
        self.item_state = "closed"
        return True

    def start_section(self, number, name):
        self.finish_item()
        check(grammar.section_problems(name), number)
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
        self.item_count += 1
        if problem := grammar.items_problem(self.item_count):
            raise BriefingError(problem, line=number)
        check(grammar.topic_problems(topic), number)
        check(grammar.headline_problems(headline), number)
        self.item = BriefingItem(topic=topic, title=headline, body="", line=number)
        self.item_state = "heading"

    def add_body(self, number, line):
        check(grammar.text_problems(line, _("body paragraph"), grammar.MAX_PARAGRAPH), number)
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
        check(grammar.body_problems(self.item.body, headings=False), self.item.line)
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
        check(grammar.analysis_title_problems(title), number)
        self.analysis = Analysis(title=title)

    def labelled(self, number, text):
        paragraph = split_label(text)
        check(grammar.labelled_problems(paragraph.label, paragraph.text), number)
        return paragraph

    def read_analysis(self, number, line):
        if self.analysis is None:
            title = grammar.analysis_title_line(line)
            if title is None:
                raise BriefingError(
                    _("expected the analysis title line 深度解析:TITLE, found “%(text)s”")
                    % {"text": line[:40]},
                    line=number,
                )
            self.set_analysis_title(number, title)
            return
        paragraph = self.labelled(number, line)
        if not paragraph.label:
            self.warn(number, _("an analysis paragraph without a label such as 背景:"))
        self.analysis.paragraphs.append(paragraph)

    def read_trends(self, number, line):
        if (text := grammar.core_line(line)) is not None:
            if self.trends.summary:
                raise BriefingError(_("a second 今日核心趋势总结 line"), line=number)
            if not text:
                raise BriefingError(_("the 今日核心趋势总结 line is empty"), line=number)
            check(grammar.summary_problems(text), number)
            self.trends.summary = text
            return
        text = grammar.bullet_line(line)
        if not text:
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
        self.trends.points.append(self.labelled(number, text))

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
                self.warn(self.trends_line, _("the 趋势总结 block is empty"))
            elif not self.trends.summary:
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
