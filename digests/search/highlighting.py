"""Marking a reader's query in an item's text, for the results page."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from digests.search.query import match_words
from digests.search.tokenize import _HAN_CHARS, is_number, normalize

# A prefix word (a query of two Latin letters, see ``query.match_words``) is marked
# where a token starts: not after another Latin letter, or at a camel-case
# capital (the ai of OpenAI and AIGC, not of email). Fixed-width lookarounds only.
PREFIX = "*"
_WORD_START = rf"(?:(?<![^\W\d_{_HAN_CHARS}])|(?<=[^\W\d_])(?=(?-i:[A-Z])))"

ELLIPSIS = "…"


def words_to_mark(q_or_tokens):
    """The words a query looks for, as ``search`` does: the query itself and its atoms;
    a prefix word (``ai``) as ``ai*``."""
    if not isinstance(q_or_tokens, str):
        return [token for token in q_or_tokens if token]
    q = normalize(q_or_tokens).strip()
    words = match_words(q)
    if not words:
        return []
    atoms = [atom + PREFIX if word.prefix else atom for word in words for atom in word.atoms]
    whole = [] if any(word.prefix for word in words) else [q]  # "ai" is not marked in email
    return list(dict.fromkeys([*whole, *atoms]))


def _word_pattern(token):
    """A token's pattern; a number only where it stands whole (3.0 is not marked in 13.0),
    a prefix (``ai*``) only where a token starts."""
    if token.endswith(PREFIX):
        return _WORD_START + re.escape(token[: -len(PREFIX)])
    if is_number(token):
        return rf"(?<!\d)(?<!\d\.){re.escape(token)}(?!\.?\d)"
    return re.escape(token)


def _pattern(tokens):
    """A case-insensitive pattern for the tokens, longest first so it wins where they overlap."""
    unique = sorted(set(tokens), key=lambda token: (-len(token), token))
    return re.compile("|".join(_word_pattern(token) for token in unique), re.IGNORECASE)


def _window(text, match, length):
    """The start and end of about ``length`` characters around a match (all of the match)."""
    if match is None:
        return 0, min(len(text), length)
    start = max(0, match.start() - length // 4)
    end = max(min(len(text), start + length), match.end())
    start = max(0, min(start, end - length))
    return start, end


def highlight(text, q_or_tokens, length=None):
    """``text`` HTML-escaped, each occurrence of the query's words wrapped in ``<mark>``.

    ``q_or_tokens`` is the reader's query or a list of words. With ``length``,
    only a snippet of about that many characters is returned: around the first
    match, or the start of the text if nothing matches, with … where it is cut.
    """
    text = text or ""
    tokens = words_to_mark(q_or_tokens)
    pattern = _pattern(tokens) if tokens else None
    if length is not None:
        start, end = _window(text, pattern.search(text) if pattern else None, length)
        before, after = ELLIPSIS if start > 0 else "", ELLIPSIS if end < len(text) else ""
        return mark_safe(before + str(highlight(text[start:end], tokens)) + after)
    if pattern is None:
        return escape(text)
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
