"""One newsletter mail: a digest for one subscriber, a correction notice, a desk test.

A mailing sends the same digest to thousands of subscribers who differ only in
their sections, their language and their own links (preferences, unsubscribe).
``IssueMail`` therefore renders the HTML (with its CSS inlined, the slow part)
and the text once per language and section set, with placeholders where each
subscriber's links go, and puts the links in with a plain string replacement.

Gmail clips a message whose HTML passes 102 KB, hiding the footer with the
unsubscribe link; so the HTML is kept under ``NEWSROOM_NEWSLETTER_MAX_HTML_BYTES``
by choosing the first form that fits: the whole items, then bodies cut to
``SHORT_BODY`` characters with a "read on" link, then headlines only (and, for
a day too long even for that, the first items with a link to the rest).
"""

import uuid
from dataclasses import dataclass, field
from email.utils import make_msgid
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from digests import seo
from digests.models import Subscriber
from digests.newsletter import tokens

SHORT_BODY = 120  # characters of an item's body (and of an analysis paragraph) when cut
FULL, SHORT, HEADLINES = "full", "short", "headlines"
# What stands for a subscriber's own links in a mail rendered for many subscribers.
UNSUBSCRIBE_SLOT = "__NEWSROOM_UNSUBSCRIBE_URL__"
PREFERENCES_SLOT = "__NEWSROOM_PREFERENCES_URL__"
SINCE_SLOT = "__NEWSROOM_SUBSCRIBED_SINCE__"
_INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def site_host():
    return urlsplit(settings.NEWSROOM_SITE_URL).hostname or "localhost"


def list_id():
    """The mailing list's identity (RFC 2919), by which clients group and filter it."""
    return f"{settings.NEWSROOM_SITE_NAME} <briefing.{site_host()}>"


def links(subscriber):
    """The subscriber's own absolute links, in the language active now."""

    def url(name, purpose):
        token = tokens.make(subscriber, purpose)
        return seo.absolute(reverse(f"digests:{name}", kwargs={"token": token}))

    return {
        UNSUBSCRIBE_SLOT: url("newsletter-unsubscribe", tokens.UNSUBSCRIBE),
        PREFERENCES_SLOT: url("newsletter-preferences", tokens.PREFERENCES),
        SINCE_SLOT: f"{subscriber.consent_at:%Y-%m-%d}" if subscriber.consent_at else "",
    }


def fill(text, values):
    for slot, value in values.items():
        text = text.replace(slot, value)
    return text


def inline_css(html):
    """Styles written once in ``<style>`` copied onto each element (clients that drop
    ``<style>`` keep them); the block stays for the dark-mode ``@media`` rule."""
    return _INLINER.inline(html)


def message(subject, text, html, subscriber_email, unsubscribe_url):
    """A newsletter message with the list headers (RFC 2369, RFC 8058) and its own ID."""
    mail = EmailMultiAlternatives(
        subject,
        text,
        from_email=settings.NEWSROOM_NEWSLETTER_FROM,
        to=[subscriber_email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(),
            "Message-ID": make_msgid(domain=site_host()),
        },
    )
    mail.attach_alternative(html, "text/html")
    return mail


@dataclass
class Entry:
    """An item as the mail shows it: its link and its body, whole or cut."""

    item: object
    url: str
    paragraphs: list = field(default_factory=list)
    cut: bool = False


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    form: str
    shown: int  # items in the HTML
    total: int  # items of the subscriber's sections
    size: int  # bytes of the HTML with one subscriber's links


def _cut(text, length):
    return (text[:length].rstrip() + "…", True) if len(text) > length else (text, False)


class IssueMail:
    """The mails of one digest (fetched with ``Digest.objects.with_contents()``).

    ``test`` marks the subject and adds a banner: a desk member's look before sending.
    """

    def __init__(self, digest, *, test=False):
        self.digest = digest
        self.test = test
        self._rendered = {}

    def for_subscriber(self, subscriber, sections=None):
        """The ``EmailMultiAlternatives`` for ``subscriber``; ``sections``, the ids of their
        sections (empty: all), when the caller fetched them for many subscribers at once."""
        if sections is None:
            sections = frozenset(category.pk for category in subscriber.sections.all())
        language = subscriber.language or settings.LANGUAGE_CODE
        with translation.override(language):
            rendered = self.render(sections)
            values = links(subscriber)
        return message(
            rendered.subject,
            fill(rendered.text, values),
            fill(rendered.html, values),
            subscriber.email,
            values[UNSUBSCRIBE_SLOT],
        )

    def render(self, sections=frozenset()):
        """The mail for a section set (empty: all), in the active language, with slots."""
        key = (translation.get_language(), sections)
        if key not in self._rendered:
            self._rendered[key] = self._fit(sections)
        return self._rendered[key]

    def _fit(self, sections):
        groups = [
            (category, items)
            for category, items in self.digest.sections()
            if not sections or category.pk in sections
        ]
        total = sum(len(items) for _, items in groups)
        # Every subscriber's links are as long (a key's hex, a timestamp, a signature).
        sample = links(Subscriber(key=uuid.UUID(int=0), email="", language=""))
        limit = settings.NEWSROOM_NEWSLETTER_MAX_HTML_BYTES
        attempts = [(FULL, total), (SHORT, total), (HEADLINES, total)]
        shown = total
        while shown > 1:
            shown //= 2
            attempts.append((HEADLINES, shown))
        for form, count in attempts:
            rendered = self._render(groups, form, count, total, sample)
            if rendered.size <= limit:
                return rendered
        return rendered  # a day of one item too big for any form cannot pass the parser

    def _render(self, groups, form, count, total, sample):
        digest = self.digest
        shown_groups, left = [], count
        for category, items in groups:
            if left <= 0:
                break
            entries = [self._entry(item, form) for item in items[:left]]
            left -= len(entries)
            shown_groups.append((category, entries))
        context = {
            "digest": digest,
            "sections": shown_groups,
            "form": form,
            "shown": count,
            "total": total,
            "more": total - count,
            "filtered": len(groups) != len(digest.sections()),
            "analysis": getattr(digest, "analysis", None),
            "analysis_paragraphs": self._analysis(form),
            "trends": getattr(digest, "trend_summary", None),
            "day_url": seo.absolute(digest.get_absolute_url()),
            "home_url": seo.absolute(reverse("digests:latest")),
            "privacy_url": seo.absolute(reverse("digests:privacy")),
            "test": self.test,
            "site_name": settings.NEWSROOM_SITE_NAME,
            "unsubscribe_url": UNSUBSCRIBE_SLOT,
            "preferences_url": PREFERENCES_SLOT,
            "since": SINCE_SLOT,
        }
        context["preheader"] = "；".join(
            entry.item.title for _, entries in shown_groups for entry in entries[:2]
        )[:140]
        subject = " ".join(
            render_to_string("digests/newsletter/email/issue_subject.txt", context).split()
        )
        context["subject"] = subject
        html = inline_css(render_to_string("digests/newsletter/email/issue.html", context))
        text = render_to_string("digests/newsletter/email/issue.txt", context)
        size = len(fill(html, sample).encode())
        return Rendered(subject, text, html, form, count, total, size)

    def _entry(self, item, form):
        entry = Entry(item=item, url=seo.absolute(item.get_absolute_url()))
        if form == FULL:
            entry.paragraphs = item.paragraphs
        elif form == SHORT:
            text, entry.cut = _cut(" ".join(item.paragraphs), SHORT_BODY)
            entry.paragraphs = [text]
        else:
            entry.cut = True
        return entry

    def _analysis(self, form):
        analysis = getattr(self.digest, "analysis", None)
        if analysis is None or form == HEADLINES:
            return []
        paragraphs = list(analysis.paragraphs.all())
        if form == FULL:
            return [(p.label, p.text) for p in paragraphs]
        return [(p.label, _cut(p.text, SHORT_BODY)[0]) for p in paragraphs]


def correction_mail(correction, subscriber):
    """The short notice of a correction: the item, what was corrected, a link."""
    item = correction.item
    language = subscriber.language or settings.LANGUAGE_CODE
    with translation.override(language):
        values = links(subscriber)
        context = {
            "correction": correction,
            "item": item,
            "digest": item.digest,
            "item_url": seo.absolute(item.get_absolute_url()),
            "day_url": seo.absolute(item.digest.get_absolute_url()),
            "privacy_url": seo.absolute(reverse("digests:privacy")),
            "site_name": settings.NEWSROOM_SITE_NAME,
            "unsubscribe_url": values[UNSUBSCRIBE_SLOT],
            "preferences_url": values[PREFERENCES_SLOT],
        }
        subject = " ".join(
            render_to_string("digests/newsletter/email/correction_subject.txt", context).split()
        )
        context["subject"] = subject
        html = inline_css(render_to_string("digests/newsletter/email/correction.html", context))
        text = render_to_string("digests/newsletter/email/correction.txt", context)
    return message(subject, text, html, subscriber.email, values[UNSUBSCRIBE_SLOT])
