"""The statistics page of built sites, in Material and in MkDocs' own theme: labels
from the schema, the numbers folded under each chart, the failure-mode by layer table,
and a sentence where there is nothing to count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cases import published
from conftest import Site, fixture_text

TODAY = 'today: "2026-11-27"'


def statistics(site: Site) -> str:
    path = site.root / "site" / "postmortems" / "statistics" / "index.html"
    return path.read_text(encoding="utf-8")


def chart(page: str, chart_id: str) -> str:
    found = re.search(rf'<svg[^>]*aria-labelledby="pm-chart-{chart_id}-title".*?</svg>', page, re.S)
    assert found, chart_id
    return found.group(0)


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("statistics") / "site", TODAY, theme=request.param)
    site.add(
        "published.md", fixture_text("published.md").replace("related: [TEST-2026-0002]\n", "")
    )
    site.add(
        "second.md",
        published(
            "TEST-2026-0003", "[hallucination, retrieval_failure]", "[prompt_injection]"
        ).replace("title: Support assistant", "title: <b>Second</b> assistant"),
    )
    site.add("draft.md", fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def test_charts_and_tables_show_the_schemas_labels(built: Site) -> None:
    page = statistics(built)
    mode = chart(page, "pm-failure-mode")
    labels = re.findall(r'<text class="pm-chart__label"[^>]*>([^<]+)</text>', mode)
    # one each: a tie, in the schema's order
    assert labels == ["Hallucination", "Prompt injection", "Retrieval failure"]
    layer = chart(page, "pm-layer")
    labels = re.findall(r'<text class="pm-chart__label"[^>]*>([^<]+)</text>', layer)
    assert labels == ["Prompt", "Retrieval", "Guardrail"]  # two each, the schema's order
    assert "<tr><td>SEV2 · major</td><td>2</td></tr>" in page
    assert "<tr><td>Guardrail</td><td>2</td><td>2</td><td>0</td></tr>" in page
    for raw in ("retrieval_failure", "prompt_injection", "human_on_the_loop"):
        assert f">{raw}<" not in page, raw


def test_each_charts_numbers_are_folded_under_it(built: Site) -> None:
    page = statistics(built)
    for section in ("by-severity", "by-failure-mode", "by-contributing-factor-layer"):
        part = page[page.index(f'id="{section}"') :]
        part = part[: part.index("</details>")]
        assert '<div class="pm-stat__chart"><svg' in part, section
        assert '<details class="pm-stat__numbers"><summary>Numbers</summary>' in part, section
        assert part.index("<svg") < part.index("<details") < part.index("<table"), section


def test_the_failure_mode_by_layer_table(built: Site) -> None:
    page = statistics(built)
    start = page.index('id="failure-modes-by-layer"')
    part = page[start : page.index("</table>", start)]
    assert 'class="pm-stat__scroll"' in part  # scrolls in its own box on a phone
    columns = re.findall(r'<th scope="col">([^<]+)</th>', part)
    assert columns == ["Failure mode", "Prompt", "Retrieval", "Guardrail"]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td[^>]*>[0-9]+</td>)+)</tr>', part)
    counts = {label: re.findall(r">([0-9]+)<", cells) for label, cells in rows}
    assert counts == {
        "Hallucination": ["1", "1", "1"],
        "Prompt injection": ["1", "1", "1"],
        "Retrieval failure": ["1", "1", "1"],
    }


def test_durations_are_in_words(built: Site) -> None:
    page = statistics(built)
    assert "<td>2 h 25 min</td>" in page
    assert "<td>36 h 20 min</td>" in page


def test_front_matter_is_escaped_in_the_charts(built: Site) -> None:
    assert "<b>Second</b>" not in statistics(built)


def test_an_archive_with_nothing_to_count_says_so(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", TODAY, theme="mkdocs")
    site.add("draft.md", fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    page = statistics(site)
    for sentence in (
        "No resolved incidents yet.",
        "No mitigated incidents yet.",
        "No postmortem names a failure mode yet.",
        "No postmortem gives contributing factors yet.",
        "No action items yet.",
    ):
        assert sentence in page, sentence
    assert page.count("<td>\u2014</td>") == 12  # min, median, p90 and max of three
    assert chart(page, "pm-severity")  # one postmortem: a severity to count
