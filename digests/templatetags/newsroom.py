"""Template helpers for the reader site: structured data, pictures, search marks, languages."""

import json

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from digests import images, search

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A <script type="application/ld+json"> block, escaped so text cannot close it."""
    text = json.dumps(
        {k: v for k, v in data.items() if v is not None}, ensure_ascii=False, separators=(",", ":")
    ).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def highlight(text, query):
    """Mark the query's words in a text (escaped); see ``digests.search.highlight``."""
    return search.highlight(text, query)


@register.filter
def snippet(text, query):
    """A short excerpt around the first match of the query, marked."""
    return search.highlight(text, query, length=120)


@register.simple_tag
def picture(fieldfile, alt="", sizes="(min-width: 48rem) 40rem, 100vw", css_class=""):
    """An <img> with srcset of the picture's renditions, its size, and lazy loading."""
    return images.img_tag(fieldfile, alt=alt, sizes=sizes, css_class=css_class)


@register.simple_tag(takes_context=True)
def language_links(context):
    """(code, name, url, current) for each interface language, for the same page."""
    request = context["request"]
    current = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return [
        (code, name, translate_url(request.get_full_path(), code), code == current)
        for code, name in settings.LANGUAGES
    ]
