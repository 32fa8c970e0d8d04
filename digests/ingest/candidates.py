"""A feed's entries become ``Candidate`` rows: clean text, one row per story address.

The desk reads candidates as short plain text, so titles and summaries lose their
HTML and their runs of whitespace here, once. Two entries with the same address
are one candidate whichever source or poll brought them: the address is
normalised (``normalise_link``) and its SHA-256 is the unique ``link_key``, so the
insert simply skips a key it already holds. Two sources rewriting the same press
release give different addresses; the second is marked ``duplicate_of`` the first
when their words overlap enough (``near_duplicate``), and the inbox shows them
together.

Every pattern here runs in linear time on outside text: a tag is ``<`` up to the
next ``<`` or ``>`` (never a scan to the end of the text per ``<``).
"""

import datetime
import functools
import hashlib
import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils import timezone

from digests.ingest import guess
from digests.models.memory import Candidate
from digests.search.tokenize import index_tokens

TITLE_CHARS = Candidate._meta.get_field("title").max_length  # 500
LINK_CHARS = Candidate._meta.get_field("link").max_length  # 2000
GUID_CHARS = Candidate._meta.get_field("guid").max_length  # 500
# A summary is for deciding whether to follow the story, not for reading it.
SUMMARY_CHARS = 1000
# Entries taken from one poll, in the feed's order (newest first, as feeds list them):
# a feed lists its latest 10 to 100; more are an archive, not news. With
# NEAR_DUPLICATE_POOL this bounds a poll's comparisons to 200 × 700.
MAX_ENTRIES = 200
# Query parameters that say who shared or clicked a link, not which page it is.
# Compared lower-cased; every parameter starting with a prefix goes too.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset(
    {
        "spm",  # Alibaba / Taobao
        "scm",
        "from",  # WeChat, Weibo, Toutiao: ?from=timeline, ?from=groupmessage
        "isappinstalled",  # WeChat
        "share_source",
        "share_medium",
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gbraid",
        "wbraid",
        "dclid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "mc_cid",  # Mailchimp
        "mc_eid",
        "igshid",  # Instagram
        "_hsenc",  # HubSpot
        "_hsmi",
        "mkt_tok",  # Marketo
        "ref_src",  # Twitter / X
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}

# Near-duplicates: a new candidate is "the same story" as an earlier one fetched
# within NEAR_DUPLICATE_DAYS when the Jaccard index of their word sets (title and
# the start of the summary) reaches
# NEAR_DUPLICATE_JACCARD. On the labelled pairs in tests/test_ingest_candidates.py
# one story told by two sources scores 0.35 to 0.91, two stories of one field at
# most 0.16. Compared directly with at most NEAR_DUPLICATE_POOL of the
# most recent candidates (a few hundred a day at most): one poll's cost is bounded.
# Texts of fewer than NEAR_DUPLICATE_MIN_WORDS words are never marked (a bare
# title shares too much by chance).
NEAR_DUPLICATE_JACCARD = 0.35
NEAR_DUPLICATE_DAYS = 2
NEAR_DUPLICATE_POOL = 500
NEAR_DUPLICATE_MIN_WORDS = 8
NEAR_DUPLICATE_CHARS = 200  # of the summary, after the title

# A tag: "<", optionally "/", a whole name, then anything but "<" or ">" up to ">";
# or a comment, declaration or processing instruction. "速率 < 100Gbps >" is no tag.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?![A-Za-z0-9])[^<>]*>|<[!?][^<>]*>")
# Tags that end a line of text: replaced by a space, the others by nothing, so that
# 这是<b>重要</b>消息 reads 这是重要消息.
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th"),
        *("tr", "ul"),
    }
)
# Control characters (NUL …) are no text, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _tag_to_text(match):
    name = (match.group(2) or "").lower()
    return " " if name in _BLOCK_TAGS else ""


def fold(text):
    """Control characters dropped, whitespace runs folded to one space, ends stripped."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def html_to_text(markup):
    """The text of an HTML fragment on one line: tags dropped, entities decoded."""
    return fold(html.unescape(_TAG.sub(_tag_to_text, markup or "")))


def cut(text, limit):
    """``text`` shortened to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _entry_text(entry, key):
    """The text of a feed entry's title or summary: HTML only when the feed says so."""
    value = entry.get(key) or ""
    kind = (entry.get(f"{key}_detail") or {}).get("type", "")
    return html_to_text(value) if kind in _HTML_TYPES else fold(html.unescape(value))


def is_tracking(name):
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def clean_link(link):
    """The link as published, without its tracking parameters (or None if not http(s)).

    This is the address the desk opens and an item made from the candidate keeps.
    """
    link = _CONTROL.sub("", (link or "").strip())
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking(name)]
    if len(kept) == len(pairs):
        return link  # as published, its parameters untouched
    return urlunsplit(parts._replace(query=urlencode(kept)))


def normalise_link(link):
    """The form in which two addresses of one story are equal.

    Scheme and host lower-cased, the default port dropped, the fragment dropped,
    tracking parameters removed (``TRACKING_PARAMETERS``, ``utm_*``), the other
    parameters sorted, an empty path made ``/``. Returns None for a link that is
    not an absolute http(s) address.
    """
    link = clean_link(link)
    if link is None:
        return None
    parts = urlsplit(link)
    scheme, host = parts.scheme.lower(), parts.hostname  # hostname is lower-cased
    if ":" in host:
        host = f"[{host}]"  # IPv6
    if parts.port is not None and parts.port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{parts.port}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def link_key(link):
    """The SHA-256 (hex) of the normalised link: ``Candidate.link_key``."""
    return hashlib.sha256(normalise_link(link).encode()).hexdigest()


def _published(entry, now):
    """The entry's own time (published, else updated), never later than now."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    try:
        when = datetime.datetime(*parsed[:6], tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        return now
    return min(when, now)


def from_entry(source, entry, *, base_url="", now):
    """An unsaved ``Candidate`` for one feedparser entry, or None without a usable link."""
    link = entry.get("link") or ""
    if base_url:
        link = urljoin(base_url, link.strip())
    link = clean_link(link)
    if link is None or len(link) > LINK_CHARS:
        return None
    title = _entry_text(entry, "title")
    summary = _entry_text(entry, "summary")
    return Candidate(
        source=source,
        title=cut(title or link, TITLE_CHARS),
        summary=cut(summary, SUMMARY_CHARS),
        link=link,
        link_key=link_key(link),
        guid=cut(fold(entry.get("id") or ""), GUID_CHARS),
        published_at=_published(entry, now),
    )


def words(candidate):
    """The candidate's words for comparison: its search tokens, single characters left out.

    The title and the summary's first ``NEAR_DUPLICATE_CHARS`` characters: where the
    story is told, and a bounded cost per candidate.
    """
    return _words(f"{candidate.title} {candidate.summary[:NEAR_DUPLICATE_CHARS]}")


# The worker is long-lived: the recent candidates' words are cut once, not at each poll.
@functools.lru_cache(maxsize=2 * NEAR_DUPLICATE_POOL)
def _words(text):
    return frozenset(token for token in index_tokens(text) if len(token) > 1)


def jaccard(one, other):
    if not one or not other:
        return 0.0
    shared = len(one & other)
    return shared / (len(one) + len(other) - shared)


def near_duplicate(candidate_words, earlier):
    """The first of ``earlier`` (pairs of candidate and words) close enough, or None."""
    if len(candidate_words) < NEAR_DUPLICATE_MIN_WORDS:
        return None
    best, best_score = None, NEAR_DUPLICATE_JACCARD
    size = len(candidate_words)
    for other, other_words in earlier:
        other_size = len(other_words)
        if other_size < NEAR_DUPLICATE_MIN_WORDS:
            continue
        if min(size, other_size) < best_score * max(size, other_size):
            continue  # the Jaccard index is at most the smaller set's share of the larger
        score = jaccard(candidate_words, other_words)
        if score >= best_score:
            best, best_score = other, score
    return best


def store(source, entries, *, base_url="", now=None):
    """Save the entries not seen before as candidates; returns ``(new, near_duplicates)``.

    Entries published before the inbox's keeping time (``NEWSROOM_CANDIDATE_DAYS``)
    are skipped: pruned, they would otherwise come back as new on the next poll.
    """
    now = now or timezone.now()
    oldest = now - datetime.timedelta(days=settings.NEWSROOM_CANDIDATE_DAYS)
    fresh = {}
    for entry in entries[:MAX_ENTRIES]:
        candidate = from_entry(source, entry, base_url=base_url, now=now)
        if candidate is not None and candidate.published_at >= oldest:
            fresh.setdefault(candidate.link_key, candidate)
    if not fresh:
        return 0, 0
    known = set(Candidate.objects.filter(link_key__in=fresh).values_list("link_key", flat=True))
    unseen = [c for key, c in fresh.items() if key not in known]
    if not unseen:
        return 0, 0
    started = timezone.now()
    Candidate.objects.bulk_create(unseen, ignore_conflicts=True)
    # Read back what this poll inserted (another poll may have taken a key meanwhile).
    new = list(
        Candidate.objects.filter(
            link_key__in=[c.link_key for c in unseen], source=source, fetched_at__gte=started
        ).order_by("published_at", "pk")
    )
    duplicates = mark_near_duplicates(new, now=now)
    guess.fill(new)  # the section guess, once, rather than each time the inbox shows them
    return len(new), duplicates


def mark_near_duplicates(new, *, now):
    """Point each new candidate that repeats an earlier one's text at it; returns how many."""
    if not new:
        return 0
    since = now - datetime.timedelta(days=NEAR_DUPLICATE_DAYS)
    pool = (
        Candidate.objects.filter(fetched_at__gte=since)
        .exclude(pk__in=[c.pk for c in new])
        .filter(duplicate_of=None)
        .only("pk", "title", "summary")
        .order_by("-fetched_at", "-pk")[:NEAR_DUPLICATE_POOL]
    )
    earlier = [(c, words(c)) for c in pool]
    marked = []
    for candidate in new:
        candidate_words = words(candidate)
        if match := near_duplicate(candidate_words, earlier):
            candidate.duplicate_of = match
            marked.append(candidate)
        else:
            earlier.append((candidate, candidate_words))  # a first telling, for the next ones
    if marked:
        Candidate.objects.bulk_update(marked, ["duplicate_of"])
    return len(marked)


def prune(now=None):
    """Delete the candidates fetched more than ``NEWSROOM_CANDIDATE_DAYS`` ago; returns how many.

    None is kept longer, used or not: an item made from one keeps its own source and
    link, and only loses the pointer back to the candidate.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NEWSROOM_CANDIDATE_DAYS)
    old = Candidate.objects.filter(fetched_at__lt=cutoff)
    # Later candidates pointing at an old one as their first telling lose the pointer.
    Candidate.objects.filter(duplicate_of__in=old).update(duplicate_of=None)
    deleted, _ = old.delete()
    return deleted
