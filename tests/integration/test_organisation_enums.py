"""An organisation's schema that adds a severity, an action-item category and a failure
mode: every page, chart and export of the archive shows them, in the schema's order
(issue 11). Before, the filters and the statistics kept a copy of the built-in enums, so
a `sev0` postmortem was counted nowhere."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from cases import published
from conftest import Site
from sitecheck import broken_links

from mkdocs_postmortem import builtin_schema
from mkdocs_postmortem.cli import main
from mkdocs_postmortem.render.layout import page_slug

BUILTIN = builtin_schema()["$defs"]
SEVERITIES = ["sev0", *BUILTIN["severity"]["enum"]]
CATEGORIES = [*BUILTIN["action_category"]["enum"], "red_teaming"]
FAILURE_MODES = [*BUILTIN["failure_mode"]["enum"], "agent_loop"]
ORGANISATION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "severity": {"enum": SEVERITIES},
        "action_category": {"enum": CATEGORIES},
        "failure_mode": {"enum": FAILURE_MODES},
    },
}


def organisation_site(root: Path, theme: str = "material", options: str = "") -> Site:
    site = Site(root, f'today: "2026-11-27"\nschema: org.schema.json\n{options}', theme=theme)
    (site.root / "org.schema.json").write_text(json.dumps(ORGANISATION_SCHEMA), encoding="utf-8")
    return site


def add_postmortems(site: Site) -> None:
    """A `sev0` with the new failure mode and category, and two built-in ones."""
    worst = published("ORG-2026-0001", "severity: sev2", "severity: sev0")
    worst = worst.replace(
        "failure_modes: [hallucination, retrieval_failure]", "failure_modes: [agent_loop]"
    )
    worst = worst.replace("category: guardrail", "category: red_teaming")
    site.add("worst.md", worst)
    site.add("usual.md", published("ORG-2026-0002"))
    older = published("ORG-2025-0003", "severity: sev2", "severity: sev4")
    site.add("older.md", older.replace("occurred: 2026-03-02T09:15Z", "occurred: 2025-06-01"))
    (site.docs / "format.md").write_text(
        "# Format\n\n<!-- postmortem:schema-reference -->\n", encoding="utf-8"
    )


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = organisation_site(tmp_path_factory.mktemp("org") / "site", theme=request.param)
    add_postmortems(site)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def page(site: Site, *parts: str) -> str:
    return site.root.joinpath("site", *parts).read_text(encoding="utf-8")


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select data-pm-filter="{name}"[^>]*>(.*?)</select>', html)
    assert select is not None, name
    return re.findall(r'<option value="([^"]+)">', select.group(1))


def chart(html: str, chart_id: str) -> str:
    found = re.search(rf'<svg[^>]*"pm-chart-{chart_id}-title".*?</svg>', html, re.DOTALL)
    assert found is not None, chart_id
    return found.group(0)


def test_the_index_filters_offer_the_new_values_in_the_schemas_order(built: Site) -> None:
    index = page(built, "postmortems", "index.html")
    assert options_of(index, "severity") == ["sev0", "sev2", "sev4"]
    assert options_of(index, "failure-mode") == ["hallucination", "retrieval_failure", "agent_loop"]
    assert 'data-pm-severity="sev0"' in index


def test_the_statistics_count_every_severity(built: Site) -> None:
    stats = page(built, "postmortems", "statistics", "index.html")
    # Values that the organisation's schema gives no label are shown humanised.
    rows = re.findall(r"<tr><td>(Sev[0-9])</td><td>([0-9]+)</td></tr>", stats)
    assert rows == [("Sev0", "1"), ("Sev1", "0"), ("Sev2", "1"), ("Sev3", "0"), ("Sev4", "1")]
    assert "Sev0: 1" in chart(stats, "pm-severity")
    header = re.search(r"<th scope=\"col\">Quarter</th>(.*?)</tr>", stats)
    assert header is not None
    assert re.findall(r"<th scope=\"col\">([^<]+)</th>", header.group(1)) == [
        *(s.capitalize() for s in SEVERITIES),
        "Total",
    ]
    quarters = re.findall(r"<tr><td>([0-9]{4}-Q[1-4])</td>((?:<td>[0-9]+</td>)+)</tr>", stats)
    assert quarters
    for quarter, cells in quarters:
        *counts, total = (int(n) for n in re.findall(r"[0-9]+", cells))
        assert len(counts) == len(SEVERITIES), quarter
        assert sum(counts) == total, quarter
    assert sum(int(re.findall(r"[0-9]+", cells)[-1]) for _, cells in quarters) == 3
    quarter_chart = chart(stats, "pm-quarter")
    assert "2026-Q1: Sev0 1, Sev1 0, Sev2 1, Sev3 0, Sev4 0 (total 2)" in quarter_chart


def test_the_statistics_show_the_new_category_and_failure_mode(built: Site) -> None:
    stats = page(built, "postmortems", "statistics", "index.html")
    assert "<tr><td>Red teaming</td><td>1</td><td>1</td><td>0</td></tr>" in stats
    assert "Red teaming: 1" in chart(stats, "pm-category")
    assert "<tr><td>Agent loop</td><td>1</td></tr>" in stats
    assert "Agent loop: 1" in chart(stats, "pm-failure-mode")


def test_the_new_failure_mode_and_category_have_their_pages(built: Site) -> None:
    mode = page(built, "postmortems", "failure-modes", page_slug("agent_loop"), "index.html")
    assert '<span class="pm-id">ORG-2026-0001</span>' in mode
    assert '<span class="pm-id">ORG-2026-0002</span>' not in mode
    assert "agent_loop" in page(built, "postmortems", "failure-modes", "index.html")
    category = page(built, "postmortems", "action-items", page_slug("red_teaming"), "index.html")
    assert ">ORG-2026-0001/A2</a>" in category
    items = page(built, "postmortems", "action-items", "index.html")
    # open, in_progress, done, wont_do, overdue, total
    # The category's label, with no `x-labels` of its own: the value humanised.
    row = re.search(r"Red teaming</a></td>(.*?)</tr>", items)
    assert row is not None
    assert re.findall(r">(\d+)</td>", row.group(1)) == ["0", "1", "0", "0", "0", "1"]
    out = built.root / "site"
    assert broken_links(out, sorted((out / "postmortems").rglob("*.html"))) == []


def test_the_exports_hold_the_new_values(built: Site) -> None:
    data = json.loads(page(built, "postmortems", "incidents.json"))
    worst = next(i for i in data["incidents"] if i["id"] == "ORG-2026-0001")
    assert worst["severity"] == "sev0"
    assert worst["failure_modes"] == ["agent_loop"]
    assert [item["category"] for item in worst["action_items"]] == ["retrieval", "red_teaming"]
    rows = list(csv.DictReader(io.StringIO(page(built, "postmortems", "action-items.csv"))))
    assert ("ORG-2026-0001", "A2", "red_teaming") in {
        (r["incident_id"], r["item_id"], r["category"]) for r in rows
    }


def test_the_schema_reference_lists_the_new_values(built: Site) -> None:
    reference = page(built, "format", "index.html")
    assert "postmortem:schema-reference" not in reference
    for value in ("sev0", "red_teaming", "agent_loop"):
        assert f"<code>{value}</code>" in reference, value


def test_new_writes_the_new_severity_and_lists_the_new_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = organisation_site(tmp_path / "site")
    monkeypatch.chdir(site.root)
    assert main(["new", "-f", "mkdocs.yml", "--severity", "sev0", "--title", "x"]) == 0
    (written,) = site.archive.iterdir()
    text = written.read_text(encoding="utf-8")
    assert "\nseverity: sev0\n" in text
    assert "# one of: " + ", ".join(CATEGORIES) in text
    assert "[hallucination]  # one of: " + ", ".join(FAILURE_MODES) in text
    assert main(["new", "-f", "mkdocs.yml", "--title", "y"]) == 0  # sev3 is still a level
    capsys.readouterr()
    assert main(["validate", "-f", "mkdocs.yml"]) == 0


def test_values_outside_the_schema_are_still_counted(tmp_path: Path) -> None:
    """Under `fail_on: never` a build goes on with values the schema refuses: they are
    shown after the schema's own, never dropped."""
    site = organisation_site(tmp_path / "site", options="fail_on: never")
    add_postmortems(site)
    site.add("odd.md", published("ORG-2026-0004", "severity: sev2", "severity: sev9"))
    assert site.build().returncode == 0
    index = page(site, "postmortems", "index.html")
    assert options_of(index, "severity") == ["sev0", "sev2", "sev4", "sev9"]
    stats = page(site, "postmortems", "statistics", "index.html")
    assert "<tr><td>Sev9</td><td>1</td></tr>" in stats
    assert "Sev0 1, Sev1 0, Sev2 1, Sev3 0, Sev4 0, Sev9 1 (total 3)" in chart(stats, "pm-quarter")
