"""Chinese and English text to search tokens: pure functions, no database.

Neither PostgreSQL nor SQLite can split Chinese into words, so Newsroom does it
with jieba and stores the words space-separated (``Item.search_title`` and
``search_body``); each database's own full-text engine indexes those. The same
functions run when an item is indexed and when a reader searches, so both sides
agree on what a word is. Text is NFKC-normalised (full-width ＡＩ is AI) and
lowercased first; tokens without a letter, digit or CJK character are dropped.

Indexing uses jieba's search mode, which yields every word at every
granularity (人形机器人 gives 人形, 机器, 机器人 and, with the term, 人形机器人),
plus each Chinese character once. A query uses precise mode, one segmentation,
except that a word jieba's statistics made up (not in its dictionary, such as
十中 in 前十中) is searched as its characters: how such words come out depends
on the text around them, so the item may hold them cut differently. The upshot,
checked over the demo week in the tests: a query made of whole words of an
item's text finds the item.

Terms (the shipped ``terms.txt`` and the desk's ``SearchTerm`` rows) are words
jieba must keep whole. An indexed term also brings the parts plain jieba would
cut it into, so adding a term never hides an item from a search for its parts.

Every word is then cut into *atoms*, the pieces both databases' full-text
parsers keep whole whatever surrounds them: a number (``3.0``, ``2026``), a
run of Latin letters (``gbps``), a run of other letters (``芯片``). So 100Gbps
is indexed as ``100 gbps`` and found by ``Gbps`` or ``100``; a query word of
several atoms (``100gbps``, ``qwen2.5``) must find them side by side, as a
phrase. Numbers are matched whole: ``3.0`` is not in ``13.0`` or ``3.0.1``, and
``1,000`` is the number 1000. Both parsers would cut ``3.0`` at its point
(SQLite) or keep ``3.0.1`` whole (PostgreSQL), so a number's points are stored
and searched as ``p`` (``3p0``): ``stored()`` does that, and no other atom can
hold a digit next to a letter.
"""

import functools
import hashlib
import itertools
import logging
import re
import threading
import unicodedata
from pathlib import Path

import jieba

# Bump when the tokens for the same text and terms change (normalisation, the
# jieba mode, the filter): every item's search_version then goes stale.
# 2: atoms, numbers whole, control characters dropped; 3: camel-case parts, date tokens
ALGORITHM_VERSION = "3"
TERMS_FILE = Path(__file__).with_name("terms.txt")
# High enough that a term beats any split of it and any overlapping word
# (the most frequent word in jieba's dictionary, 的, has about 320 000).
TERM_FREQ = 1_000_000
# jieba already keeps a run of ASCII letters and digits whole (6G, DeepSeek);
# as dictionary words they would only split longer runs (open|ai in openai).
_PLAIN_ASCII = re.compile(r"[a-z0-9]+")
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_CHARS}]")
_HAN_WORD = re.compile(f"{_HAN.pattern}+")
# What jieba is not needed for: numbers (with their decimal points) and runs of
# letters other than Chinese (Latin, accented, Cyrillic, kana …), taken straight
# from the text so that jieba's guesses never cut or glue them (3.0.1, 100gbps).
_DIRECT = re.compile(f"\\d+(?:\\.\\d+)*|[^\\W\\d_{_HAN_CHARS}]+")
# The atoms of any word: those, or a run of Chinese characters.
_ATOM = re.compile(f"{_DIRECT.pattern}|{_HAN_WORD.pattern}")
_NUMBER = re.compile(r"\d+(?:\.\d+)+")
# A run of letters other than Chinese, before lowercasing (camel_parts()).
_LETTERS = re.compile(f"[^\\W\\d_{_HAN_CHARS}]+")
# Control characters (NUL…) are no text: a space, so they also separate words.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A thousands separator inside a number: 1,000 is 1000.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
DECIMAL_POINT = "p"  # how a number's point is stored and searched (see stored())
# An item's year and month tokens (y2026 m202611): letters and digits that touch
# are always cut into atoms, so no query word can ever be one.
YEAR_PREFIX = "y"
MONTH_PREFIX = "m"

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on anyone's terminal

_lock = threading.Lock()
_tokenizers = {}  # tokenizer_version(terms) -> jieba.Tokenizer, for this process


def normalize(text):
    """The form text is segmented in: NFKC (full-width to ASCII), lowercase, no control
    characters, no thousands separators."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _THOUSANDS.sub("", _CONTROL.sub(" ", text))


def atoms(word):
    """A word's pieces both full-text parsers keep whole: numbers, Latin letters, other letters."""
    return _ATOM.findall(word)


def stored(token):
    """A token as the database indexes and searches it: a number's points as ``p``."""
    return token.replace(".", DECIMAL_POINT) if _NUMBER.fullmatch(token) else token


def is_number(token):
    """Whether an atom is a number (matched whole, never inside another number)."""
    return token[:1].isdigit()


def year_token(year):
    """The token an item of a digest of ``year`` is indexed with (``y2026``), never a query's."""
    return f"{YEAR_PREFIX}{year:04d}"


def month_token(year, month):
    """The token an item of a digest of that month is indexed with (``m202611``), never a
    query's."""
    return f"{MONTH_PREFIX}{year:04d}{month:02d}"


def camel_parts(text):
    """The parts of the camel-case words of ``text`` (not yet lowercased), lowercase, each once.

    OpenAI gives open and ai, DeepSeek deep and seek, xAI x and ai, AIGC nothing
    (one part). A part starts where a capital follows a small letter, or where a
    capital followed by two small letters ends a run of capitals (AI|Chip in
    AIChip; GPTs stays whole). One pass over the characters, no pattern: linear in any text.
    """
    parts = []
    for word in _LETTERS.findall(text):
        cuts = [0]
        for i in range(1, len(word)):
            before, char, after = word[i - 1], word[i], word[i + 1 : i + 3]
            ends_capitals = before.isupper() and len(after) == 2 and after.islower()
            if char.isupper() and (before.islower() or ends_capitals):
                cuts.append(i)
        if len(cuts) > 1:
            cuts.append(len(word))
            parts.extend(word[a:b].lower() for a, b in itertools.pairwise(cuts))
    return list(dict.fromkeys(parts))


def normalize_terms(terms):
    """Terms as the tokenizer uses them: normalised, stripped, unique and sorted."""
    return _normalized(tuple(terms))


@functools.lru_cache(maxsize=16)
def _normalized(terms):
    # Cached: indexing calls this twice per item with the same few hundred terms.
    return tuple(sorted({normalize(term).strip() for term in terms} - {""}))


@functools.cache
def shipped_terms():
    """The terms Newsroom ships in ``terms.txt`` (one a line; ``#`` starts a comment)."""
    lines = TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return normalize_terms(line.split("#", 1)[0] for line in lines)


def tokenizer_version(terms):
    """A 12-hex-digit fingerprint of jieba, this algorithm and the terms: the index's version."""
    return _fingerprint(normalize_terms(terms))


@functools.lru_cache(maxsize=16)
def _fingerprint(terms):
    text = "\n".join([jieba.__version__, ALGORITHM_VERSION, *terms])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _plain():
    """jieba's own dictionary, loaded once per process (about two seconds)."""
    with _lock:
        if None not in _tokenizers:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizers[None] = tokenizer
        return _tokenizers[None]


def warm_up():
    """Load jieba's dictionary now: the web server calls this once a worker starts,
    so no reader's first search waits for it."""
    _plain()


def _tokenizer(terms):
    """A jieba tokenizer that keeps ``terms`` whole; built once per process per set of terms."""
    terms = normalize_terms(terms)
    if not terms:
        return _plain()
    version = tokenizer_version(terms)
    tokenizer = _tokenizers.get(version)
    if tokenizer is None:
        plain = _plain()
        tokenizer = jieba.Tokenizer()
        # What initialize() would load from jieba's cache file, copied from memory
        # (milliseconds instead of seconds); add_word then adds to the copy only.
        tokenizer.FREQ, tokenizer.total = dict(plain.FREQ), plain.total
        tokenizer.initialized = True
        for term in terms:
            # jieba only segments the Chinese part of a text (see _segments): a
            # term such as 生成式AI keeps its Chinese part whole.
            for word in _HAN_WORD.findall(term):
                tokenizer.add_word(word, freq=TERM_FREQ)
        with _lock:
            # Terms change rarely: keep the newest set only, beside the plain one.
            for old in [key for key in _tokenizers if key is not None]:
                del _tokenizers[old]
            _tokenizers[version] = tokenizer
    return tokenizer


def _segments(text):
    """``text`` (normalised) in order, as ``(atoms, None)`` for a run of numbers and
    letters that touch (100gbps: ``("100", "gbps")``) and ``(None, rest)`` for what
    lies between, which jieba segments."""
    position, group = 0, []
    for match in _DIRECT.finditer(text):
        if match.start() > position:
            if group:
                yield tuple(group), None
                group = []
            yield None, text[position : match.start()]
        group.append(match.group())
        position = match.end()
    if group:
        yield tuple(group), None
    if position < len(text):
        yield None, text[position:]


def index_tokens(text, terms=()):
    """Every word of ``text`` at every granularity, for the index (repeats kept: they rank).

    Numbers and letter runs come straight from the text, in order; the Chinese
    between them is cut by jieba's search mode. Each term found anywhere in the
    text is indexed whole, even where the segmentation took a neighbouring term
    instead (生成式AI芯片 holds AI芯片 too), with the parts plain jieba cuts it into;
    then every Chinese character of the text, once, and the parts of its camel-case
    words (OpenAI: open, ai), once. Each word is given as its atoms.
    """
    terms = normalize_terms(terms)
    parts = camel_parts(unicodedata.normalize("NFKC", text or ""))
    text = normalize(text)
    tokenizer = _tokenizer(terms)
    tokens = []
    for group, rest in _segments(text):
        if group:
            tokens.extend(group)
        else:
            tokens.extend(a for word in tokenizer.cut_for_search(rest) for a in atoms(word))
    found = [t for t in terms if t in text and not _PLAIN_ASCII.fullmatch(t)]
    if found:
        plain = _plain()
        for term in found:
            if not set(atoms(term)) <= set(tokens):
                tokens.extend(atoms(term))
            tokens.extend(a for part in plain.lcut(term) if part != term for a in atoms(part))
    tokens.extend(dict.fromkeys(_HAN.findall(text)))
    tokens.extend(part for part in parts if part not in tokens)
    return tokens


def _made_up(word, tokenizer):
    """Whether jieba's statistics, not its dictionary (nor a term), produced a Chinese word."""
    return len(word) > 1 and bool(_HAN_WORD.fullmatch(word)) and not tokenizer.FREQ.get(word)


def query_words(text, terms=()):
    """The words of a query, each once and as a tuple of its atoms: one atom for most
    words, several for letters and numbers that touch (100gbps), which the index
    must hold side by side. Chinese is cut in precise mode, made-up words as
    their characters."""
    tokenizer = _tokenizer(terms)
    words = []
    for group, rest in _segments(normalize(text)):
        if group:
            words.append(group)
            continue
        for word in tokenizer.lcut(rest):
            word = word.strip()
            if _made_up(word, tokenizer):
                words.extend((char,) for char in word)
            else:
                words.extend((atom,) for atom in atoms(word))
    return list(dict.fromkeys(words))


def query_tokens(text, terms=()):
    """The atoms of a query's words, each once (what the results page marks)."""
    return list(dict.fromkeys(atom for word in query_words(text, terms) for atom in word))
