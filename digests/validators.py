"""Field checks that keep what editors type writable as a plain-text briefing."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digests.briefing.parser import HYPHENS, RESERVED_HEADINGS, SENTENCE_PUNCTUATION, SOURCE_RE


def validate_topic(value):
    """A topic is the label before the hyphen: it cannot hold a hyphen or punctuation."""
    bad = sorted({char for char in value if char in HYPHENS or char in SENTENCE_PUNCTUATION})
    if bad:
        raise ValidationError(
            _("A topic cannot contain %(chars)s: the heading is written TOPIC-HEADLINE."),
            params={"chars": " ".join(bad)},
            code="topic",
        )


def validate_section_name(value):
    """A section name stands alone on its line: no hyphen, no sentence punctuation."""
    if value.lstrip("# ") in RESERVED_HEADINGS:
        raise ValidationError(
            _("%(name)s opens a closing block of the briefing and cannot name a section."),
            params={"name": value},
            code="reserved",
        )
    bad = sorted({char for char in value if char in HYPHENS or char in SENTENCE_PUNCTUATION})
    if bad:
        raise ValidationError(
            _("A section name cannot contain %(chars)s."),
            params={"chars": " ".join(bad)},
            code="section",
        )


def validate_body(value):
    """No body line may read as a source line; the source has its own field."""
    for number, line in enumerate(value.splitlines(), start=1):
        if SOURCE_RE.match(line.strip()):
            raise ValidationError(
                _("Paragraph %(number)d starts with 来源:; choose the source in its own field."),
                params={"number": number},
                code="body",
            )


MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(fieldfile):
    """An uploaded picture must be a real JPEG, PNG, WebP or GIF of sensible size."""
    from PIL import Image, UnidentifiedImageError

    if fieldfile.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The picture is larger than 5 MB."), code="image_size")
    try:
        fieldfile.seek(0)
        with Image.open(fieldfile) as picture:
            picture.verify()
            kind, (width, height) = picture.format, picture.size
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(
            _("This file is not a picture Newsroom can read."), code="image"
        ) from None
    finally:
        fieldfile.seek(0)
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
