"""Charts for the statistics page, drawn as inline SVG when the site is built.

Plain SVG needs no JavaScript and no chart library. Colours come from the site's
stylesheet through classes, so the charts follow the light and dark themes.

Each chart is drawn for a phone: at most `_WIDTH` user units wide (unless it has more
columns than fit), and shown at its natural size, one user unit per CSS pixel (its
`width` and `height` attributes), so its 12 px text is never scaled down; the
stylesheet lets a chart that is wider than the page scroll inside its own box. Bar
labels sit above their bars, so that a long label does not take the bars' room. Output is
byte-identical for the same input, so rebuilding the site does not churn its files.
Empty input gives a small chart that says "No data" rather than an error, because a
new archive has nothing to count yet.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

__all__ = [
    "DURATION_BINS_HOURS",
    "bar_chart",
    "bin_counts",
    "describe",
    "histogram",
    "stacked_bar_chart",
]

# Durations in hours, labelled for readers; ranges use an en dash (U+2013).
DURATION_BINS_HOURS: list[tuple[str, float, float]] = [
    ("< 1 h", 0.0, 1.0),
    ("1\u20134 h", 1.0, 4.0),
    ("4\u201324 h", 4.0, 24.0),
    ("1\u20137 d", 24.0, 168.0),
    ("> 7 d", 168.0, math.inf),
]

_SVG_NS = "http://www.w3.org/2000/svg"
_WIDTH = 340.0  # user units = CSS px: fits the content of a 390 px wide phone
_PAD = 8.0
_FONT = 12
_CHAR_W = 7.0  # rough advance of one character at _FONT, to reserve room for text
_BASELINE_SHIFT = _FONT * 0.35  # moves text down so it sits centred on a given y
_LABEL_MAX = 28
_CATEGORY_MAX = 20
_SERIES_CLASSES = 10
_LABEL_H = 16.0  # a bar's label line, above the bar
_ROW_H = 40.0
_BAR_H = 16.0
_PLOT_H = 200.0
_LEGEND_ROW_H = 20.0
_SWATCH = 12.0

# Characters that XML 1.0 forbids even when escaped; they would make the SVG unparsable.
_QUARTER_RE = re.compile(r"([0-9]{4})-(Q[1-4])")

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bar_chart(
    chart_id: str, title: str, items: Sequence[tuple[str, int]], *, unit: str = ""
) -> Markup:
    """Horizontal bars, one row per item in the caller's order, to compare counts.

    `unit` is shown after each value, separated by a space. `chart_id` must be unique
    on the page: the SVG's ids derive from it.
    """
    sid = _slug(chart_id)
    if not items:
        return _no_data(sid, "bar", title)
    _check_not_negative(value for _, value in items)
    suffix = f" {unit}" if unit else ""
    shown = [_truncate(label, _LABEL_MAX) for label, _ in items]
    values = [f"{int(value)}{suffix}" for _, value in items]
    peak = max(int(value) for _, value in items)

    value_w = _PAD + _CHAR_W * max(len(text) for text in values)
    label_w = 2 * _PAD + _CHAR_W * max(len(text) for text in shown)
    width = max(_WIDTH, label_w, 2 * _PAD + value_w + 80.0)
    plot_w = width - 2 * _PAD - value_w
    height = _PAD + _ROW_H * len(items)

    desc = f"Bar chart, {_count(len(items), 'item')}: " + "; ".join(
        f"{label}: {value}" for (label, _), value in zip(items, values, strict=True)
    )
    parts = _open(sid, "bar", width, height, title, desc + ".")
    for row, ((label, value), text, value_text) in enumerate(
        zip(items, shown, values, strict=True)
    ):
        top = _PAD + row * _ROW_H
        middle = top + _LABEL_H + _BAR_H / 2
        bar_w = round(int(value) / peak * plot_w, 1) if peak else 0.0
        parts.append(_text(_PAD, top + _LABEL_H / 2, text, "pm-chart__label", full=label))
        if bar_w > 0:
            parts.append(
                _rect(_PAD, middle - _BAR_H / 2, bar_w, _BAR_H, 0, f"{label}: {value_text}")
            )
        parts.append(_text(_PAD + bar_w + _PAD / 2, middle, value_text, "pm-chart__value"))
    parts.append(_line("pm-chart__axis", _PAD, _PAD / 2, _PAD, height - _PAD / 2))
    return _close(parts)


def stacked_bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
) -> Markup:
    """Vertical stacked columns, to show how a total splits across series over time.

    Each series is a name and one value per category, in the order of `categories`.
    Series take the colour classes `pm-chart__bar--0` to `--9` in order, then repeat.
    """
    sid = _slug(chart_id)
    if not categories or not series:
        return _no_data(sid, "stacked", title)
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(
                f"series {name!r} has {len(values)} values for {len(categories)} categories"
            )
        _check_not_negative(values)

    stacks = [
        [
            (index, int(values[column]), f"{name}, {category}: {int(values[column])}")
            for index, (name, values) in enumerate(series)
        ]
        for column, category in enumerate(categories)
    ]
    desc = (
        f"Stacked column chart, {_count(len(categories), 'category', 'categories')}, "
        f"{_count(len(series), 'series', 'series')}. "
        + "; ".join(
            f"{category}: "
            + ", ".join(f"{name} {int(values[column])}" for name, values in series)
            + f" (total {sum(int(values[column]) for _, values in series)})"
            for column, category in enumerate(categories)
        )
    )
    return _columns(
        sid, "stacked", title, desc + ".", categories, stacks, [name for name, _ in series]
    )


def histogram(
    chart_id: str,
    title: str,
    values: Sequence[float],
    bins: Sequence[tuple[str, float, float]],
) -> Markup:
    """Vertical columns counting values per bin, to show how a quantity is spread.

    Bins are `(label, low, high)` and count `low <= value < high`; the last bin also
    counts `value == high`. Values outside every bin are left out (the description says
    how many). See `DURATION_BINS_HOURS` for durations.
    """
    sid = _slug(chart_id)
    if not values or not bins:
        return _no_data(sid, "histogram", title)
    counts = bin_counts(values, bins)
    labels = [label for label, _, _ in bins]
    stacks = [
        [(0, count, f"{label}: {count}")] for label, count in zip(labels, counts, strict=True)
    ]
    desc = f"Histogram of {_count(len(values), 'value')} in {_count(len(bins), 'bin')}: " + (
        "; ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
    )
    outside = len(values) - sum(counts)
    if outside:
        desc += f". {_count(outside, 'value')} outside the bins not shown"
    return _columns(sid, "histogram", title, desc + ".", labels, stacks, [])


def bin_counts(values: Sequence[float], bins: Sequence[tuple[str, float, float]]) -> list[int]:
    """How many values fall in each bin, with the rule `histogram` uses (for tables)."""
    counts = [0] * len(bins)
    for value in values:
        for index, (_, low, high) in enumerate(bins):
            if low <= value < high:
                counts[index] += 1
                break
        else:
            if bins and bins[-1][1] <= value == bins[-1][2]:
                counts[-1] += 1
    return counts


def describe(values: Sequence[float]) -> dict[str, float | int]:
    """Count, min, median, 90th percentile (nearest rank) and max, for a table beside
    a distribution chart. NaN values are ignored; no values give count 0 and zeros."""
    data = sorted(value for value in values if not math.isnan(value))
    if not data:
        return {"count": 0, "min": 0.0, "median": 0.0, "p90": 0.0, "max": 0.0}
    n = len(data)
    middle = n // 2
    median = data[middle] if n % 2 else (data[middle - 1] + data[middle]) / 2
    p90 = data[(9 * n + 9) // 10 - 1]  # rank ceil(0.9 n), in integers to avoid float error
    return {"count": n, "min": data[0], "median": median, "p90": p90, "max": data[-1]}


# --- Drawing ---------------------------------------------------------------------------


def _columns(
    sid: str,
    kind: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    stacks: Sequence[Sequence[tuple[int, int, str]]],
    legend: Sequence[str],
) -> Markup:
    """Vertical columns, each a stack of (series index, value, tooltip) from the bottom."""
    totals = [sum(value for _, value, _ in stack) for stack in stacks]
    ticks = _ticks(max(totals))
    scale = ticks[-1] or 1
    # A quarter (`2024-Q1`) is written `Q1`, with its year on a line below where the
    # year starts: twelve quarters then fit the width of a phone.
    quarters = [_QUARTER_RE.fullmatch(label) for label in labels]
    if not all(quarters):
        quarters = [None] * len(labels)
    shown = [
        match.group(2) if match else _truncate(label, _CATEGORY_MAX)
        for label, match in zip(labels, quarters, strict=True)
    ]
    every_year = [match.group(1) if match else "" for match in quarters]
    years = [
        year if year != before else ""
        for year, before in zip(every_year, ["", *every_year[:-1]], strict=True)
    ]

    left = 2 * _PAD + _CHAR_W * len(str(ticks[-1]))
    slot_min = max(25.0 if any(quarters) else 48.0, _PAD + _CHAR_W * max(map(len, shown)))
    plot_w = max(_WIDTH - left - _PAD, slot_min * len(stacks))
    width = left + plot_w + _PAD
    slot = plot_w / len(stacks)
    # A year is written where it starts, but not when the next one starts too soon
    # after it to leave it room (the first column a Q4, the next a Q1).
    room = math.ceil((_CHAR_W * 4 + _PAD) / slot)
    for column, year in enumerate(years):
        if year and any(years[column + 1 : column + room]):
            years[column] = ""
    column_w = round(min(slot * 0.6, 64.0), 1)
    top = 3 * _PAD  # room for the value above the tallest column
    base = top + _PLOT_H

    def y_of(value: int) -> float:
        return round(base - value / scale * _PLOT_H, 1)

    legend_rows = _legend_layout(legend, left, left + plot_w)
    year_h = _LEGEND_ROW_H if any(years) else 0.0
    base_below = base + year_h
    height = base_below + 3.5 * _PAD + (_LEGEND_ROW_H * (legend_rows[-1][0] + 1) if legend else 0.0)

    parts = _open(sid, kind, width, height, title, desc)
    for tick in ticks:
        if tick:
            parts.append(_line("pm-chart__grid", left, y_of(tick), left + plot_w, y_of(tick)))
        parts.append(
            _text(
                left - _PAD, y_of(tick), str(tick), "pm-chart__label pm-chart__label--tick", "end"
            )
        )
    for column, (stack, label, text, total) in enumerate(
        zip(stacks, labels, shown, totals, strict=True)
    ):
        x = round(left + column * slot + (slot - column_w) / 2, 1)
        centre = round(left + (column + 0.5) * slot, 1)
        below = 0
        for index, value, tooltip in stack:
            if value > 0:
                y_top, y_bottom = y_of(below + value), y_of(below)
                parts.append(_rect(x, y_top, column_w, y_bottom - y_top, index, tooltip))
                below += value
        parts.append(_text(centre, y_of(total) - _PAD, str(total), "pm-chart__value", "middle"))
        parts.append(_text(centre, base + 2 * _PAD, text, "pm-chart__label", "middle", full=label))
        if years[column]:
            parts.append(
                _text(
                    left + column * slot + _PAD / 2,
                    base + 2 * _PAD + year_h,
                    years[column],
                    "pm-chart__label pm-chart__label--group",
                )
            )
    parts.append(_line("pm-chart__axis", left, base, left + plot_w, base))

    legend_top = base_below + 3.5 * _PAD
    for (row, x), (index, name) in zip(legend_rows, enumerate(legend), strict=True):
        y = legend_top + row * _LEGEND_ROW_H
        parts.append(
            f'<rect class="pm-chart__bar {_series_class(index)} pm-chart__swatch" '
            f'x="{_num(x)}" y="{_num(y)}" width="{_num(_SWATCH)}" height="{_num(_SWATCH)}"/>'
        )
        parts.append(
            _text(
                x + _SWATCH + _PAD / 2,
                y + _SWATCH / 2,
                _truncate(name, _LABEL_MAX),
                "pm-chart__label pm-chart__label--legend",
                full=name,
            )
        )
    return _close(parts)


def _legend_layout(names: Sequence[str], left: float, right: float) -> list[tuple[int, float]]:
    """(row, x) of each legend entry, wrapping to a new row when the line is full."""
    places: list[tuple[int, float]] = []
    row, x = 0, left
    for name in names:
        entry_w = _SWATCH + _PAD / 2 + _CHAR_W * len(_truncate(name, _LABEL_MAX)) + 2 * _PAD
        if x > left and x + entry_w > right:
            row, x = row + 1, left
        places.append((row, x))
        x += entry_w
    return places


def _ticks(peak: int) -> list[int]:
    """0 and multiples of a round step (1, 2 or 5 times a power of ten), up to >= peak."""
    if peak <= 0:
        return [0]
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if step * 4 >= peak:
                return [step * k for k in range(-(-peak // step) + 1)]
        magnitude *= 10


def _no_data(sid: str, kind: str, title: str) -> Markup:
    height = 48.0
    parts = _open(sid, f"{kind} pm-chart--empty", _WIDTH, height, title, "No data.")
    parts.append(_text(_WIDTH / 2, height / 2, "No data", "pm-chart__label", "middle"))
    return _close(parts)


def _open(sid: str, kind: str, width: float, height: float, title: str, desc: str) -> list[str]:
    ident = f"pm-chart-{sid}"
    return [
        f'<svg xmlns="{_SVG_NS}" class="pm-chart pm-chart--{kind}" role="img" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}">',
        f'<title id="{ident}-title">{_escape(title)}</title>',
        f'<desc id="{ident}-desc">{_escape(desc)}</desc>',
    ]


def _close(parts: list[str]) -> Markup:
    # Safe to mark as markup: every text from the caller went through _escape.
    return Markup("\n".join([*parts, "</svg>"]))


def _rect(x: float, y: float, w: float, h: float, series: int, tooltip: str) -> str:
    return (
        f'<rect class="pm-chart__bar {_series_class(series)}" x="{_num(x)}" y="{_num(y)}" '
        f'width="{_num(w)}" height="{_num(h)}"><title>{_escape(tooltip)}</title></rect>'
    )


def _text(
    x: float, y: float, text: str, cls: str, anchor: str = "start", *, full: str | None = None
) -> str:
    """A line of text centred vertically on `y`; `full` is the untruncated text, if any."""
    tooltip = f"<title>{_escape(full)}</title>" if full is not None and full != text else ""
    return (
        f'<text class="{cls}" x="{_num(x)}" y="{_num(y + _BASELINE_SHIFT)}" '
        f'font-size="{_FONT}" fill="currentColor" text-anchor="{anchor}">'
        f"{tooltip}{_escape(text)}</text>"
    )


def _line(cls: str, x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line class="{cls}" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        'shape-rendering="crispEdges"/>'
    )


# --- Text and numbers ------------------------------------------------------------------


def _series_class(index: int) -> str:
    return f"pm-chart__bar--{index % _SERIES_CLASSES}"


def _escape(text: str) -> str:
    return str(escape(_NOT_XML.sub("", text)))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: float) -> str:
    """Locale-free, at most one decimal, no `-0`: the same number always prints the same."""
    if isinstance(value, int):
        return str(int(value))
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _slug(chart_id: str) -> str:
    """`chart_id` reduced to [a-z0-9-], so that ids built from it are safe everywhere."""
    ascii_id = unicodedata.normalize("NFKD", chart_id).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_id.lower()).strip("-") or "chart"


def _check_not_negative(values: Iterable[int]) -> None:
    for value in values:
        if value < 0:
            raise ValueError(f"chart values must not be negative, got {value}")
