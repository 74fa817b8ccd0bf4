"""The statistics page's figures and charts: schema labels, bars by count, text that a
phone shows at 11 px or more, "—" and a sentence where there is nothing to count, and
the failure-mode by layer table."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from cases import draft, published

from mkdocs_postmortem import read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render import charts
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import Renderer
from mkdocs_postmortem.render.templates import environment
from mkdocs_postmortem.schema import SchemaInForce

TODAY = dt.date(2026, 11, 27)
SVG = "{http://www.w3.org/2000/svg}"
# The narrowest content box of the statistics page on a 390 px wide phone, in CSS px:
# Material leaves 358 px, MkDocs' own theme 366 px (measured in Chromium; see
# tests/browser/test_statistics_screens.py). A chart wider than that is not scaled
# down but scrolls inside its box, so the bound below holds whatever the chart.
PHONE_CONTENT_PX = 358.0
SMALLEST_PX = 11.0


def renderer_of(*texts: str) -> Renderer:
    documents = [read(f"postmortems/{n}.md", t.encode()) for n, t in enumerate(texts)]
    archive = Archive.build(documents, SchemaInForce.load(), TODAY)
    uris = {i.id: i.path for i in archive.incidents}
    return Renderer(archive, Layout("postmortems"), environment(), lambda a, b: b, uris)


def three() -> Renderer:
    """Hallucination in all three; retrieval failure and prompt injection in one each
    (a tie, which the schema's order breaks)."""
    return renderer_of(
        published("X-0001"),
        published("X-0002", "[hallucination, retrieval_failure]", "[hallucination]"),
        published(
            "X-0003", "[hallucination, retrieval_failure]", "[prompt_injection, hallucination]"
        ).replace("  - layer: retrieval\n", "  - layer: model\n"),
    )


def page_of(renderer: Renderer) -> str:
    return next(p for p in renderer.plan() if p.src_uri.endswith("statistics.md")).make()


def test_rows_carry_value_label_and_count_sorted_by_count_ties_in_schema_order() -> None:
    stats = three().statistics()
    assert [(r["value"], r["label"], r["count"]) for r in stats["failure_mode"]] == [
        ("hallucination", "Hallucination", 3),
        ("prompt_injection", "Prompt injection", 1),
        ("retrieval_failure", "Retrieval failure", 1),
    ]
    # prompt 3, guardrail 3, retrieval 2, model 1: the tie in the schema's order
    assert [r["value"] for r in stats["layer"]] == ["prompt", "guardrail", "retrieval", "model"]
    # one of each category per postmortem: all tied, so the schema's order
    assert [r["label"] for r in stats["category"]] == ["Guardrail", "Retrieval"]


def test_severities_keep_their_order_as_a_scale() -> None:
    stats = three().statistics()
    assert [r["label"] for r in stats["severity"]] == [
        "SEV1 · critical",
        "SEV2 · major",
        "SEV3 · minor",
        "SEV4 · low",
    ]


def test_charts_show_labels_in_the_order_of_the_rows() -> None:
    renderer = three()
    made = renderer.charts(renderer.statistics())
    root = ET.fromstring(str(made["failure_mode"]))
    labels = [t.text for t in root.iter(SVG + "text") if t.get("class") == "pm-chart__label"]
    assert labels == ["Hallucination", "Prompt injection", "Retrieval failure"]
    assert "retrieval_failure" not in str(made["failure_mode"])


def test_chart_text_is_at_least_11_px_on_a_390_px_phone() -> None:
    """A chart is shown at its natural size (width and height attributes in CSS px equal
    to its viewBox), and scaled down only by `max-width: 100%` if some stylesheet sets
    it: its text then measures font-size * min(1, content width / chart width)."""
    renderer = three()
    made = renderer.charts(renderer.statistics())
    made["empty"] = charts.bar_chart("e", "Nothing", [])
    many_quarters = [f"{2020 + n // 4}-Q{n % 4 + 1}" for n in range(12)]
    made["quarters"] = charts.stacked_bar_chart("q", "t", many_quarters, [("s", [1] * 12)])
    for name, svg in made.items():
        root = ET.fromstring(str(svg))
        _, _, width, height = (float(n) for n in root.get("viewBox", "").split())
        assert (float(root.get("width", 0)), float(root.get("height", 0))) == (width, height)
        scale = min(1.0, PHONE_CONTENT_PX / width)
        sizes = {float(t.get("font-size", 0)) for t in root.iter(SVG + "text")}
        assert sizes and min(sizes) * scale >= SMALLEST_PX, (name, width, sizes)
        assert width <= PHONE_CONTENT_PX, name  # twelve quarters fit a phone too


def test_no_data_gives_a_dash_and_a_sentence() -> None:
    page = page_of(renderer_of(draft("X-0001"), draft("X-0002")))
    assert "No resolved incidents yet." in page
    assert "No mitigated incidents yet." in page
    assert "No postmortem names a failure mode yet." in page
    assert "No action items yet." in page
    rows = re.findall(r"<tr><td>to (detect|mitigate|resolve)</td><td>0</td>(.*?)</tr>", page)
    assert [name for name, _ in rows] == ["detect", "mitigate", "resolve"]
    for _, cells in rows:
        assert re.findall(r"<td>([^<]*)</td>", cells) == ["\u2014"] * 4


def test_durations_are_written_in_the_unit_that_fits() -> None:
    page = page_of(renderer_of(published("X-0001")))
    # occurred 09:15Z, detected 11:40Z, mitigated 13:00Z, resolved on 2026-03-04 (UTC)
    row = re.search(r"<tr><td>to detect</td><td>1</td>((?:<td>[^<]*</td>)+)</tr>", page)
    assert row and re.findall(r"<td>([^<]*)</td>", row.group(1)) == ["2 h 25 min"] * 4
    assert "<td>1 h 20 min</td>" in page
    assert "<td>36 h 20 min</td>" in page


def test_the_failure_mode_by_layer_table_counts_postmortems_having_both() -> None:
    cross = three().statistics()["cross"]
    # columns: the layers in use, in the schema's order; rows: the failure modes likewise
    assert cross["columns"] == ["Model", "Prompt", "Retrieval", "Guardrail"]
    assert cross["rows"] == [
        {"label": "Hallucination", "counts": [1, 3, 2, 3]},
        {"label": "Prompt injection", "counts": [1, 1, 0, 1]},
        {"label": "Retrieval failure", "counts": [0, 1, 1, 1]},
    ]


def test_the_cross_table_scrolls_in_its_own_box_and_numbers_are_folded() -> None:
    page = page_of(three())
    cross = page.index('class="pm-stat__scroll"')
    assert page.index('pm-stats--cross"') > cross
    assert '<th scope="row">Prompt injection</th>' in page
    # every table but the cross and fix-held tables (no chart) is folded under its chart
    assert page.count('<details class="pm-stat__numbers"><summary>Numbers</summary>') == 6
    assert page.count("<table") == 8
    fix_held = page.index('aria-labelledby="whether-fixes-held"')
    assert page.index('pm-stats--fix-held"') > fix_held


def test_front_matter_in_labels_is_escaped_in_the_svg() -> None:
    renderer = renderer_of(published("X-0001", "severity: sev2", "severity: <b>x</b>"))
    page = page_of(renderer)
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def digest_of_outputs() -> str:
    """The statistics page, incidents.json and the CSV of `three()`, hashed."""
    renderer = three()
    made = page_of(renderer) + renderer.incidents_json() + renderer.action_items_csv()
    return hashlib.sha256(made.encode("utf-8")).hexdigest()


def test_the_page_and_the_exports_are_byte_identical_under_any_hash_seed() -> None:
    code = "import test_statistics as t; print(t.digest_of_outputs())"
    tests = Path(__file__).parents[1]
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={
                **os.environ,
                "PYTHONHASHSEED": seed,
                "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(tests)]),
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert digests == {digest_of_outputs()}
