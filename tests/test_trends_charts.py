"""The trends' charts and spans as plain geometry and arithmetic (no database)."""

import datetime
import itertools

import pytest

from digests.trends import charts, counts

END = datetime.date(2026, 3, 1)


def test_weeks_end_on_the_latest_day_and_do_not_overlap():
    weeks = counts.weeks(END, 3)
    assert [(w.start.isoformat(), w.end.isoformat()) for w in weeks] == [
        ("2026-02-09", "2026-02-15"),
        ("2026-02-16", "2026-02-22"),
        ("2026-02-23", "2026-03-01"),
    ]


def test_months_cover_every_calendar_month_across_years():
    months = counts.months(datetime.date(2025, 11, 20), datetime.date(2026, 2, 3))
    assert [(m.start.isoformat(), m.end.isoformat()) for m in months] == [
        ("2025-11-01", "2025-11-30"),
        ("2025-12-01", "2025-12-31"),
        ("2026-01-01", "2026-01-31"),
        ("2026-02-01", "2026-02-28"),
    ]
    assert counts.month_back(END, 24) == datetime.date(2024, 4, 1)
    assert counts.month_back(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 1, 1)


def test_bucket_sums_days_into_spans_and_keeps_the_latest_label():
    spans = counts.weeks(END, 2)
    rows = [
        ("topic", "ai", "AI 技术", datetime.date(2026, 2, 16), 2),
        ("topic", "ai", "AI技术", datetime.date(2026, 3, 1), 1),
        ("topic", "ai", "AI技术", datetime.date(2026, 2, 28), 4),
        ("topic", "ai", "旧", datetime.date(2026, 2, 1), 9),  # before the first span
        ("section", "3", "栏目", datetime.date(2026, 2, 20), 5),
    ]
    found = counts.bucket(rows, spans)
    assert found[("topic", "ai")].counts == [2, 5]
    assert found[("topic", "ai")].name == "AI技术"
    assert found[("section", "3")].counts == [5, 0]


def mover_rows(recent, before):
    """One row per item: ``recent`` in the last 4 weeks, ``before`` in the 12 before."""
    rows = [("topic", "t", "话题", END - datetime.timedelta(days=n), 1) for n in range(recent)]
    rows += [
        ("topic", "t", "话题", END - datetime.timedelta(days=28 + n), 1) for n in range(before)
    ]
    return rows


@pytest.mark.parametrize(
    ("recent", "before", "rising", "falling"),
    [
        (3, 0, False, False),  # below the minimum of 4
        (4, 0, True, False),
        (1, 3, False, False),  # 0.25 a week, as before
        (0, 12, False, True),
        (2, 3, True, False),  # 0.5 a week against 0.25
    ],
)
def test_movers_need_the_minimum_and_compare_rates_per_week(recent, before, rising, falling):
    up, down = counts.movers(mover_rows(recent, before), END)
    assert (bool(up), bool(down)) == (rising, falling)


def test_movers_ignore_sections_and_days_outside_the_sixteen_weeks():
    rows = [("section", "1", "栏目", END, 9)]
    rows += [("topic", "old", "旧", END - datetime.timedelta(days=112), 9)]
    assert counts.movers(rows, END) == ([], [])


def test_nice_top_rounds_up_to_a_readable_grid():
    assert [charts.nice_top(v) for v in (0, 1, 3, 7, 11, 24, 26, 180, 950)] == [
        1,
        1,
        5,
        10,
        20,
        25,
        50,
        200,
        1000,
    ]


def spans(n, monthly=False):
    if monthly:
        return counts.months(counts.month_back(END, n), END)
    return counts.weeks(END, n)


def test_bars_stay_inside_the_view_box_and_scale_to_the_grid():
    chart = charts.bar_chart(spans(12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20], charts.week_label)
    assert chart.view_box == "0 0 360 180"
    for bar in chart.bars:
        assert bar.x >= charts.LEFT and bar.x + bar.width <= chart.width
        assert bar.y >= 0 and bar.y + bar.height == pytest.approx(chart.baseline)
    tallest = chart.bars[-1]
    assert tallest.y == pytest.approx(charts.TOP)  # 20 is the grid's top
    assert chart.bars[10].height == pytest.approx(tallest.height / 2)
    assert [t.text for t in chart.grid] == ["0", "10", "20"]
    assert chart.bars[0].label == "2025-12-08 – 12-14" and chart.bars[-1].value == 20


def test_an_empty_series_draws_flat_bars_without_dividing_by_zero():
    chart = charts.bar_chart(spans(4), [0, 0, 0, 0], charts.week_label)
    assert {bar.height for bar in chart.bars} == {0}
    assert [t.text for t in chart.grid] == ["0", "1"]  # no line at 0.5 items


def test_grid_lines_are_whole_numbers():
    for top in (3, 5, 7, 24, 40):
        chart = charts.bar_chart(spans(2), [top, 0], charts.week_label)
        assert all(float(t.text).is_integer() for t in chart.grid), top


@pytest.mark.parametrize(("n", "monthly"), [(12, False), (26, False), (24, True), (200, True)])
def test_labels_under_the_bars_are_few_and_do_not_overlap(n, monthly):
    chart = charts.bar_chart(spans(n, monthly), [1] * n, charts.month_label)
    positions = [tick.position for tick in chart.labels]
    assert 1 <= len(positions) <= charts.MAX_X_LABELS
    # A label is at most 7 characters of 10-unit text (about 6 units each): 45 units apart.
    assert all(b - a >= 45 for a, b in itertools.pairwise(positions))
    assert max(positions) + charts.LABEL_WIDTH <= chart.width


def test_a_long_archive_is_labelled_by_year():
    chart = charts.bar_chart(spans(200, monthly=True), [1] * 200, charts.month_label)
    assert all(len(tick.text) == 4 and tick.text.startswith("20") for tick in chart.labels)


def test_small_multiples_have_no_labels_or_grid():
    chart = charts.bar_chart(spans(12), [1] * 12, charts.week_label, small=True)
    assert chart.height == charts.SMALL_HEIGHT and not chart.grid and not chart.labels


def test_months_become_a_table_of_years():
    months = counts.months(datetime.date(2025, 11, 1), datetime.date(2026, 2, 1))
    rows = charts.by_year(months, [1, 2, 3, 4])
    assert rows == [
        (2025, [None] * 10 + [1, 2], 3),
        (2026, [3, 4] + [None] * 10, 7),
    ]
