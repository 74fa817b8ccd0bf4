"""Taxonomy from the real catalogs, in real builds (issue 13): an unknown ATLAS id fails
`mkdocs build` and `mkdocs-postmortem validate` at its line; pages show each id with its
name; a page per named entry and the coverage page list the postmortems; the hint from
the failure modes is information, which no `--strict` turns into a failure; nothing from
front-matter reaches the new pages unescaped."""

from __future__ import annotations

import html
import json
import re

import pytest
from cases import line_of, published
from conftest import Site

TODAY = 'today: "2026-11-27"'
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def page(site: Site, path: str) -> str:
    return (site.root / "site" / "postmortems" / path / "index.html").read_text(encoding="utf-8")


def with_taxonomy(incident_id: str, lines: str, title: str = "") -> str:
    text = published(incident_id)
    start, end = text.index("taxonomy:\n"), text.index("reviewers:")
    text = text[:start] + "taxonomy:\n" + lines + text[end:]
    if title:
        text = re.sub(r"(?m)^title: .*$", f"title: {json.dumps(title)}", text, count=1)
    return text


def test_an_unknown_atlas_id_fails_build_and_validate_at_its_line(make_site) -> None:
    site = make_site(TODAY)
    text = with_taxonomy("TEST-2026-0001", "  mitre_atlas: [AML.T0051, AML.T9999]\n")
    site.add("one.md", text)
    line = line_of(text, "  mitre_atlas: [AML.T0051, AML.T9999]")
    expected = (
        f"docs/postmortems/one.md:{line}:28: error PM212 taxonomy.mitre_atlas[1]: "
        "'AML.T9999' is not in MITRE ATLAS 5.6.0"
    )
    built = site.build()
    assert built.returncode == 1
    assert expected in built.stderr
    validated = site.validate()
    assert validated.returncode == 1
    assert expected in validated.stdout


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("taxonomy") / "site", TODAY, theme=request.param)
    # The fixture's A1 (retrieval) is done and A2 (guardrail) in progress; in the second
    # postmortem the guardrail item is done.
    site.add(
        "one.md",
        with_taxonomy(
            "TEST-2026-0001",
            "  owasp_llm: [LLM01:2025]\n  mitre_atlas: [AML.T0054, AML.T0051.001]\n"
            "  nist_ai_600_1: [information_security]\n",
        ),
    )
    two = with_taxonomy("TEST-2026-0002", "  mitre_atlas: [AML.T0054]\n")
    two = two.replace("    status: in_progress\n    due: 2027-05-01\n", "    status: done\n")
    site.add("two.md", two)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def test_the_postmortem_page_shows_each_id_with_its_name(built: Site) -> None:
    markup = page(built, "one")
    text = text_of(markup)
    for shown in (
        "OWASP Top 10 for LLM Applications: LLM01:2025 Prompt Injection",
        "MITRE ATLAS: AML.T0054 LLM Jailbreak",
        "MITRE ATLAS: AML.T0051.001 Indirect",
        "NIST AI 600-1: Information Security",
    ):
        assert shown in text, shown
    assert 'href="../taxonomy/mitre-atlas/aml-t0054/"' in markup
    assert 'href="https://atlas.mitre.org/techniques/AML.T0051.001"' in markup


def test_a_page_per_named_entry_lists_its_postmortems(built: Site) -> None:
    markup = page(built, "taxonomy/mitre-atlas/aml-t0054")
    text = text_of(markup)
    assert "MITRE ATLAS: AML.T0054 LLM Jailbreak" in text
    assert "LLM Jailbreak: a technique of MITRE ATLAS 5.6.0" in text
    assert "2 postmortems" in text
    assert "1 finished guardrail item: TEST-2026-0002/A2" in text
    assert "No finished evaluation item" in text
    for incident in ("one", "two"):
        assert f'href="../../../{incident}/"' in markup, incident
    sub = text_of(page(built, "taxonomy/mitre-atlas/aml-t0051-001"))
    assert "Indirect: a sub-technique of MITRE ATLAS 5.6.0, under AML.T0051 LLM Prompt" in sub
    assert "1 postmortem." in sub
    nist = text_of(page(built, "taxonomy/nist-ai-600-1/information-security"))
    assert "Information Security: a risk of NIST AI 600-1 2024-07" in nist
    # No page for an entry no postmortem names.
    assert not (built.root / "site/postmortems/taxonomy/mitre-atlas/aml-t0051").exists()


def test_the_coverage_page_lists_every_entry_hit_or_not(built: Site) -> None:
    markup = page(built, "taxonomy")
    text = text_of(markup)
    assert "MITRE ATLAS 5.6.0 2 of 170 entries named by postmortems." in text
    assert "OWASP Top 10 for LLM Applications 2025 1 of 10 entries" in text
    assert "NIST AI 600-1 2024-07 1 of 12 entries" in text
    assert "AML.T0054 LLM Jailbreak (2 postmortems)" in text
    assert "Named by no postmortem: 168 of 170" in text
    assert "Named by no postmortem: 9 of 10" in text
    # entries no postmortem names are on the page too
    for entry in (
        "AML.T0000.000 Journals and Conference Proceedings",
        "LLM10:2025",
        "Confabulation",
    ):
        assert entry in text, entry
    assert 'href="../taxonomy/mitre-atlas/aml-t0054/"' in markup
    assert 'href="../one/"' in markup and 'href="../two/"' in markup
    assert "1 finished guardrail item: TEST-2026-0002/A2" in text
    assert "No finished guardrail item" in text  # LLM01:2025, named by one only
    assert "pm-table" not in markup  # lists, which wrap at any width


def test_the_coverage_page_shows_atlas_by_tactic_and_its_mitigations(built: Site) -> None:
    markup = page(built, "taxonomy")
    text = text_of(markup)
    # AML.T0054 serves Privilege Escalation and Defense Evasion; AML.T0051.001 is under
    # AML.T0051, which serves Execution: a sub-technique counts for its technique's.
    assert "AML.TA0012 Privilege Escalation : 1 of 4 ( TEST-2026-0001 , TEST-2026-0002 )" in text
    assert "AML.TA0005 Execution : 1 of 13 ( TEST-2026-0001 )" in text
    assert "AML.TA0002 Reconnaissance : 0 of 12 AML.TA0003" in text
    assert "MITRE ATLAS mitigations: 35" in text
    assert "AML.M0000 Limit Public Release of Information" in text


def test_the_hint_is_information_even_under_strict(make_site) -> None:
    site = make_site(TODAY)
    text = published("TEST-2026-0001").replace(
        "failure_modes: [hallucination, retrieval_failure]", "failure_modes: [jailbreak]"
    )
    start, end = text.index("taxonomy:\n"), text.index("reviewers:")
    site.add("one.md", text[:start] + text[end:])
    line = line_of(text, "failure_modes: [jailbreak]")
    hint = f"docs/postmortems/one.md:{line}:16: info PM213 failure_modes: no taxonomy yet"
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert f"INFO    -  postmortem: {hint}" in result.stderr
    assert "This postmortem has" not in page(site, "one")
    validated = site.validate("--strict")
    assert validated.returncode == 0
    assert hint in validated.stdout
    assert "no errors or warnings in 1 postmortem" in validated.stderr
    github = site.validate("--format", "github")
    assert github.stdout.startswith("::notice file=docs/postmortems/one.md")


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_front_matter_reaches_the_taxonomy_pages_escaped(make_site, theme: str) -> None:
    site = make_site(f"{TODAY}\nfail_on: never", theme=theme)
    text = with_taxonomy("TEST-2026-0001", "  mitre_atlas: [AML.T0054]\n", title=PAYLOAD)
    text = text.replace("    id: A2\n", f"    id: {json.dumps(PAYLOAD)}\n")
    site.add("one.md", text)
    # A hostile value where an id belongs is shown as written, never as markup.
    site.add("two.md", with_taxonomy("TEST-2026-0002", f"  mitre_atlas: [{json.dumps(PAYLOAD)}]\n"))
    assert site.build().returncode == 0
    for path in ("taxonomy", "taxonomy/mitre-atlas/aml-t0054", "one", "two"):
        markup = page(site, path)
        assert "<script>alert(1)" not in markup and "<img src=x" not in markup, path
    coverage = page(site, "taxonomy")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in coverage
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page(site, "two")


def test_the_taxonomy_folder_and_its_url_are_reserved(make_site) -> None:
    site = make_site(TODAY)
    site.add("one.md", published("TEST-2026-0001"))
    site.add("taxonomy.md", published("TEST-2026-0002"))
    site.add("taxonomy/mitre-atlas/notes.md", "# Notes\n")
    result = site.build()
    assert result.returncode == 1
    assert (
        "docs/postmortems/taxonomy.md:1:1: error PM013 this file would be published at "
        "postmortems/taxonomy/, where the archive publishes its page "
        "postmortems/taxonomy/index.md"
    ) in result.stderr
    assert (
        "docs/postmortems/taxonomy/mitre-atlas/notes.md:1:1: error PM013 "
        "postmortems/taxonomy/mitre-atlas/ holds the archive's generated pages"
    ) in result.stderr
