"""The day as HTML that pastes into the 公众号 (WeChat Official Account) editor.

The editor keeps inline ``style`` attributes on ``<section>``, ``<p>``, ``<span>`` and
``<strong>`` and strips ``<style>`` blocks, classes, ids, scripts, external CSS and
most links. So the template is written with classes and a ``<style>`` block, the
styles are copied onto each element with ``css_inline`` (as the newsletter does),
and ``_Cleaner`` then keeps the body's elements with only their ``style``: no
classes, ids, scripts or links (a link's text stays, as plain text).
"""

from html import escape
from html.parser import HTMLParser

import css_inline
from django.template.loader import render_to_string

from digests.sharing.card import date_line

_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
# Elements kept (with their inline style only); any other's content is kept as text.
KEPT = {"section", "p", "span", "strong", "em", "br"}
DROPPED = {"script", "style", "head", "title", "noscript", "template"}  # content and all
VOID = {"br"}


class _Cleaner(HTMLParser):
    """One pass over the inlined document: the body's kept elements, style only."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skipping = 0  # depth inside a dropped element

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED:
            self.skipping += 1
        elif not self.skipping and tag in KEPT:
            style = next((value for name, value in attrs if name == "style" and value), None)
            self.out.append(f'<{tag} style="{escape(style)}">' if style else f"<{tag}>")

    def handle_startendtag(self, tag, attrs):
        if not self.skipping and tag in VOID:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in DROPPED:
            self.skipping = max(0, self.skipping - 1)
        elif not self.skipping and tag in KEPT and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def clean(html):
    """``html`` reduced to what the 公众号 editor keeps; text stays escaped text."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    cleaner.close()
    return "".join(cleaner.out).strip()


def fragment(digest):
    """The day (fetched with ``with_contents()``) as inline-styled HTML to paste."""
    html = render_to_string(
        "digests/sharing/wechat.html", {"digest": digest, "date_line": date_line(digest.date)}
    )
    return clean(_INLINER.inline(html))


def page(digest):
    """A page holding just the fragment: open it, select all, copy, paste into WeChat."""
    title = escape(f"{digest.title}（{digest.date:%Y-%m-%d}）")
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{title}</title>\n</head>\n<body>\n{fragment(digest)}\n</body>\n</html>\n"
    )
