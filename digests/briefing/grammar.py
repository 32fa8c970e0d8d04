"""The briefing's grammar: every limit and rule on what a digest may hold, in one place.

Pure Python, no database. The parser, the JSON schema, the model fields, the
admin's validators and the JSON import all read their limits and rules from here,
so that whatever one of them accepts, the plain-text export writes back in a form
the parser reads as the same digest (tests/test_grammar.py checks that property).

Two kinds of things live here:

* how a line is read: ``title_line``, ``source_line``, ``split_item_heading``,
  ``is_section_heading``, ``split_label`` … (the parser is built from them);
* what a field may hold: ``title_problems``, ``headline_problems``,
  ``body_problems`` … each returns a list of messages (empty when the value is
  fine) that say what was expected. The parser turns a message into a
  line-numbered error, the JSON import into a path-named one, the model
  validators into a ``ValidationError``.

Every function here is linear in its input: string methods and single-character
scans, no regular expression that can backtrack. ``MAX_LINE`` and
``MAX_FILE_BYTES`` bound the input before any of it runs.
"""

import re

from django.utils.translation import gettext as _

# --- limits -------------------------------------------------------------------------
# The database columns use these as max_length; docs/briefing-format.md and
# docs/briefing.schema.json state them (tests/test_grammar.py keeps them in step).

MAX_TITLE = 200  # the digest's title and the analysis title
MAX_TOPIC = 40
MAX_HEADLINE = 200
MAX_SECTION = 50  # a section name; also the longest line read as a section heading
MAX_SOURCE = 100
MAX_LABEL = 30
MAX_URL = 500
MAX_TAG = 100
MAX_PARAGRAPH = 5000  # a body paragraph, the lede, a labelled text, the trend summary
MAX_BODY = 5000  # an item's whole body
MAX_LINE = 6000  # any line of a text briefing, in characters
MAX_FILE_BYTES = 2 * 1024 * 1024  # a text or JSON briefing, in bytes of UTF-8
MAX_ITEMS = 100  # the most items one digest may hold (a real day has about 13)
MAX_JSON_DEPTH = 20  # nesting of a JSON briefing (it needs 5)

# --- characters -------------------------------------------------------------------------

COLONS = ":\uff1a"  # half- or full-width colon
# Hyphens between topic and headline: ASCII, full-width, Unicode hyphens and the en dash.
HYPHENS = "-\uff0d\u2010\u2011\u2013"
# Punctuation that ends or splits a sentence: a line holding one is prose, not a heading.
SENTENCE_PUNCTUATION = frozenset(
    ',;:!?\uff0c\u3002\uff1b\uff1a\uff01\uff1f\u3001\u201c\u201d"\u300a\u300b()\uff08\uff09\u3010\u3011[]'
)
# The characters that start a trend point (and so cannot start a section name).
BULLETS = "-\uff0d\u2022\u00b7*"
# Separators of the 标签 line: a tag cannot hold one.
TAG_SEPARATORS = ",\uff0c\u3001;\uff1b"
# Lines that open the closing blocks; no section may be called this.
RESERVED_HEADINGS = ("深度解析", "趋势总结")
HEADLINE_END = "\u3002"  # a line ending in 。 is a sentence, never an item heading

# Control characters (tab included), lone surrogates, the byte-order mark and the
# Unicode line and paragraph separators: never part of a briefing's text. A line
# break is allowed in multi-line fields only (an item's body).
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_TAG_SPLIT = re.compile(f"[{TAG_SEPARATORS}]")


# --- reading lines -------------------------------------------------------------------------


def is_prose(text):
    return any(char in SENTENCE_PUNCTUATION for char in text)


def after_keyword(line, *keywords):
    """For “KEYWORD:rest” (spaces allowed around the colon) return rest, stripped; else None."""
    for keyword in keywords:
        if line.startswith(keyword):
            rest = line[len(keyword) :].lstrip()
            if rest[:1] and rest[0] in COLONS:
                return rest[1:].strip()
    return None


def without_hashes(line):
    """A heading may be written as Markdown: “# 深度解析”."""
    return line.lstrip("#").lstrip() if line.startswith("#") else line


def title_line(line):
    """Split “TITLE(DATE)” (half- or full-width brackets) into (title, date); else None."""
    if not line.endswith((")", "\uff09")):
        return None
    opening = max(line.rfind("("), line.rfind("\uff08"))
    if opening < 0 or any(char in "()\uff08\uff09" for char in line[opening + 1 : -1]):
        return None
    return line[:opening].strip(), line[opening + 1 : -1].strip()


def lede_line(line):
    return after_keyword(line, "导语")


def source_line(line):
    """The source named by “来源:NAME。” (the 。 is optional), or None."""
    rest = after_keyword(line, "来源")
    if rest is None:
        return None
    return rest.removesuffix(HEADLINE_END).rstrip()


def is_web_address(value):
    scheme, separator, rest = value.partition("://")
    return (
        bool(separator)
        and scheme.lower() in ("http", "https")
        and bool(rest)
        and not any(char.isspace() for char in value)
    )


def link_line(line):
    """The address of “链接:https://…” (or 原文:), or None."""
    rest = after_keyword(line, "链接", "原文")
    return rest if rest is not None and is_web_address(rest) else None


def tags_line(line):
    """The tags of “标签:甲,乙”, sorted and without repeats, or None."""
    rest = after_keyword(line, "标签")
    if rest is None:
        return None
    return sorted({tag.strip() for tag in _TAG_SPLIT.split(rest) if tag.strip()})


def is_analysis_heading(line):
    return without_hashes(line) == RESERVED_HEADINGS[0]


def analysis_title_line(line):
    return after_keyword(without_hashes(line), RESERVED_HEADINGS[0])


def is_trends_heading(line):
    return without_hashes(line) == RESERVED_HEADINGS[1]


def core_line(line):
    return after_keyword(line, "今日核心趋势总结")


def bullet_line(line):
    """The text of a trend point “- TEXT”, or None."""
    return line[1:].strip() if line[:1] and line[0] in BULLETS else None


def is_trailer(line):
    """A 来源, 链接 or 标签 line, which closes an item's body."""
    return (
        source_line(line) is not None
        or link_line(line) is not None
        or after_keyword(line, "标签") is not None
    )


def opens_block(line):
    return is_analysis_heading(line) or is_trends_heading(line)


def split_item_heading(line):
    """Return (topic, headline) when the line reads as TOPIC-HEADLINE, else None."""
    for index, char in enumerate(line):
        if char in HYPHENS:
            topic, headline = line[:index].strip(), line[index + 1 :].strip()
            if not topic or not headline or len(topic) > MAX_TOPIC or is_prose(topic):
                return None
            if headline.endswith(HEADLINE_END):
                return None
            return topic, headline
    return None


def section_name(line):
    return line.lstrip("#").strip()


def is_section_heading(line):
    return (
        0 < len(line) <= MAX_SECTION
        and not is_prose(line)
        and not any(char in HYPHENS for char in line)
        and not line.startswith(("-", "*", "•"))
    )


def reads_as_section(line):
    """Whether a line (as written) would be taken for a section heading."""
    return is_section_heading(section_name(line))


def split_label(text):
    """Split “背景:…” into (label, text); text without a short label gives ("", text).

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
                return label, body
            break
    return "", text


def normalize_body(value):
    """An item's body as the text format holds it: stripped paragraphs, no blank lines."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


# --- what a field may hold --------------------------------------------------------------


def text_problems(value, what, limit, *, required=True, multiline=False):
    """The rules every text obeys: a string, characters, surrounding space, length."""
    if not isinstance(value, str):
        return [_("the %(what)s must be text") % {"what": what}]
    if not multiline and ("\n" in value or "\r" in value):
        return [_("the %(what)s must be one line, without line breaks") % {"what": what}]
    if bad := _FORBIDDEN.search(value):
        return [
            _(
                "the %(what)s contains the control character U+%(code)04X at position "
                "%(position)d; expected printable text"
            )
            % {"what": what, "code": ord(bad.group()), "position": bad.start() + 1}
        ]
    if not multiline and value != value.strip():
        return [_("the %(what)s begins or ends with a space") % {"what": what}]
    if required and not value.strip():
        return [_("the %(what)s is empty") % {"what": what}]
    if limit is not None and len(value) > limit:
        return [
            _("the %(what)s is %(length)d characters long; at most %(limit)d are allowed")
            % {"what": what, "length": len(value), "limit": limit}
        ]
    return []


def _characters_problem(value, what, characters, why):
    found = sorted({char for char in value if char in characters})
    if found:
        return [
            _("the %(what)s cannot contain %(chars)s: %(why)s")
            % {"what": what, "chars": " ".join(found), "why": why}
        ]
    return []


def title_problems(value):
    return text_problems(value, _("title"), MAX_TITLE)


def lede_problems(value):
    return text_problems(value, _("lede"), MAX_PARAGRAPH, required=False)


def section_problems(value):
    what = _("section name")
    if problems := text_problems(value, what, MAX_SECTION):
        return problems
    if section_name(value) in RESERVED_HEADINGS or value in RESERVED_HEADINGS:
        return [
            _("%(name)s opens a closing block of the briefing and cannot name a section")
            % {"name": value}
        ]
    if value.startswith("#") or value[0] in BULLETS or value[0] in "*•":
        return [
            _("the %(what)s cannot begin with %(char)s: that reads as markup or a trend point")
            % {"what": what, "char": value[0]}
        ]
    return _characters_problem(
        value,
        what,
        set(HYPHENS) | SENTENCE_PUNCTUATION,
        _("a section heading stands alone on its line, without hyphens or sentence punctuation"),
    )


def topic_problems(value):
    what = _("topic")
    return text_problems(value, what, MAX_TOPIC) or _characters_problem(
        value,
        what,
        set(HYPHENS) | SENTENCE_PUNCTUATION,
        _("the heading is written TOPIC-HEADLINE"),
    )


def headline_problems(value):
    what = _("headline")
    if problems := text_problems(value, what, MAX_HEADLINE):
        return problems
    if value.endswith(HEADLINE_END):
        return [
            _(
                "the headline cannot end with 。: a line ending in 。 reads as a paragraph, "
                "not a heading"
            )
        ]
    return []


def body_problems(value, *, headings=True, trailer=True):
    """What an item's body may hold; ``value`` is normalized first (see ``normalize_body``).

    With ``headings``, also refuse paragraphs that the parser would read as something
    else once the body is written out: a 来源/链接/标签 line, a block heading, an item
    heading after the first paragraph, or a section heading before an item heading.
    ``trailer`` says whether a 来源, 链接 or 标签 line follows the body; without one
    the last paragraph cannot look like a heading either.
    """
    what = _("body")
    if not isinstance(value, str):
        return text_problems(value, what, None)
    value = normalize_body(value)
    if problems := text_problems(value, what, None, multiline=True):
        return problems
    paragraphs = value.split("\n")
    problems = []
    total = sum(len(paragraph) for paragraph in paragraphs) + len(paragraphs) - 1
    if total > MAX_BODY:
        problems.append(
            _("the %(what)s is %(length)d characters long; at most %(limit)d are allowed")
            % {"what": what, "length": total, "limit": MAX_BODY}
        )
    for number, paragraph in enumerate(paragraphs, start=1):
        if len(paragraph) > MAX_PARAGRAPH:
            problems.append(
                _("paragraph %(number)d is %(length)d characters long; at most %(limit)d")
                % {"number": number, "length": len(paragraph), "limit": MAX_PARAGRAPH}
            )
    if not headings or problems:
        return problems
    last = len(paragraphs)
    for number, paragraph in enumerate(paragraphs, start=1):
        following = paragraphs[number] if number < last else None
        if is_trailer(paragraph) or opens_block(paragraph) or analysis_title_line(paragraph):
            problems.append(
                _(
                    "paragraph %(number)d reads as a 来源, 链接, 标签, 深度解析 or 趋势总结 line; "
                    "the source, link and tags have fields of their own"
                )
                % {"number": number}
            )
        elif number == 1:
            continue
        elif split_item_heading(paragraph) and (following is not None or not trailer):
            problems.append(
                _(
                    "paragraph %(number)d reads as an item heading TOPIC-HEADLINE; "
                    "end it with 。 or join it to the paragraph before"
                )
                % {"number": number}
            )
        elif reads_as_section(paragraph) and (
            (following is not None and split_item_heading(following))
            or (following is None and not trailer)
        ):
            problems.append(
                _(
                    "paragraph %(number)d reads as a section heading (a short line without "
                    "punctuation); end it with 。 or join it to the paragraph before"
                )
                % {"number": number}
            )
    return problems


def source_problems(value):
    what = _("source name")
    if problems := text_problems(value, what, MAX_SOURCE):
        return problems
    if value.endswith(HEADLINE_END):
        return [_("the source name cannot end with 。 (the 来源 line may end with one)")]
    return []


def url_problems(value):
    what = _("link")
    if value == "" or value is None:
        return []
    if problems := text_problems(value, what, MAX_URL):
        return problems
    if not is_web_address(value):
        return [_("the link must be an http:// or https:// address without spaces")]
    return []


def tag_problems(value):
    what = _("tag")
    return text_problems(value, what, MAX_TAG) or _characters_problem(
        value, what, TAG_SEPARATORS, _("they separate the tags of a 标签 line")
    )


def analysis_title_problems(value):
    return text_problems(value, _("analysis title"), MAX_TITLE)


def label_problems(value):
    what = _("label")
    return text_problems(value, what, MAX_LABEL, required=False) or _characters_problem(
        value, what, SENTENCE_PUNCTUATION, _("the label ends at the first colon")
    )


def labelled_problems(label, text):
    """A labelled paragraph or trend point: the label's rules, the text's, and how they read."""
    if problems := label_problems(label):
        return problems
    if problems := text_problems(text, _("text"), MAX_PARAGRAPH):
        return problems
    if not label:
        read_label, _rest = split_label(text)
        if read_label:
            return [
                _(
                    "the text reads as the label “%(label)s” followed by its text; "
                    "put %(label)s in the label field"
                )
                % {"label": read_label}
            ]
        if opens_block(text) or is_trends_heading(text):
            return [_("the text %(text)s alone opens a block of the briefing") % {"text": text}]
    return []


def summary_problems(value):
    return text_problems(value, _("trend summary"), MAX_PARAGRAPH, required=False)


def items_problem(count):
    """The message for a digest with too many items, or None."""
    if count > MAX_ITEMS:
        return _("a digest holds at most %(limit)d items; this one has %(count)d") % {
            "limit": MAX_ITEMS,
            "count": count,
        }
    return None
