"""Guesses for the inbox: the section a candidate belongs in, the topic of an item made from it.

A guess only preselects what the editor would otherwise pick; it is never shown to readers
and is wrong at no cost but a second click. The sources are the desk's own recent habits:

1. the section the candidate's source's items were most often in during the last
   ``HISTORY_DAYS`` days (a source writing about robots keeps doing so);
2. else the active section whose name, former names (aliases) and recent topics share
   the most words with the candidate's title (jieba tokens of two characters or more,
   as the site's search cuts them);
3. else no guess: the select starts on the first active section.

``fill`` guesses for many candidates in a fixed number of queries, for the inbox's page
and for the fetcher; ``section_for`` guesses for one.
"""

import datetime

from django.db.models import Count
from django.utils import timezone

from digests.models import Candidate, Category, Item, SectionAlias
from digests.search.index import current_terms
from digests.search.tokenize import index_tokens

HISTORY_DAYS = 90  # how far back a source's or a section's habits are read
MIN_TOKEN = 2  # single characters (的, 发, 新) say nothing about a section


def words(text, terms):
    """The distinct words of ``text`` that can tell one section from another."""
    return {token for token in index_tokens(text, terms) if len(token) >= MIN_TOKEN}


def since(today=None):
    """The first day whose items count as recent habits."""
    return (today or timezone.localdate()) - datetime.timedelta(days=HISTORY_DAYS)


def sections_by_source(source_ids, today=None):
    """Each source's most frequent active section in the recent items: ``{source_id: id}``.

    One grouped query; ties go to the section listed first (position, then name).
    """
    rows = (
        Item.objects.filter(
            source_id__in=source_ids, digest__date__gte=since(today), category__is_active=True
        )
        .values("source_id", "category_id")
        .annotate(n=Count("pk"))
        .order_by("source_id", "-n", "category__position", "category__name")
    )
    found = {}
    for row in rows:
        found.setdefault(row["source_id"], row["category_id"])
    return found


def section_words(today=None):
    """Each active section's words: its name, its aliases and its recent topics.

    Three queries: the sections, their aliases, the distinct (section, topic) pairs of
    the recent items (about 13 items a day: at most a few hundred pairs). Returns a
    list of ``(category, words)`` in the sections' order.
    """
    terms = current_terms()
    sections = list(Category.objects.active().only("pk", "name", "position"))
    texts = {section.pk: [section.name] for section in sections}
    aliases = SectionAlias.objects.filter(category__in=sections).values_list("category_id", "name")
    topics = (
        Item.objects.filter(category__in=sections, digest__date__gte=since(today))
        .values_list("category_id", "topic")
        .distinct()
        .order_by()
    )
    for category_id, text in [*aliases, *topics]:
        texts[category_id].append(text)
    return [(section, words("\n".join(texts[section.pk]), terms)) for section in sections]


def best_by_words(title, sections, terms):
    """The section sharing the most words with ``title`` (the first one on a tie), or None."""
    title_words = words(title, terms)
    best, best_shared = None, 0
    for section, known in sections:
        if (shared := len(title_words & known)) > best_shared:
            best, best_shared = section, shared
    return best


def fill(candidates, today=None):
    """Set and save ``section_guess`` on those of ``candidates`` without one; return them.

    A fixed number of queries however many candidates: the sources' habits (one), and
    only when some candidate's source has none, the sections' words (three); then one
    UPDATE for the candidates that got a guess. Candidates nothing can be guessed for
    stay without one (and are tried again the next time they are shown, at the same cost).
    """
    todo = [c for c in candidates if c.section_guess_id is None]
    if not todo:
        return candidates
    by_source = sections_by_source({c.source_id for c in todo}, today)
    sections, terms = None, None
    guessed = []
    for candidate in todo:
        section_id = by_source.get(candidate.source_id)
        if section_id is None:
            if sections is None:
                sections, terms = section_words(today), current_terms()
            section = best_by_words(candidate.title, sections, terms)
            section_id = section.pk if section is not None else None
        if section_id is not None:
            candidate.section_guess_id = section_id
            guessed.append(candidate)
    if guessed:
        Candidate.objects.bulk_update(guessed, ["section_guess"])
    return candidates


def section_for(candidate, today=None):
    """The guessed section of one candidate (saved on it), or None."""
    fill([candidate], today)
    if candidate.section_guess_id is None:
        return None
    return Category.objects.get(pk=candidate.section_guess_id)


def topic_for(source_id, category, today=None):
    """The topic to prefill for an item from the source ``source_id`` in ``category``, or "".

    The most frequent topic of the source's recent items in that section, else the
    section's most frequent recent topic; ties go to the alphabetically first topic.
    """
    recent = Item.objects.filter(category=category, digest__date__gte=since(today)).exclude(
        topic=""
    )
    choices = [recent.filter(source_id=source_id), recent] if source_id is not None else [recent]
    for items in choices:
        row = items.values("topic").annotate(n=Count("pk")).order_by("-n", "topic").first()
        if row is not None:
            return row["topic"]
    return ""
