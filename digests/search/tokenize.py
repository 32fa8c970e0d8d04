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
"""

import functools
import hashlib
import logging
import re
import threading
import unicodedata
from pathlib import Path

import jieba

# Bump when the tokens for the same text and terms change (normalisation, the
# jieba mode, the filter): every item's search_version then goes stale.
ALGORITHM_VERSION = "1"
TERMS_FILE = Path(__file__).with_name("terms.txt")
# High enough that a term beats any split of it and any overlapping word
# (the most frequent word in jieba's dictionary, 的, has about 320 000).
TERM_FREQ = 1_000_000
# jieba already keeps a run of ASCII letters and digits whole (6G, DeepSeek);
# as dictionary words they would only split longer runs (open|ai in openai).
_PLAIN_ASCII = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_WORD = re.compile(f"{_HAN.pattern}+")

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on anyone's terminal

_lock = threading.Lock()
_tokenizers = {}  # tokenizer_version(terms) -> jieba.Tokenizer, for this process


def normalize(text):
    """The form text is segmented in: NFKC (full-width to ASCII) and lowercase."""
    return unicodedata.normalize("NFKC", text or "").lower()


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
            if not _PLAIN_ASCII.fullmatch(term):
                tokenizer.add_word(term, freq=TERM_FREQ)
        with _lock:
            # Terms change rarely: keep the newest set only, beside the plain one.
            for old in [key for key in _tokenizers if key is not None]:
                del _tokenizers[old]
            _tokenizers[version] = tokenizer
    return tokenizer


def _is_word(token):
    """Whether a token has a letter, a digit or a CJK character (not only punctuation)."""
    return any(char.isalnum() for char in token)


def index_tokens(text, terms=()):
    """Every word of ``text`` at every granularity, for the index (repeats kept: they rank).

    Each term found anywhere in the text is indexed whole, even where the
    segmentation took a neighbouring term instead (生成式AI芯片 is cut 生成式ai|芯片
    yet holds AI芯片 too), with the parts plain jieba cuts it into; then every
    Chinese character of the text, once.
    """
    terms = normalize_terms(terms)
    text = normalize(text)
    tokens = [w.strip() for w in _tokenizer(terms).cut_for_search(text)]
    tokens = [w for w in tokens if _is_word(w)]
    found = [t for t in terms if t in text and not _PLAIN_ASCII.fullmatch(t)]
    if found:
        plain = _plain()
        for term in found:
            if term not in tokens:
                tokens.append(term)
            tokens.extend(part for part in plain.lcut(term) if part != term and _is_word(part))
    tokens.extend(dict.fromkeys(_HAN.findall(text)))
    return tokens


def _made_up(word, tokenizer):
    """Whether jieba's statistics, not its dictionary (nor a term), produced a Chinese word."""
    return len(word) > 1 and bool(_HAN_WORD.fullmatch(word)) and not tokenizer.FREQ.get(word)


def query_tokens(text, terms=()):
    """The words of a query in precise mode, each once; made-up words as their characters."""
    tokenizer = _tokenizer(terms)
    tokens = []
    for word in tokenizer.lcut(normalize(text)):
        word = word.strip()
        if _made_up(word, tokenizer):
            tokens.extend(word)
        elif _is_word(word):
            tokens.append(word)
    return list(dict.fromkeys(tokens))
