"""Field checks that keep what editors type writable as a plain-text briefing."""

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from digests.briefing import grammar


def refuse(problems, code):
    """Raise the grammar's problems (plain messages) as a ``ValidationError``."""
    if problems:
        raise ValidationError([ValidationError(capfirst(p), code=code) for p in problems])


# One validator per field of the briefing; the rules are in digests.briefing.grammar.


def validate_title(value):
    refuse(grammar.title_problems(value), "title")


def validate_lede(value):
    refuse(grammar.lede_problems(value), "lede")


def validate_section_name(value):
    """A section name stands alone on its line: no hyphen, no sentence punctuation."""
    refuse(grammar.section_problems(value), "section")


def validate_topic(value):
    """A topic is the label before the hyphen: it cannot hold a hyphen or punctuation."""
    refuse(grammar.topic_problems(value), "topic")


def validate_headline(value):
    refuse(grammar.headline_problems(value), "headline")


def validate_body(value):
    """No body paragraph may read as a source, link, tags or heading line."""
    refuse(grammar.body_problems(value), "body")


def validate_source_name(value):
    refuse(grammar.source_problems(value), "source")


def validate_url(value):
    refuse(grammar.url_problems(value), "url")


def validate_tag(value):
    refuse(grammar.tag_problems(value), "tag")


def validate_analysis_title(value):
    refuse(grammar.analysis_title_problems(value), "analysis_title")


def validate_label(value):
    refuse(grammar.label_problems(value), "label")


def validate_paragraph(value):
    """A labelled paragraph's or trend point's text: one line."""
    refuse(grammar.text_problems(value, _("text"), grammar.MAX_PARAGRAPH), "text")


def validate_summary(value):
    refuse(grammar.summary_problems(value), "summary")


def validate_one_line(value):
    """Any other one-line text (a picture's description): no line breaks or control characters."""
    refuse(grammar.text_problems(value, _("text"), None, required=False), "one_line")


MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(fieldfile):
    """An uploaded picture must be a real JPEG, PNG, WebP or GIF of sensible size.

    Only a new upload is read: a picture already in storage was checked when it was
    uploaded, and its file handle may be closed by then (saving a digest again
    must not read, or fail on, the stored file).
    """
    from PIL import Image, UnidentifiedImageError

    if getattr(fieldfile, "_committed", False):
        return
    upload = fieldfile
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The picture is larger than 5 MB."), code="image_size")
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            picture.verify()
            kind, (width, height) = picture.format, picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not a picture Newsroom can read."), code="image"
        ) from None
    finally:
        if not upload.closed:
            upload.seek(0)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            _("Pictures must be JPEG, PNG, WebP or GIF, not %(kind)s."),
            params={"kind": kind},
            code="image_format",
        )
    if max(width, height) > MAX_IMAGE_SIDE:
        raise ValidationError(
            _("The picture is %(w)d×%(h)d pixels; at most %(max)d on a side."),
            params={"w": width, "h": height, "max": MAX_IMAGE_SIDE},
            code="image_dimensions",
        )
