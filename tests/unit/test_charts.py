"""Charts for the statistics page: escaped, deterministic, accessible inline SVG."""

from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import Markup

from mkdocs_postmortem.render.charts import (
    DURATION_BINS_HOURS,
    bar_chart,
    bin_counts,
    describe,
    histogram,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<script>alert(1)</script>"
QUOTES = "\"&'"
QUARTERS = ["2024-Q1", "2024-Q2", "2024-Q3"]
BINS = [("low", 0.0, 1.0), ("high", 1.0, 2.0)]


def every_chart(label: str = "Privacy leak", title: str = "Incidents") -> list[Markup]:
    return [
        bar_chart("harms", title, [(label, 3), ("Jailbreak", 5)], unit="h"),
        stacked_bar_chart("quarters", title, QUARTERS, [(label, [1, 2, 3]), ("sev2", [0, 1, 0])]),
        histogram("ttd", title, [0.5, 3, 30], [(label, 0.0, 1.0), *DURATION_BINS_HOURS[1:]]),
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def classed(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(SVG + tag) if cls in el.get("class", "").split()]


def shown(text: ET.Element) -> str:
    """The visible text of a <text>, without the tooltip of a truncated label."""
    title = text.find(SVG + "title")
    return (title.tail if title is not None else text.text) or ""


def bars(root: ET.Element) -> list[ET.Element]:
    """The bars and column segments, without the legend's colour swatches."""
    return [el for el in classed(root, "rect", "pm-chart__bar") if el not in swatches(root)]


def swatches(root: ET.Element) -> list[ET.Element]:
    return classed(root, "rect", "pm-chart__swatch")


def tooltip(el: ET.Element) -> str:
    title = el.find(SVG + "title")
    return (title.text or "") if title is not None else ""


# --- Escaping ----------------------------------------------------------------------------


@pytest.mark.parametrize("svg", every_chart(label=XSS, title=XSS))
def test_markup_in_labels_and_titles_is_escaped(svg: Markup) -> None:
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = parse(svg)
    assert root.findtext(SVG + "title") == XSS
    assert any(tooltip(rect).startswith(XSS) for rect in root.iter(SVG + "rect"))


@pytest.mark.parametrize("svg", every_chart(label=QUOTES, title=QUOTES))
def test_quotes_and_ampersands_are_escaped(svg: Markup) -> None:
    assert "&#34;&amp;&#39;" in svg
    root = parse(svg)
    assert root.findtext(SVG + "title") == QUOTES
    assert any(tooltip(rect).startswith(QUOTES) for rect in root.iter(SVG + "rect"))


def test_the_unit_and_stacked_series_names_are_escaped_too() -> None:
    bars = bar_chart("a", "t", [("x", 1)], unit=XSS)
    stacked = stacked_bar_chart("b", "t", ["<Q1>"], [(XSS, [1])])
    for svg in (bars, stacked):
        assert "<script" not in svg
        parse(svg)
    assert "&lt;Q1&gt;" in stacked


def test_the_result_is_markup_so_autoescaping_templates_keep_it() -> None:
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string("<figure>{{ chart }}</figure>")
    svg = bar_chart("a", XSS, [(XSS, 1)])
    assert isinstance(svg, Markup)
    assert template.render(chart=svg) == f"<figure>{svg}</figure>"


def test_text_that_xml_forbids_is_dropped_so_the_svg_still_parses() -> None:
    svg = bar_chart("a", "bell\x07", [("nul\x00", 1)])
    assert parse(svg).findtext(SVG + "title") == "bell"


# --- Determinism -------------------------------------------------------------------------


def digest(charts: list[Markup]) -> str:
    return hashlib.sha256("".join(charts).encode()).hexdigest()


def test_the_same_input_gives_byte_identical_output_in_any_process() -> None:
    """Built twice in one process, charts always match; the order of a set of text
    changes with the hash seed, which each process draws anew."""
    code = "import sys, test_charts as t; print(t.digest(t.every_chart()))"
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parent)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert digests == {digest(every_chart())}


def test_ids_derive_from_the_chart_id_reduced_to_safe_characters() -> None:
    root = parse(bar_chart('Über "Harms" <2024>!', "t", [("x", 1)]))
    assert root.get("aria-labelledby") == "pm-chart-uber-harms-2024-title"
    assert root.get("aria-describedby") == "pm-chart-uber-harms-2024-desc"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids == ["pm-chart-uber-harms-2024-title", "pm-chart-uber-harms-2024-desc"]
    assert parse(bar_chart("!!!", "t", [])).get("aria-labelledby") == "pm-chart-chart-title"


def test_numbers_have_at_most_one_decimal() -> None:
    for svg in every_chart():
        root = parse(svg)
        assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", root.get("viewBox", ""))
        for el in root.iter():
            if el is root:
                continue  # checked with the viewBox
            for name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2", "font-size"):
                if name in el.attrib:
                    assert re.fullmatch(r"\d+(\.\d)?", el.attrib[name]), (name, el.attrib)


# --- Accessibility and styling -----------------------------------------------------------


@pytest.mark.parametrize("svg", [*every_chart(), bar_chart("empty", "Nothing", [])])
def test_every_chart_is_a_labelled_image_styled_by_classes(svg: Markup) -> None:
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert "pm-chart" in root.get("class", "").split()
    # Shown at its natural size, one user unit per CSS pixel: text is never scaled down.
    view_box = root.get("viewBox", "").split()
    assert (root.get("width"), root.get("height")) == (view_box[2], view_box[3])
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (SVG + "title", SVG + "desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text
    for el in root.iter():
        assert el.tag.removeprefix(SVG) not in {"script", "foreignObject", "a", "style", "image"}
        assert "style" not in el.attrib
        assert "stroke" not in el.attrib
        if el.tag == SVG + "text":
            assert el.get("fill") == "currentColor"
        else:
            assert "fill" not in el.attrib
    assert "href" not in svg
    assert "@font-face" not in svg


def test_each_bar_has_a_tooltip_with_label_and_value() -> None:
    root = parse(bar_chart("harms", "Harms", [("Privacy leak", 3), ("Jailbreak", 5)], unit="h"))
    assert [tooltip(bar) for bar in classed(root, "rect", "pm-chart__bar")] == [
        "Privacy leak: 3 h",
        "Jailbreak: 5 h",
    ]
    assert [shown(t) for t in classed(root, "text", "pm-chart__label")] == [
        "Privacy leak",
        "Jailbreak",
    ]
    assert [shown(t) for t in classed(root, "text", "pm-chart__value")] == ["3 h", "5 h"]
    assert classed(root, "line", "pm-chart__axis")


def test_bars_are_as_long_as_their_value_relative_to_the_largest() -> None:
    root = parse(bar_chart("a", "t", [("half", 5), ("full", 10)]))
    half, full = (float(bar.get("width", "")) for bar in classed(root, "rect", "pm-chart__bar"))
    assert half == pytest.approx(full / 2, abs=0.1)


def test_long_labels_are_truncated_but_kept_whole_in_the_tooltips() -> None:
    label = "Model recommended an unsafe medication dose to a patient"
    root = parse(bar_chart("a", "t", [(label, 4)]))
    (text,) = classed(root, "text", "pm-chart__label")
    assert shown(text) == label[:27] + "…"
    assert len(shown(text)) == 28
    assert tooltip(text) == label
    (bar,) = classed(root, "rect", "pm-chart__bar")
    assert tooltip(bar) == f"{label}: 4"


def test_a_label_of_exactly_28_characters_is_not_truncated() -> None:
    label = "x" * 28
    (text,) = classed(parse(bar_chart("a", "t", [(label, 1)])), "text", "pm-chart__label")
    assert shown(text) == label
    assert text.find(SVG + "title") is None


def test_stacked_columns_take_one_colour_class_per_series_and_show_a_legend() -> None:
    svg = stacked_bar_chart(
        "by-quarter",
        "Incidents per quarter",
        QUARTERS,
        [("sev1", [1, 0, 2]), ("sev2", [3, 1, 0]), ("sev3", [0, 0, 4])],
    )
    root = parse(svg)
    segments = bars(root)
    assert [tooltip(el) for el in segments] == [
        "sev1, 2024-Q1: 1",
        "sev2, 2024-Q1: 3",
        "sev2, 2024-Q2: 1",
        "sev1, 2024-Q3: 2",
        "sev3, 2024-Q3: 4",
    ]
    assert [el.get("class") for el in segments[:2]] == [
        "pm-chart__bar pm-chart__bar--0",
        "pm-chart__bar pm-chart__bar--1",
    ]
    totals = [shown(t) for t in classed(root, "text", "pm-chart__value")]
    assert totals == ["4", "1", "6"]
    assert [el.get("class") for el in swatches(root)] == [
        f"pm-chart__bar pm-chart__bar--{i} pm-chart__swatch" for i in range(3)
    ]
    legend = [shown(t) for t in classed(root, "text", "pm-chart__label--legend")]
    assert legend == ["sev1", "sev2", "sev3"]
    assert classed(root, "line", "pm-chart__grid")


def test_stacked_segments_sit_on_each_other() -> None:
    root = parse(stacked_bar_chart("a", "t", ["Q1"], [("a", [2]), ("b", [3])]))
    lower, upper = bars(root)
    assert float(upper.get("y", "")) + float(upper.get("height", "")) == pytest.approx(
        float(lower.get("y", ""))
    )


def test_colour_classes_repeat_after_ten_series() -> None:
    series = [(f"s{i}", [1]) for i in range(12)]
    root = parse(stacked_bar_chart("a", "t", ["Q1"], series))
    assert [el.get("class", "").split()[1] for el in swatches(root)[9:]] == [
        "pm-chart__bar--9",
        "pm-chart__bar--0",
        "pm-chart__bar--1",
    ]


def test_bad_input_is_refused_rather_than_drawn_wrong() -> None:
    with pytest.raises(ValueError, match="3 categories"):
        stacked_bar_chart("a", "t", QUARTERS, [("sev1", [1, 2])])
    with pytest.raises(ValueError, match="negative"):
        bar_chart("a", "t", [("x", -1)])
    with pytest.raises(ValueError, match="negative"):
        stacked_bar_chart("a", "t", ["Q1"], [("sev1", [-1])])


# --- Empty and all-zero input ------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart("a", "Harms", []),
        stacked_bar_chart("b", "Per quarter", [], []),
        stacked_bar_chart("c", "Per quarter", QUARTERS, []),
        histogram("d", "Time to detect", [], DURATION_BINS_HOURS),
        histogram("e", "Time to detect", [1.0], []),
    ],
)
def test_no_data_gives_a_small_chart_that_says_so(svg: Markup) -> None:
    root = parse(svg)
    assert "pm-chart--empty" in root.get("class", "").split()
    assert [shown(t) for t in root.iter(SVG + "text")] == ["No data"]
    assert root.findtext(SVG + "desc") == "No data."
    assert not list(root.iter(SVG + "rect"))


def test_all_zero_values_draw_empty_bars_without_dividing_by_zero() -> None:
    root = parse(bar_chart("a", "t", [("x", 0), ("y", 0)]))
    assert [shown(t) for t in classed(root, "text", "pm-chart__value")] == ["0", "0"]
    assert not classed(root, "rect", "pm-chart__bar")

    root = parse(stacked_bar_chart("b", "t", QUARTERS, [("sev1", [0, 0, 0])]))
    assert [shown(t) for t in classed(root, "text", "pm-chart__value")] == ["0", "0", "0"]
    assert len(classed(root, "rect", "pm-chart__swatch")) == 1

    root = parse(histogram("c", "t", [99.0], BINS))
    assert [shown(t) for t in classed(root, "text", "pm-chart__value")] == ["0", "0"]
    assert "1 value outside the bins" in (root.findtext(SVG + "desc") or "")


# --- Histogram ---------------------------------------------------------------------------


def test_bins_count_from_their_low_bound_up_to_but_excluding_their_high_bound() -> None:
    assert bin_counts([0.0, 0.99, 1.0, 1.5], BINS) == [2, 2]


def test_the_last_bin_includes_its_upper_bound_and_values_beyond_are_left_out() -> None:
    assert bin_counts([2.0, 2.01, -0.5, math.nan], BINS) == [0, 1]


def test_an_infinite_last_bin_takes_every_large_value() -> None:
    hours = [0.25, 1.0, 3.9, 4.0, 23.9, 24.0, 167.0, 168.0, 1e9, math.inf]
    assert bin_counts(hours, DURATION_BINS_HOURS) == [1, 2, 2, 2, 3]


def test_the_histogram_draws_the_counts_above_labelled_columns() -> None:
    hours = [0.5, 2.0, 3.0, 30.0, 400.0, 1000.0, 2000.0]
    root = parse(histogram("time-to-detect", "Time to detect", hours, DURATION_BINS_HOURS))
    labels = [shown(t) for t in root.iter(SVG + "text") if t.get("class") == "pm-chart__label"]
    assert labels == [label for label, _, _ in DURATION_BINS_HOURS]
    assert labels[1] == "1\N{EN DASH}4 h"
    assert [shown(t) for t in classed(root, "text", "pm-chart__value")] == [
        "1",
        "2",
        "0",
        "1",
        "3",
    ]
    assert [tooltip(bar) for bar in classed(root, "rect", "pm-chart__bar--0")] == [
        "< 1 h: 1",
        "1\N{EN DASH}4 h: 2",
        "1\N{EN DASH}7 d: 1",
        "> 7 d: 3",
    ]
    assert "Histogram of 7 values in 5 bins" in (root.findtext(SVG + "desc") or "")


# --- describe ----------------------------------------------------------------------------


def test_describe_gives_the_figures_for_the_table_beside_a_chart() -> None:
    assert describe([7, 1, 3, 9, 5]) == {"count": 5, "min": 1, "median": 5, "p90": 9, "max": 9}
    assert describe(list(range(1, 11))) == {
        "count": 10,
        "min": 1,
        "median": 5.5,
        "p90": 9,
        "max": 10,
    }


def test_p90_is_the_nearest_rank() -> None:
    assert describe(list(range(1, 12)))["p90"] == 10  # rank ceil(9.9) = 10
    assert describe(list(range(1, 21)))["p90"] == 18  # rank 18 exactly
    assert describe([4.0])["p90"] == 4.0


def test_describe_of_nothing_is_zeros() -> None:
    assert describe([]) == {"count": 0, "min": 0, "median": 0, "p90": 0, "max": 0}
    assert describe([math.nan]) == {"count": 0, "min": 0, "median": 0, "p90": 0, "max": 0}
