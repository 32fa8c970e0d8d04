"""Search over published items: jieba tokens, each database's own full-text index.

``tokenize`` turns text into words (pure: no models); ``index`` writes items'
tokens and follows the desk's search terms; ``query`` finds items;
``highlighting`` marks the query in their text. The admin for search terms is
``digests.search.admin``, imported explicitly by ``digests.admin`` so that
using the API never registers admin classes.
"""

from digests.search.highlighting import highlight, words_to_mark
from digests.search.index import (
    current_terms,
    index_items,
    rebuild,
    rebuild_search_index_task,
    reindex_digest,
    reindex_source,
    terms_changed,
    tokenizer_version,
)
from digests.search.query import matching, search
from digests.search.tokenize import index_tokens, query_tokens

__all__ = [
    "current_terms",
    "highlight",
    "index_items",
    "index_tokens",
    "matching",
    "query_tokens",
    "rebuild",
    "rebuild_search_index_task",
    "reindex_digest",
    "reindex_source",
    "search",
    "terms_changed",
    "tokenizer_version",
    "words_to_mark",
]
