"""Readable, stable URL slugs for Chinese names.

``slugify("AI技术动态")`` gives ``"ai"`` and ``slugify("前沿科技突破")`` an empty
string, so names are first written in pinyin: ``"AI技术动态"`` becomes
``"ai-ji-shu-dong-tai"``. A slug is made once, when the object is created, and
kept when the name changes, so that public URLs stay stable.
"""

from django.utils.text import slugify
from pypinyin import lazy_pinyin


def pinyin_slug(text, max_length=80, fallback="x"):
    """Return an ASCII slug for ``text``, reading Chinese characters as pinyin."""
    words = lazy_pinyin(text or "", errors="default")
    slug = slugify(" ".join(words))[:max_length].strip("-")
    return slug or fallback


def unique_slug(queryset, text, max_length=80, fallback="x", exclude_pk=None):
    """Return a slug for ``text`` not yet used in ``queryset`` (adds -2, -3 …)."""
    base = pinyin_slug(text, max_length=max_length - 4, fallback=fallback)
    taken = queryset.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"
