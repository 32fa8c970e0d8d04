"""How close two items' texts are, and the MinHash bands that find close ones: pure functions.

An item's *features* are the set of its search tokens (``Item.search_title`` and
``search_body``, written by ``digests.search`` with jieba's search mode), less
what says nothing about the story: the single Chinese characters the search
index adds to every item, the year and month tokens, and a short list of words
every briefing item uses (宣布, 预计, 相关 …). Plain text (a candidate from a feed)
goes through the same tokenizer first, so both sides agree on what a word is.

The exact measure of "close" is the Jaccard index of two feature sets (the
share of their words they have in common), chosen over rapidfuzz's ratios and
over MinHash estimates on a labelled set of briefing items (tests/story_pairs.py;
docs/decisions.md has the table). MinHash only *finds* candidates: ``NUM_PERM``
hash functions give each item a signature, cut into ``BANDS`` bands of ``ROWS``
values; two items sharing any band are compared exactly. The chance that two
items of Jaccard index ``j`` share a band is ``1 - (1 - j**ROWS) ** BANDS``:
with 48 bands of 3 rows it is 0.5 at j ≈ 0.24, 0.83 at the measure's threshold
(``THRESHOLD``, 0.33), 0.96 at 0.4, 0.998 at 0.5 and 0.05 at 0.1 (``recall()``
computes it). Three rows, not two: with two, a tenth of all pairs would share a band.
"""

import hashlib
import re

import numpy as np
from datasketch import MinHash

from digests.search.tokenize import MONTH_PREFIX, YEAR_PREFIX, index_tokens, stored

NUM_PERM = 144
BANDS = 48
ROWS = NUM_PERM // BANDS
SEED = 20260202  # fixed: every process must compute the same bands for the same text
# Items whose Jaccard index reaches this are "close" (the best F1 on the labelled set).
THRESHOLD = 0.33
# Limits on outside text: the words of one item compared (a long body adds little).
MAX_FEATURES = 2000

# Tokens that are not words of the story: one Chinese character (the search index
# adds each character of the text once), the year and month tokens (y2026 m202611).
_NOISE = re.compile(
    rf"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|{YEAR_PREFIX}\d{{4}}|{MONTH_PREFIX}\d{{6}}"
)
# Words in nearly every briefing item, whatever its story: they only add false matches.
STOP_WORDS = frozenset(
    [
        "宣布",
        "表示",
        "预计",
        "相关",
        "产业",
        "规模",
        "突破",
        "带动",
        "约",
        "年",
        "月",
        "日",
        "其中",
        "目前",
        "已经",
        "将",
        "进一步",
        "实现",
        "推动",
        "通过",
        "以及",
        "同时",
        "此外",
        "进行",
        "提升",
        "发布",
        "推出",
        "公司",
        "企业",
        "国内",
        "全球",
        "中国",
        "领域",
        "技术",
        "其",
        "该",
        "据",
        "为",
        "来源",
        "一家",
        "多家",
        "亿元",
        "万亿",
        "万亿元",
        "美元",
        "亿美元",
        "万元",
    ]
)

# The scheme is named: datasketch 2 changed its default once, and the bands must not change.
SCHEME = "affine32"
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
_PERMUTATIONS = _TEMPLATE.permutations


def features(tokens):
    """The story's words among ``tokens`` (stored search tokens), as a frozenset."""
    kept = set()
    for token in tokens:
        if token and token not in STOP_WORDS and not _NOISE.fullmatch(token):
            kept.add(token)
            if len(kept) >= MAX_FEATURES:
                break
    return frozenset(kept)


def stored_features(search_title, search_body):
    """The features of an item from its stored tokens (no tokenizing)."""
    return features(f"{search_title} {search_body}".split())


def text_features(text, terms=()):
    """The features of plain text (a feed's entry, a pasted paragraph), tokenized as items are."""
    return features(map(stored, index_tokens(text, terms)))


def score(a, b):
    """The exact measure: the Jaccard index of two feature sets, 0 to 1."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(feature_set):
    """The MinHash signature of a feature set (``NUM_PERM`` unsigned values)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch([token.encode() for token in sorted(feature_set)])
    return minhash.hashvalues


def bands(feature_set):
    """The ``(band, value)`` pairs of a feature set, ``BANDS`` of them; none when it is empty
    (an empty signature would match every other empty one).

    A band's value is its ``ROWS`` signature values hashed to a signed 64-bit integer
    (a ``BigIntegerField``).
    """
    if not feature_set:
        return []
    values = np.asarray(signature(feature_set), dtype="<u8")
    pairs = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        pairs.append((band, int.from_bytes(digest, "little", signed=True)))
    return pairs


def recall(jaccard, bands=BANDS, rows=ROWS):
    """The chance that two items of this Jaccard index share at least one band."""
    return 1 - (1 - jaccard**rows) ** bands
