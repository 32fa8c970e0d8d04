"""Bar charts as plain geometry, drawn as inline SVG by templates/digests/trends/chart.html.

No JavaScript and nothing the Content Security Policy forbids: the template
writes only presentation attributes and classes, which static/digests/trends.css
colours through the site's CSS variables (light, dark and print). Labels are
template variables, so Django escapes them like any other text.

The drawing is phone first: a 360 × 180 viewBox scaled to the column's width,
at most ``MAX_X_LABELS`` labels under the bars (a long series labels its years
only), and values on at most three grid lines, each a whole number.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 360
HEIGHT = 180
SMALL_HEIGHT = 56
LEFT = 30  # room for the grid lines' values
BOTTOM = 22  # room for the labels under the bars
TOP = 8
RIGHT = 4
MAX_X_LABELS = 6
LABEL_WIDTH = 36  # the widest label under the bars (2026-11, 11-28) in 10-unit text
GAP = 0.2  # of each bar's slot, left empty between bars (none below 2 units a slot)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the span, for the bar's tooltip


@dataclass(frozen=True)
class Tick:
    position: float  # y of a grid line, or x of a label under the bars
    text: str


@dataclass
class Chart:
    """Everything the template draws: the viewBox, bars, grid lines and labels."""

    width: int
    height: int
    bars: list
    grid: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    baseline: float = 0
    left: float = LEFT
    right: float = WIDTH - RIGHT
    small: bool = False

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def bars_markup(self):
        """The bars as SVG ``<rect>`` elements, each with its span and value as a tooltip.

        Written here rather than in a template loop: a page draws hundreds of bars, and
        this is ten times faster. The label is escaped; numbers are formatted here.
        """
        return mark_safe(
            "".join(
                f'<rect x="{bar.x:g}" y="{bar.y:g}" width="{bar.width:g}" height="{bar.height:g}">'
                f"<title>{escape(bar.label)}: {bar.value:d}</title></rect>"
                for bar in self.bars
            )
        )


def nice_top(value):
    """The grid's top: ``value`` rounded up to 1, 2, 2.5 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            top = step * power
            return int(top) if top == int(top) else top
    return 10 * power  # not reached


def bar_chart(spans, counts, label, small=False):
    """A chart of one series: ``counts[i]`` items in ``spans[i]`` (``label(span)`` names it).

    ``small`` draws a sparkline for small multiples: no grid values, no labels.
    """
    height = SMALL_HEIGHT if small else HEIGHT
    left = 2 if small else LEFT
    bottom = 2 if small else BOTTOM
    top_margin = 2 if small else TOP
    plot_height = height - bottom - top_margin
    baseline = height - bottom
    top = nice_top(max(counts, default=0))
    slot = (WIDTH - RIGHT - left) / max(len(spans), 1)
    gap = slot * GAP if slot >= 2 else 0
    bars = []
    for index, (span, value) in enumerate(zip(spans, counts, strict=True)):
        bar_height = plot_height * value / top
        bars.append(
            Bar(
                x=round(left + index * slot + gap / 2, 2),
                y=round(baseline - bar_height, 2),
                width=round(slot - gap, 2),
                height=round(bar_height, 2),
                value=value,
                label=label(span),
            )
        )
    chart = Chart(WIDTH, height, bars, baseline=baseline, left=left, small=small)
    if not small:
        chart.grid = [
            Tick(round(baseline - plot_height * fraction, 2), _number(top * fraction))
            # Counts are whole: a middle line only where it falls on a whole number.
            for fraction in ((0, 0.5, 1) if top % 2 == 0 else (0, 1))
        ]
        chart.labels = x_labels(spans, left, slot)
    return chart


def _number(value):
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def x_labels(spans, left, slot):
    """Labels under the bars, at most ``MAX_X_LABELS``: a span's start (MM-DD) for a few
    spans, each January's year for a long run of months."""
    if not spans:
        return []
    monthly = all(span.start.day == 1 for span in spans) and len(spans) > 1
    if monthly and len(spans) > 2 * MAX_X_LABELS:
        januaries = [i for i, span in enumerate(spans) if span.start.month == 1] or [0]
        step = math.ceil(len(januaries) / MAX_X_LABELS)
        chosen = januaries[::step]
        text = [str(spans[i].start.year) for i in chosen]
    else:
        step = math.ceil(len(spans) / MAX_X_LABELS)
        chosen = list(range(0, len(spans), step))
        fmt = "%Y-%m" if monthly else "%m-%d"
        text = [spans[i].start.strftime(fmt) for i in chosen]
    # A label starts at its bar; one too near the right edge would run out of the box.
    last = WIDTH - RIGHT - LABEL_WIDTH
    return [
        Tick(round(left + i * slot, 2), t)
        for i, t in zip(chosen, text, strict=True)
        if left + i * slot <= last
    ]


def week_label(span):
    """A week as the tables and tooltips name it: 2026-11-22 – 11-28."""
    return f"{span.start:%Y-%m-%d} – {span.end:%m-%d}"


def month_label(span):
    return f"{span.start:%Y-%m}"


def by_year(spans, counts):
    """A long run of months as a table's rows: (year, twelve counts or None, total)."""
    years = {}
    for span, value in zip(spans, counts, strict=True):
        years.setdefault(span.start.year, [None] * 12)[span.start.month - 1] = value
    return [(year, cells, sum(c for c in cells if c is not None)) for year, cells in years.items()]


def month_names():
    """The months' column headers, as numbers (the same in Chinese and English)."""
    return [datetime.date(2000, month, 1).strftime("%m") for month in range(1, 13)]
