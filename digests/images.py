"""Resized renditions of uploaded pictures, and the <img> that offers them.

Each picture gets WebP renditions at a few widths (never wider than the
original), saved beside it in the media storage when the desk saves it
(``make_renditions``) or by ``python manage.py make_renditions``. The page
then lists them in ``srcset`` with the picture's width and height, so the
browser picks the right size and the layout does not jump while it loads.
"""

import posixpath
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import format_html
from PIL import Image, ImageOps

WIDTHS = (360, 720, 1080)
QUALITY = 80


def rendition_name(name, width):
    stem, _ = posixpath.splitext(name)
    return f"renditions/{stem}-w{width}.webp"


def widths_for(original_width):
    return [w for w in WIDTHS if original_width and w < original_width]


def make_renditions(fieldfile, storage=default_storage):
    """Write the missing renditions of a picture; returns the names written."""
    if not fieldfile:
        return []
    written = []
    with fieldfile.open("rb") as source, Image.open(source) as picture:
        picture = ImageOps.exif_transpose(picture)
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
        for width in widths_for(picture.width):
            name = rendition_name(fieldfile.name, width)
            if storage.exists(name):
                continue
            height = round(picture.height * width / picture.width)
            buffer = BytesIO()
            picture.resize((width, height), Image.Resampling.LANCZOS).save(
                buffer, "WEBP", quality=QUALITY
            )
            written.append(storage.save(name, ContentFile(buffer.getvalue())))
    return written


def img_tag(fieldfile, alt="", sizes="100vw", css_class=""):
    """The <img> for a picture: renditions in srcset, width and height, lazy loading."""
    if not fieldfile:
        return ""
    width = getattr(fieldfile.instance, fieldfile.field.width_field or "", None)
    height = getattr(fieldfile.instance, fieldfile.field.height_field or "", None)
    candidates = [
        f"{default_storage.url(rendition_name(fieldfile.name, w))} {w}w" for w in widths_for(width)
    ]
    if width:
        candidates.append(f"{fieldfile.url} {width}w")
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="{}" '
        'loading="lazy" decoding="async">',
        fieldfile.url,
        ", ".join(candidates),
        sizes,
        width or "",
        height or "",
        alt,
        css_class,
    )
