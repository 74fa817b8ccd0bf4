"""incidents.json (version 2) and action-items.csv, read from built sites: every field
of every postmortem as its front-matter gives it, valid against the JSON Schema that
the package ships and the site publishes beside the export."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cases import published
from conftest import ENV, Site, fixture_text

from mkdocs_postmortem import read

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "mkdocs_postmortem" / "schemas" / "incidents-export.schema.json"

# The fixture's published postmortem, with the optional fields it leaves out.
EVERY_FIELD = published(
    "TEST-2026-0001",
    "reviewers: [Support engineering, Trust and safety]\n",
    "reviewers: [Support engineering, Trust and safety]\n"
    "open_questions:\n  - Did the index miss other policy sections?\n"
    "  - '=cmd() in a question'\n",
).replace("  nist_ai_600_1: [confabulation]\n", "  nist_ai_600_1: [confabulation]\n  aiid: [622]\n")


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SHIPPED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors_of(data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator().iter_errors(data)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("exports") / "site", 'today: "2026-11-27"')
    site.add("every-field.md", EVERY_FIELD)
    site.add("draft.md", fixture_text("draft.md"))
    no_action = published("TEST-2025-0003").replace("occurred: 2026-03-02", "occurred: 2025-03-02")
    head, rest = no_action.split("action_items:\n", 1)
    rest = rest[rest.index("related:") if "related:" in rest else rest.index("taxonomy:") :]
    site.add("no-action.md", head + "no_action_rationale: Already fixed upstream.\n" + rest)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def exported(site: Site) -> dict[str, Any]:
    text = (site.root / "site" / "postmortems" / "incidents.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {incident["id"]: incident for incident in data["incidents"]}


def test_the_export_names_its_format_version_and_schema(built: Site) -> None:
    data = exported(built)
    assert (data["format"], data["version"]) == ("mkdocs-postmortem/incidents", 2)
    assert data["schema"] == "incidents.schema.json"
    published_schema = built.root / "site" / "postmortems" / data["schema"]
    assert published_schema.read_bytes() == SHIPPED.read_bytes()
    assert data["labels"]["severity"]["sev2"] == "SEV2 · major"
    assert list(data["labels"]["failure_mode"])[:2] == ["hallucination", "prompt_injection"]


def test_every_front_matter_field_is_exported_as_written(built: Site) -> None:
    front_matter = read("every-field.md", EVERY_FIELD.encode()).data
    assert front_matter is not None
    incident = by_id(exported(built))["TEST-2026-0001"]
    for key, value in front_matter.items():
        if key == "action_items":
            continue
        assert incident[key] == value, key
    # dates as the author wrote them, enum values as values
    assert incident["occurred"] == "2026-03-02T09:15Z"
    assert incident["resolved"] == "2026-03-04"
    assert incident["timeline"][0] == {
        "at": "2026-03-02T09:15Z",
        "event": "The first customer receives the invented refund rule.",
    }
    assert incident["ai_system"]["prompt"]["history"][0]["date"] == "2026-02-20"
    assert incident["ai_system"]["data_sources"] == [
        {"name": "policy-pages", "version": "2026-02-01"}
    ]
    assert incident["ai_system"]["guardrails"] == [
        {"name": "policy grounding check", "state": "absent"}
    ]
    assert incident["ai_system"]["human_oversight"] == "human_on_the_loop"
    assert incident["impact"]["harm_types"] == ["financial", "misinformation"]
    assert incident["contributing_factors"][0]["layer"] == "prompt"
    assert incident["taxonomy"]["aiid"] == [622]
    assert incident["open_questions"][1] == "=cmd() in a question"  # JSON keeps text as is
    assert incident["reviewers"] == ["Support engineering", "Trust and safety"]
    # and what the build works out
    assert incident["url"] == "every-field/"
    assert incident["models"] == [
        {"name": "example-chat", "version": "2026-01-15", "provider": "Example AI"}
    ]


def test_action_items_have_all_their_keys(built: Site) -> None:
    front_matter = read("every-field.md", EVERY_FIELD.encode()).data
    assert front_matter is not None
    items = by_id(exported(built))["TEST-2026-0001"]["action_items"]
    for item, written in zip(items, front_matter["action_items"], strict=True):
        for key, value in written.items():
            assert item[key] == value, key
    assert items[1] == {
        "id": "A2",
        "title": "Add a grounding check for policy answers",
        "category": "guardrail",
        "status": "in_progress",
        "owner": "Safety team",
        "due": "2027-05-01",
        "overdue": False,
        "tracker": None,
        "url": "every-field/#action-A2",
    }


def test_fields_left_out_are_null_or_empty(built: Site) -> None:
    incidents = by_id(exported(built))
    draft = incidents["TEST-2026-0002"]
    for key in ("detected", "mitigated", "resolved", "detection", "impact", "ai_system"):
        assert draft[key] is None, key
    for key in ("contributing_factors", "timeline", "open_questions", "reviewers", "tags"):
        assert draft[key] == [], key
    assert draft["taxonomy"] == {}
    assert draft["kind"] == "incident"  # the schema's default
    no_action = incidents["TEST-2025-0003"]
    assert no_action["action_items"] == []
    assert no_action["no_action_rationale"] == "Already fixed upstream."


def test_the_export_validates_against_the_shipped_schema(built: Site) -> None:
    assert errors_of(exported(built)) == []


def test_the_schema_refuses_what_is_not_the_format(built: Site) -> None:
    data = exported(built)
    assert errors_of({**data, "version": 1})
    broken = json.loads(json.dumps(data))
    del broken["incidents"][0]["timeline"]
    broken["incidents"][1]["action_items"] = [{"id": "A1"}]
    errors = errors_of(broken)
    assert "$.incidents[0]: 'timeline' is a required property" in errors
    assert "$.incidents[1].action_items[0]: 'title' is a required property" in errors


def test_the_example_archive_export_validates(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs.yml", "-d", str(tmp_path)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "postmortems" / "incidents.json").read_text(encoding="utf-8"))
    assert len(data["incidents"]) >= 10
    assert errors_of(data) == []
    assert (tmp_path / "postmortems" / "incidents.schema.json").is_file()


def test_the_csv_has_the_incident_title_next_to_its_id(built: Site) -> None:
    text = (built.root / "site" / "postmortems" / "action-items.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith('"incident_id","incident_title","item_id",')
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert (rows[0]["incident_id"], rows[0]["incident_title"]) == (
        "TEST-2026-0001",
        "Support assistant quoted a refund rule that does not exist",
    )
