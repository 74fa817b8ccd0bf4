"""Issue 15 end to end: a serious incident under the EU AI Act builds with its due date
reported, fails once the date has passed without a report, and appears on the
regulatory page; the exports others read validate against their schemas and parse with
a feed reader and an iCalendar parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import jsonschema
import pytest
from cases import published
from conftest import FIXTURES, Site, fixture_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "mkdocs_postmortem" / "schemas"
ATLAS_SCHEMA = FIXTURES / "schemas" / "atlas_website_case_study_schema.json"

BLOCK = """regulatory:
  eu_ai_act:
    serious_incident: true
    category: critical_infrastructure
    widespread_infringement: false
    aware: 2026-11-20T09:00Z
    initial_report: null
    complete_report: null
    authority: Example authority <b>for energy</b>
"""


def serious(initial: str = "null") -> str:
    text = published(
        "TEST-2026-0001",
        "    event: A customer report reaches the support team.\n",
        "    event: A customer report reaches the support team.\n    atlas: AML.T0051.000\n",
    )
    block = BLOCK.replace("initial_report: null", f"initial_report: {initial}")
    return text.replace("reviewers:", block + "reviewers:", 1)


def _site(root: Path, today: str, initial: str = "null") -> Site:
    site = Site(root, f'today: "{today}"\norganisation: Example Energy')
    config = (site.root / "mkdocs.yml").read_text(encoding="utf-8")
    (site.root / "mkdocs.yml").write_text(
        config.replace("site_name: Test\n", "site_name: Test\nsite_url: https://pm.example.org/\n"),
        encoding="utf-8",
    )
    site.add("serious.md", serious(initial))
    # A draft that names an ATLAS technique: it gets no ATLAS case study, as no AIID record.
    draft = fixture_text("draft.md").replace(
        "\n---\n", "\ntaxonomy:\n  mitre_atlas: [AML.T0051]\n---\n", 1
    )
    site.add("draft.md", draft)
    return site


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, str]:
    site = _site(tmp_path_factory.mktemp("before") / "site", "2026-11-21")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site, result.stderr


def out(site: Site, *parts: str) -> Path:
    return site.root.joinpath("site", "postmortems", *parts)


def test_before_the_deadline_the_build_passes_and_reports_the_due_date(
    before: tuple[Site, str],
) -> None:
    _, log = before
    assert (
        "info PM501 regulatory.eu_ai_act: the Art. 73 report of this serious incident is due"
        " 2026-11-22T09:00Z" in log
    )


def test_the_incident_is_on_the_regulatory_page(before: tuple[Site, str]) -> None:
    site, _ = before
    html = out(site, "regulatory", "index.html").read_text(encoding="utf-8")
    assert "TEST-2026-0001" in html
    assert "Disruption of critical infrastructure" in html
    assert "2 days" in html
    assert 'datetime="2026-11-22T09:00' in html
    assert "Report due" in html and "in 1 day" in html
    assert "Example authority &lt;b&gt;for energy&lt;/b&gt;" in html  # escaped
    assert "<b>for energy" not in html
    report = out(site, "regulatory", "test-2026-0001", "index.html").read_text(encoding="utf-8")
    assert "Causal link between the AI system and the incident" in report
    assert "Add a grounding check for policy answers" in report  # a corrective measure
    assert "Example Energy" in report  # the provider


def _validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(path: Path, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in _validator(path).iter_errors(data)]


def test_the_art73_report_json_validates_and_follows_the_mapping(
    before: tuple[Site, str],
) -> None:
    site, _ = before
    data = json.loads(out(site, "regulatory", "test-2026-0001.json").read_text(encoding="utf-8"))
    assert _errors(SCHEMAS / "art73-report.schema.json", data) == []
    mapping = json.loads((ROOT / "mkdocs_postmortem/mappings/art73-report.json").read_text())
    keys = [f["key"] for s in data["sections"] for f in s["fields"]]
    assert keys == [f["key"] for s in mapping["sections"] for f in s["fields"]]
    values = {f["key"]: f["value"] for s in data["sections"] for f in s["fields"]}
    assert values["due"] == "2026-11-22T09:00Z"
    assert values["provider"] == "Example Energy"
    assert values["report_state"] == "Report due"
    assert [m["id"] for m in values["corrective_measures"]] == ["A1", "A2"]


def test_the_aiid_records_validate(before: tuple[Site, str]) -> None:
    site, _ = before
    records = sorted(out(site, "exports", "aiid").glob("*.json"))
    assert [p.name for p in records] == ["test-2026-0001.json"]  # the draft has none
    data = json.loads(records[0].read_text(encoding="utf-8"))
    assert _errors(SCHEMAS / "aiid-submission.schema.json", data) == []
    submission = data["submission"]
    assert submission["url"] == "https://pm.example.org/postmortems/serious/"
    assert submission["deployers"] == ["Example Energy"]
    assert submission["developers"] == ["Example AI"]
    assert submission["incident_date"] == "2026-03-02"


def test_the_atlas_case_study_validates_with_steps_from_the_timeline(
    before: tuple[Site, str],
) -> None:
    site, _ = before
    studies = sorted(out(site, "exports", "atlas").glob("*.json"))
    assert [p.name for p in studies] == ["test-2026-0001.json"]  # the draft has none
    data = json.loads(studies[0].read_text(encoding="utf-8"))
    assert _errors(ATLAS_SCHEMA, data) == []
    assert data["study"]["procedure"] == [
        {
            "tactic": "AML.TA0005",
            "technique": "AML.T0051.000",
            "description": "A customer report reaches the support team.",
        }
    ]
    # A file the schema refuses is refused: the test can fail.
    broken = {**data, "study": {**data["study"], "procedure": [{"tactic": "x"}]}}
    assert _errors(ATLAS_SCHEMA, broken) != []


def test_the_feed_parses_with_dates_from_the_data(before: tuple[Site, str]) -> None:
    site, _ = before
    raw = out(site, "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.id for e in feed.entries] == ["urn:mkdocs-postmortem:incident:TEST-2026-0001"]
    assert feed.entries[0].link == "https://pm.example.org/postmortems/serious/"
    assert feed.feed.updated == "2026-03-04T00:00:00Z"  # the resolved day, not the build's


def test_the_calendar_parses_with_the_open_items(before: tuple[Site, str]) -> None:
    site, _ = before
    calendar = icalendar.Calendar.from_ical(out(site, "action-items.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    # A1 is done; A2 is in progress, due 2027-05-01; the draft's open items have no due.
    assert [str(e["UID"]) for e in events] == ["TEST-2026-0001/A2@mkdocs-postmortem"]
    assert events[0].decoded("DTSTART").isoformat() == "2027-05-01"
    assert str(events[0]["URL"]).startswith("https://pm.example.org/postmortems/serious/#")


def test_after_the_deadline_without_a_report_the_build_fails(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "2026-11-23")
    result = site.build()
    assert result.returncode != 0
    assert (
        "docs/postmortems/serious.md:" in result.stderr
        and "error PM502 regulatory.eu_ai_act: the Art. 73 report of this serious incident was"
        " due 2026-11-22T09:00Z"
        in result.stderr
    ), result.stderr


def test_the_postmortem_page_shows_its_clock(before: tuple[Site, str]) -> None:
    site, _ = before
    html = out(site, "serious", "index.html").read_text(encoding="utf-8")
    assert '<h2 id="pm-eu-ai-act">EU AI Act</h2>' in html
    assert "Report due" in html and 'href="../regulatory/test-2026-0001/"' in html


def test_the_regulatory_page_states_the_days_of_the_schema_in_force(tmp_path: Path) -> None:
    """The days live in the schema (`x-report-days`): an organisation's schema that
    shortens one period and adds a category without days changes the page's sentence."""
    site = Site(tmp_path / "site", 'today: "2026-11-21"\nschema: org.json')
    builtin = json.loads((SCHEMAS / "ai-incident-postmortem.schema.json").read_text("utf-8"))
    category = builtin["$defs"]["eu_ai_act_category"]
    category["enum"].append("supply")
    category["x-labels"]["supply"] = "Disruption of essential supplies"
    category["x-report-days"]["death"] = 7
    (site.root / "org.json").write_text(json.dumps({"$defs": {"eu_ai_act_category": category}}))
    site.add("serious.md", serious().replace("critical_infrastructure", "death"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "(7 days after aware 2026-11-20T09:00Z, death)" in result.stderr
    html = out(site, "regulatory", "index.html").read_text(encoding="utf-8")
    assert (
        "The report is due, in calendar days after the provider became aware: 2 days for"
        " Disruption of critical infrastructure or a widespread infringement; 7 days for"
        " Death of a person; 15 days for Serious harm to health, Infringement of fundamental"
        " rights, Serious harm to property or the environment or Disruption of essential"
        " supplies." in html
    ), html
    assert "10 days" not in html
