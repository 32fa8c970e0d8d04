"""The share card: a 1200×630 PNG of a published day, drawn with Pillow.

It shows the day's title, its date with the weekday and its first headlines, in the
reader site's colours (``static/css/site.css``, light theme) and the font shipped in
``fonts/`` (Noto Sans CJK SC Bold cut to GB 2312, SIL OFL 1.1). A headline too wide
for the card is cut, measured with the font, and ends in "…"; a character the font
lacks is left out rather than drawn as a box.

Cards are files, not rows: ``<NEWSROOM_SHARE_CARD_ROOT>/YYYY/YYYY-MM-DD-vN.png``,
one per day and digest version, written whole (a temporary file renamed into place)
so a reader never gets half a card.
"""

import functools
import io
import logging
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
HEADLINES = 4  # at most, in the briefing's order
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Bold-GB2312.otf"
WEEKDAYS = "一二三四五六日"  # Monday first, as ``date.weekday()`` counts
ELLIPSIS = "…"

# The reader site's light theme (static/css/site.css, :root).
BACKGROUND = "#fdfdfb"
SURFACE = "#f3f2ee"
TEXT = "#1c1c1e"
MUTED = "#55555d"
ACCENT = "#a4262c"
RULE = "#d9d7cf"

# Sizes in pixels, and where each line's top goes.
TITLE_SIZE, DATE_SIZE, HEADLINE_SIZE, FOOTER_SIZE = 60, 32, 34, 24
TITLE_TOP, DATE_TOP, RULE_Y, FIRST_HEADLINE_TOP, HEADLINE_STEP = 72, 156, 218, 250, 72
FOOTER_TOP = HEIGHT - 70


@dataclass(frozen=True)
class CardText:
    """What a card says: plain strings, so drawing needs no database."""

    title: str
    date_line: str
    headlines: tuple = field(default_factory=tuple)
    footer: str = ""
    count: str = ""  # how many items the day has, as the card writes it: 共14条


def date_line(date):
    """The date as the card writes it: 2026年2月2日 星期一."""
    return f"{date.year}年{date.month}月{date.day}日 星期{WEEKDAYS[date.weekday()]}"


def text_for(title, date, titles):
    """The card's text for a day's title, date and all its items' titles (in order)."""
    return CardText(
        title=title,
        date_line=date_line(date),
        headlines=tuple(titles[:HEADLINES]),
        footer=_site_host(),
        count=f"共{len(titles)}条" if titles else "",
    )


def _site_host():
    url = settings.NEWSROOM_SITE_URL
    return url.split("://", 1)[-1].rstrip("/")


def font_file():
    """The font the cards use: ``NEWSROOM_SHARE_CARD_FONT`` or the one shipped here."""
    return Path(getattr(settings, "NEWSROOM_SHARE_CARD_FONT", "") or FONT_FILE)


@functools.lru_cache(maxsize=16)
def _font(path, size):
    return ImageFont.truetype(str(path), size)


@functools.lru_cache(maxsize=8192)
def _has_glyph(path, char):
    """Whether the font draws ``char`` as itself and not as its missing-glyph box.

    Pillow does not expose the font's character map, so the character's outline is
    compared with that of a code point no font maps (U+FFFF), once per character.
    """
    font = _font(path, 24)
    return _outline(font, char) != _outline(font, "\uffff")


def _outline(font, char):
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 4), char, font=font, fill=255)
    return image.tobytes()


def drawable(text, path):
    """``text`` on one line with only the characters the font has (others are left out)."""
    kept = []
    for char in text:
        if unicodedata.category(char)[0] in "CZ":  # controls, line breaks, odd spaces
            char = " "
        if char == " " or _has_glyph(path, char):
            kept.append(char)
    return " ".join("".join(kept).split())


def fit(text, font, width):
    """The longest start of ``text`` that fits ``width`` pixels, with "…" when cut.

    A binary search on the length: O(log n) measurements of at most n characters.
    """
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)  # text[:low] + "…" fits; text[:high] + "…" does not
    while high - low > 1:
        middle = (low + high) // 2
        if font.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + ELLIPSIS


def draw(card, path=None):
    """The card as a Pillow image (raises ``OSError`` when the font cannot be read)."""
    path = path or font_file()
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    pen.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    pen.rectangle((0, HEIGHT - 100, WIDTH, HEIGHT), fill=SURFACE)

    title = _font(path, TITLE_SIZE)
    pen.text((MARGIN, TITLE_TOP), fit(drawable(card.title, path), title, inner), TEXT, title)
    dated = _font(path, DATE_SIZE)
    pen.text((MARGIN, DATE_TOP), fit(drawable(card.date_line, path), dated, inner), ACCENT, dated)
    pen.line((MARGIN, RULE_Y, WIDTH - MARGIN, RULE_Y), fill=RULE, width=2)

    headline = _font(path, HEADLINE_SIZE)
    bullet = 12
    for n, text in enumerate(card.headlines[:HEADLINES]):
        top = FIRST_HEADLINE_TOP + n * HEADLINE_STEP
        middle = top + HEADLINE_SIZE * 0.7
        pen.rectangle(
            (MARGIN, middle - bullet / 2, MARGIN + bullet, middle + bullet / 2), fill=ACCENT
        )
        left = MARGIN + bullet + 20
        line = fit(drawable(text, path), headline, WIDTH - MARGIN - left)
        pen.text((left, top), line, TEXT, headline)

    footer = _font(path, FOOTER_SIZE)
    host = fit(drawable(card.footer, path), footer, inner)
    pen.text((WIDTH - MARGIN - footer.getlength(host), FOOTER_TOP), host, MUTED, footer)
    pen.text((MARGIN, FOOTER_TOP), drawable(card.count, path), ACCENT, footer)
    return image


def png(image):
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def generic_png():
    """A card without a day, served when a day's card cannot be drawn: the site's colours,
    its name when the font can be read, never an error."""
    try:
        image = draw(CardText(title=settings.NEWSROOM_SITE_NAME, date_line="", footer=""))
    except OSError:
        log.exception("the share card font %s cannot be read", font_file())
        image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        ImageDraw.Draw(image).rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    return png(image)


# --- the files --------------------------------------------------------------------------


def root():
    """The folder of the cards: ``NEWSROOM_SHARE_CARD_ROOT`` or ``MEDIA_ROOT/cards``."""
    configured = getattr(settings, "NEWSROOM_SHARE_CARD_ROOT", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "cards"


def path_for(date, version):
    return root() / f"{date:%Y}" / f"{date:%Y-%m-%d}-v{version}.png"


def day_files(date):
    """Every card file kept for a day, of any version."""
    folder = root() / f"{date:%Y}"
    return sorted(folder.glob(f"{date:%Y-%m-%d}-v*.png")) if folder.is_dir() else []


def write(date, version, title, titles):
    """Draw and keep the card of a day's version; earlier versions' files are removed."""
    target = path_for(date, version)
    data = png(draw(text_for(title, date, list(titles))))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in day_files(date):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def remove(date):
    """Delete a day's cards (it left the public site); returns how many were removed."""
    files = day_files(date)
    for path in files:
        path.unlink(missing_ok=True)
    return len(files)
