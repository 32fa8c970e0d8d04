"""Finding items for a query, with each database's full-text engine.

A query's words (``match_words``) are matched against the stored index: on
PostgreSQL the generated ``search_vector`` (migration 0005), on SQLite the FTS5
table. Every word must be in the item; a word of touching letters and numbers
(100Gbps) is a phrase of its atoms side by side. The query is normalised like
the indexed text (NFKC: ＡＩ is AI; control characters dropped).

Short queries are token searches too (no substring scans): a Chinese character
or word is a token of its own; two Latin letters (AI) match every token that
starts with them (AIGC, and OpenAI's camel-case part ai); one letter is an
exact token. Numbers are always whole: 30 does not find 130.

A reader's search (``search``) considers at most ``CANDIDATES`` published
items, the newest matches: each item is indexed with its year and month
(``y2026 m202611``), and the search walks the months newest first, a pure
index intersection, until it has enough. Only those candidates are ranked:
headline matches first, then the text match weighed by age, then the newest
day, position and pk. The desk's
search (``matching``) narrows any queryset by the same match, unranked.

The user's text only ever reaches the database as a query parameter.
"""

import dataclasses
import datetime
import math
from itertools import chain
from typing import NamedTuple

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    Func,
    Max,
    Min,
    TextField,
)
from django.db.models.expressions import Col, RawSQL

from digests.models import Digest, Item
from digests.search.index import current_terms
from digests.search.tokenize import (
    _HAN,
    is_number,
    month_token,
    normalize,
    query_words,
    stored,
    year_token,
)

SHORT_QUERY = 2  # characters; up to this (without a digit), Latin letters match as a prefix
CANDIDATES = 500  # the most matches a reader's search ranks (settings.SEARCH_CANDIDATES)
# Recency: a match's score is divided by 1 + its age in years (a year-old match
# needs twice the text score of today's to rank beside it).
AGE_UNIT_DAYS = 365
# The first query of a reader's search takes the newest 3 months: enough for the most common
# words (突破: 1,080 matches) and a steadier rate than one month's for sizing the next. A
# prefix (AI) takes a year: the index reads every token starting with it whatever the
# months (6 ms for ai:*), so one query, not two, is the saving.
FIRST_MONTHS = 3
FIRST_MONTHS_PREFIX = 12


@dataclasses.dataclass(frozen=True)
class Word:
    """One word every match must hold: its atoms side by side, or tokens starting with it."""

    atoms: tuple
    prefix: bool = False

    @property
    def phrase(self):
        """Whether the word is atoms side by side (100Gbps): a position check per item."""
        return len(self.atoms) > 1 and not self.prefix

    def tsquery(self, phrase=True):
        """SQL and parameter of this word as a PostgreSQL tsquery; with ``phrase`` false,
        its atoms anywhere in the item (which the index answers without reading it)."""
        if self.prefix:
            return "to_tsquery('simple', quote_literal(%s) || ':*')", self.atoms[0]
        function = "phraseto_tsquery" if phrase else "plainto_tsquery"
        return f"{function}('simple', %s)", " ".join(map(stored, self.atoms))

    def fts5(self):
        """This word as an FTS5 query: a quoted phrase, or a quoted prefix."""
        phrase = " ".join(map(stored, self.atoms)).replace('"', '""')
        return f'"{phrase}"*' if self.prefix else f'"{phrase}"'


def short_query(q):
    """Whether a normalised query is short: two characters or fewer, no digit in them."""
    return len(q) <= SHORT_QUERY and not any(char.isdigit() for char in q)


def _latin_pair(word):
    """Whether a query word is two letters of a non-Chinese script (ai): a prefix when alone."""
    (atom,) = word if len(word) == 1 else (None,)
    return atom is not None and len(atom) == 2 and not is_number(atom) and not _HAN.match(atom)


def match_words(q):
    """The ``Word``s of a reader's or editor's query, [] if it has none."""
    q = normalize(q).strip()
    if not q:
        return []
    words = query_words(q, current_terms())
    short = short_query(q)
    return [Word(word, prefix=short and _latin_pair(word)) for word in words]


def date_tokens(months):
    """The fewest date tokens that cover ``months`` ((year, month) pairs): a year's token
    where all twelve of its months are there, else each month's.

    Every token is one more branch the index checks for each candidate item, so
    a batch of 105 months is ``y2025 … y2018`` and a few months, not 105 tokens.
    """
    by_year = {}
    for year, month in months:
        by_year.setdefault(year, []).append(month)
    tokens = []
    for year, in_year in by_year.items():
        if len(set(in_year)) == 12:
            tokens.append(year_token(year))
        else:
            tokens.extend(month_token(year, month) for month in in_year)
    return tokens


# -- PostgreSQL ---------------------------------------------------------------


class _Column(Expression):
    """A column of the query's own table that the model does not declare (``search_vector``
    and ``search_title_vector``, generated by the database): aliased like any other,
    so it also works inside a subquery."""

    def __init__(self, column):
        super().__init__(output_field=TextField())
        self.column = column

    def resolve_expression(self, query=None, *args, **kwargs):
        field = TextField()
        field.set_attributes_from_name(self.column)
        field.model = query.model  # hashable like a declared column's (in an ORDER BY's checks)
        return Col(query.get_initial_alias(), field, output_field=TextField())


def _tsquery(words, months=(), phrases=True):
    """A RawSQL tsquery requiring every word (and, with ``months``, one of those months);
    with ``phrases`` false, a phrase's atoms anywhere."""
    parts = [word.tsquery(phrases) for word in words]
    sql = [part[0] for part in parts]
    params = [part[1] for part in parts]
    if months:
        sql.append("to_tsquery('simple', %s)")
        params.append(" | ".join(date_tokens(months)))
    return RawSQL("(" + " && ".join(sql) + ")", params, output_field=TextField())


def _pg_matches(column, words, months=(), phrases=True):
    return Func(
        _Column(column),
        _tsquery(words, months, phrases),
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


# -- SQLite ---------------------------------------------------------------------

_FTS_IDS = "SELECT rowid FROM digests_item_fts WHERE digests_item_fts MATCH %s"


def fts5_query(words, months=(), column=None):
    """An FTS5 MATCH string requiring every word (in ``column`` only, if given) and,
    with ``months``, one of those months."""
    query = " AND ".join(word.fts5() for word in words)
    if column:
        query = f"{column} : ({query})"
    if months:
        query += " AND (" + " OR ".join(date_tokens(months)) + ")"
    return query


# -- Both -------------------------------------------------------------------------


def _vendor(queryset):
    vendor = connections[queryset.db].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotSupportedError(f"Newsroom's search supports PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _match(queryset, words, months=()):
    """``queryset`` narrowed to items holding every word (and one of ``months``)."""
    if _vendor(queryset) == "postgresql":
        return queryset.filter(_pg_matches("search_vector", words, months))
    return queryset.filter(pk__in=RawSQL(_FTS_IDS, [fts5_query(words, months)]))


def matching(q, items):
    """``items`` (any status) narrowed to those matching ``q``: unranked, uncapped.

    For the desk's search: the same tokens and short-query rules as a reader's
    search, served by the same index.
    """
    words = match_words(q)
    return _match(items, words) if words else items.none()


class Hit(NamedTuple):
    """A ranked candidate as the database returns it: a plain tuple (cheap by the
    thousand), named only for the page's twenty (``Hit._make``)."""

    pk: int
    in_title: bool
    rank: float
    score: float  # the text match weighed by age: rank / (1 + age in AGE_UNIT_DAYS)
    date: datetime.date
    position: int


def _order(hit):
    """A candidate's sort key, best first (the order ``search`` states)."""
    pk, in_title, _, score, date, position = hit
    return (not in_title, -score, -date.toordinal(), position, pk)


# The candidates, best first: the newest LIMIT + 1 matches (``newest``, an ORM queryset with
# each one's headline match and text match) ordered by the rules in ``search``; the score
# divides the text match by 1 + age in years.
_RANKED = """
    SELECT hit_pk, hit_in_title, hit_rank, hit_rank / (1 + ({age}) / %s) AS hit_score,
           hit_date, hit_position
    FROM ({newest}) AS candidate
    ORDER BY hit_in_title DESC, hit_score DESC, hit_date DESC, hit_position, hit_pk
"""
_AGE = {
    "postgresql": "%s::date - hit_date",
    "sqlite": "julianday(%s) - julianday(hit_date)",
}


def _pg_newest(items, words, months):
    """PostgreSQL: ``items`` holding every word in ``months``, with their headline match
    and rank (``ts_rank``).

    GIN cannot check positions, so a phrase (100Gbps, 6G) in the index condition
    makes PostgreSQL re-check the whole query (every date token too) on every row
    the index returns. The index is asked for the phrase's atoms (exact: nothing to
    re-check), and the phrases are checked on the rows it returns, in a CASE the
    planner keeps out of the index condition.
    """
    matches = items.filter(_pg_matches("search_vector", words, months, phrases=False))
    phrases = [word for word in words if word.phrase]
    if phrases:
        phrase_check = Func(
            _pg_matches("search_vector", phrases),
            template="CASE WHEN %(expressions)s THEN true END",
            output_field=BooleanField(),
        )
        matches = matches.filter(phrase_check)
    return matches.annotate(
        hit_in_title=_pg_matches("search_title_vector", words),
        hit_rank=Func(
            _Column("search_vector"),
            _tsquery(words),
            function="ts_rank",
            output_field=FloatField(),
        ),
    )


def _sqlite_newest(items, words, months):
    """SQLite: ``items`` holding every word in ``months``, with their headline match and
    rank. The FTS5 table is joined (the match and bm25, lower is better, so negated):
    the ORM cannot join a virtual table. Headline matches: FTS5's column filter."""
    title = fts5_query(words, months, column="search_title")
    return items.extra(
        tables=["digests_item_fts"],
        where=["digests_item_fts.rowid = digests_item.id", "digests_item_fts MATCH %s"],
        params=[fts5_query(words, months)],
        select={
            "hit_rank": "-bm25(digests_item_fts, 10.0, 1.0)",
            "hit_in_title": f"digests_item.id IN ({_FTS_IDS})",
        },
        select_params=[title],
    )


def _ranked(items, words, day, limit, months=()):
    """The newest ``limit`` published matches of ``words`` in ``months`` (all, if none),
    ranked, as ``Hit`` tuples, and how many matches those months hold, up to ``limit`` + 1:
    one query, served by the full-text index; only the candidates are scored, and
    only their pks, scores and days leave the database."""
    vendor = _vendor(items)
    matches = (_pg_newest if vendor == "postgresql" else _sqlite_newest)(items, words, months)
    newest = (
        matches.annotate(hit_pk=F("pk"), hit_date=F("digest__date"), hit_position=F("position"))
        .order_by("-digest__date", "position", "pk")
        .values_list("hit_pk", "hit_date", "hit_position", "hit_in_title", "hit_rank")[: limit + 1]
    )
    sql, params = newest.query.get_compiler(using=newest.db).as_sql()
    ranked = _RANKED.format(age=_AGE[vendor], newest=sql)
    with connections[newest.db].cursor() as cursor:
        cursor.execute(ranked, [day, float(AGE_UNIT_DAYS), *params])
        rows = cursor.fetchall()
    total = len(rows)  # limit + 1: more matches than candidates
    if total > limit:  # the one past the candidates: the oldest
        rows.remove(min(rows, key=lambda row: (row[4], -row[5], -row[0])))
    return rows, total


def _months(first, last):
    """The months from ``last``'s back to ``first``'s, newest first, as (year, month)."""
    months, (year, month) = [], (last.year, last.month)
    while (year, month) >= (first.year, first.month):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _newest(items, words, first, last, limit):
    """The newest ``limit`` matches, ranked, and whether there are more: walking the
    months newest first.

    The first query takes the newest ``FIRST_MONTHS`` (``FIRST_MONTHS_PREFIX`` for a
    prefix); each next one a batch of months sized from the matches per day so far
    to bring the rest (with a quarter more), so a common word takes one query or
    two. When a batch would reach the oldest month (a rare word: none in the newest
    months), the last query drops the months (the word alone) and takes the place
    of the others. Each query ranks its own matches; more than one are merged here.
    """
    months = _months(first, last)
    found, total, done = [], 0, 0
    while total <= limit and done < len(months):
        if not done:
            size = FIRST_MONTHS_PREFIX if any(word.prefix for word in words) else FIRST_MONTHS
        else:
            year, month = months[done - 1]
            days = (last - datetime.date(year, month, 1)).days + 1
            need = limit + 1 - total
            size = math.ceil(need * days / total / 30 * 1.25) if total else len(months)
        if done + size >= len(months) and done:  # the rest: the word alone, every month
            found, total, done = [], 0, len(months)
            batch = ()
        else:
            batch = months[done : done + size]
            done += len(batch)
        hits, count = _ranked(items, words, last, limit - total, _walked(batch, len(months)))
        found.append(hits)
        total += count
    if len(found) == 1:
        return found[0], total > limit
    return sorted(chain.from_iterable(found), key=_order), total > limit


def _walked(batch, every):
    """A batch of months, or () (no date tokens: every month) when it holds all ``every``."""
    return () if len(batch) == every else batch


class Results:
    """A reader's search results: the ranked candidates' pks, loading only the items a
    page shows (``Item.objects.for_listing()``). A sequence, so Django's Paginator
    pages it; each item comes annotated ``in_title``, ``rank`` and ``score``."""

    def __init__(self, hits=(), capped=False):
        self.hits = list(hits)
        self.capped = capped  # more matches than CANDIDATES: the count shows "500+"

    def __len__(self):
        return len(self.hits)

    def oldest_day(self):
        """The day of the oldest candidate: where the matches not ranked begin, or None."""
        return min((Hit._make(hit).date for hit in self.hits), default=None)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        hits = [Hit._make(hit) for hit in self.hits[index]]
        loaded = Item.objects.for_listing().published().in_bulk([hit.pk for hit in hits])
        items = []
        for hit in hits:
            item = loaded.get(hit.pk)
            if item is not None:  # gone (or withdrawn) since the candidates were taken
                item.in_title, item.rank, item.score = bool(hit.in_title), hit.rank, hit.score
                items.append(item)
        return items


def candidates_limit():
    """How many matches a search ranks: ``settings.SEARCH_CANDIDATES``, else ``CANDIDATES``."""
    return getattr(settings, "SEARCH_CANDIDATES", CANDIDATES)


def search(q, queryset=None):
    """Published items matching ``q``, best first, as ``Results``: at most the newest
    ``CANDIDATES`` matches, ranked.

    ``queryset`` narrows the search (e.g. a section's items); whatever it holds,
    only published items are found. Order: headline matches first, then
    ``score`` (the text match, ``ts_rank`` or ``bm25`` with the headline
    weighted 10:1, divided by 1 + age in years), then the newest day, the
    position in it and the pk, ranked in the database. Queries: the published
    days' span, the newest month's count, then one per batch of months (see
    ``_newest``; two for a common word); a page's items when a page is taken.
    """
    items = (Item.objects.all() if queryset is None else queryset).published()
    words = match_words(q)
    if not words:
        return Results()
    span = Digest.objects.published().aggregate(first=Min("date"), last=Max("date"))
    if span["last"] is None:
        return Results()
    hits, capped = _newest(items, words, span["first"], span["last"], candidates_limit())
    return Results(hits, capped=capped)
