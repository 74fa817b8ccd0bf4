"""Similar incidents in a built site: a section of their own after "Related", with the
reasons, never a related postmortem; and `similar` in incidents.json, valid against the
shipped export schema."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import jsonschema
import pytest
from cases import published
from conftest import Site

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "mkdocs_postmortem" / "schemas" / "incidents-export.schema.json"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("similar") / "site", 'today: "2026-11-27"')
    site.add("one.md", published("TEST-2026-0001"))
    site.add("two.md", published("TEST-2026-0002", "title: ", f"title: {HOSTILE} "))
    # Related to the first: shown under "Related" only.
    site.add(
        "three.md",
        published("TEST-2026-0003", "taxonomy:", "related: [TEST-2026-0001]\ntaxonomy:"),
    )
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def section(site: Site, name: str, heading: str) -> str:
    page = (site.root / "site" / "postmortems" / name / "index.html").read_text("utf-8")
    found = re.search(f'<h2 id="{heading}">.*?</ul>', page, re.S)
    return found.group(0) if found else ""


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_the_page_shows_similar_incidents_with_reasons(built: Site) -> None:
    similar = section(built, "one", "pm-similar")
    text = text_of(similar)
    assert "TEST-2026-0002" in text and "TEST-2026-0003" not in text
    assert "same failure modes: Hallucination, Retrieval failure" in text
    assert "same AI system" in text and "similar text" in text
    assert "Related" in text_of(section(built, "one", "pm-related"))
    assert "TEST-2026-0003" in section(built, "one", "pm-related")
    assert HOSTILE not in similar and "&lt;script&gt;" in similar


def test_incidents_json_carries_similar_and_validates(built: Site) -> None:
    path = built.root / "site" / "postmortems" / "incidents.json"
    data = json.loads(path.read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(json.loads(SHIPPED.read_text("utf-8")))
    assert [e.message for e in validator.iter_errors(data)] == []
    by_id = {i["id"]: i for i in data["incidents"]}
    first = by_id["TEST-2026-0001"]["similar"]
    assert [s["id"] for s in first] == ["TEST-2026-0002"]
    assert 0 < first[0]["score"] <= 1
    assert "same AI system" in first[0]["reasons"]
    assert [s["id"] for s in by_id["TEST-2026-0003"]["similar"]] == ["TEST-2026-0002"]
