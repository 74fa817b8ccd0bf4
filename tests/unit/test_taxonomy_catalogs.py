"""Taxonomy ids against the real catalogs (issue 13): the packaged catalogs load with
their source and version; an id of the right form that its catalog lacks is PM212 at
the value, with the entry meant, by id or by name; a name typed for an id gets the same
hint in the schema's own error."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from cases import line_of, published

from mkdocs_postmortem.catalogs import catalog, schemes
from mkdocs_postmortem.check import Settings, check_archive
from mkdocs_postmortem.schema import SchemaInForce


def problems(text: str) -> list[str]:
    report = check_archive([("x.md", text.encode())], Settings.load(today="2026-11-27"))
    return [str(d).removeprefix("x.md:") for d in report.diagnostics]


def with_taxonomy(lines: str) -> str:
    text = published("TEST-2026-0001")
    start = text.index("taxonomy:\n")
    end = text.index("reviewers:")
    return text[:start] + "taxonomy:\n" + lines + text[end:]


# The loader


def test_every_catalog_keeps_its_source_licence_and_version() -> None:
    licences = {"mitre_atlas": "Apache", "owasp_llm": "CC BY-SA", "nist_ai_600_1": "public domain"}
    for scheme in schemes():
        known = catalog(scheme)
        assert known.version and licences[scheme] in known.source
        assert known.nameable and all(entry.id and entry.name for entry in known.entries)


def test_atlas_entries_have_their_kind_parent_and_page() -> None:
    atlas = catalog("mitre_atlas")
    kinds = [entry.kind for entry in atlas.entries]
    assert (kinds.count("tactic"), kinds.count("mitigation")) == (16, 35)
    assert kinds.count("technique") + kinds.count("sub-technique") == 170
    assert kinds.count("sub-technique") == 69
    direct = atlas.get("AML.T0051.000")
    assert direct is not None and (direct.kind, direct.parent) == ("sub-technique", "AML.T0051")
    assert direct.url == "https://atlas.mitre.org/techniques/AML.T0051.000"
    jailbreak = atlas.get("AML.T0054")
    assert jailbreak is not None and jailbreak.label == "AML.T0054 LLM Jailbreak"
    # A tactic is in the catalog but is not a technique a postmortem may name.
    assert atlas.get("AML.TA0002") is None
    assert catalog("mitre_atlas") is atlas  # loaded once


def test_the_schema_names_no_nist_risk_the_catalog_holds_them() -> None:
    """The catalog is the one list of NIST risks: the schema asks only for their form."""
    definition = SchemaInForce.builtin().schema["$defs"]["nist_risk"]
    assert "enum" not in definition and definition["pattern"]


def test_the_catalog_files_ship_in_the_package() -> None:
    names = {p.name for p in resources.files("mkdocs_postmortem.catalogs").iterdir()}
    assert {"mitre-atlas-5.6.0.json", "owasp-llm-top10-2025.json", "nist-ai-600-1.json"} <= names
    for name in names - {"__init__.py", "__pycache__"}:
        data = json.loads((resources.files("mkdocs_postmortem.catalogs") / name).read_text())
        assert data["source"] and data["version"]


@pytest.mark.parametrize(
    ("scheme", "value", "meant"),
    [
        ("mitre_atlas", "LLM Jailbreak", "AML.T0054"),
        ("mitre_atlas", "llm jailbreak", "AML.T0054"),
        ("mitre_atlas", "AML.T0O54", "AML.T0054"),
        ("mitre_atlas", "aml.t0051.001", "AML.T0051.001"),
        ("owasp_llm", "Prompt Injection", "LLM01:2025"),
        ("nist_ai_600_1", "Data Privacy", "data_privacy"),
        ("nist_ai_600_1", "confabulations", "confabulation"),
    ],
)
def test_a_suggestion_by_name_or_by_id(scheme: str, value: str, meant: str) -> None:
    entry = catalog(scheme).suggestion(value)
    assert entry is not None and entry.id == meant


def test_no_suggestion_for_nothing_like_an_entry() -> None:
    assert catalog("mitre_atlas").hint("weather") == ""
    assert catalog("mitre_atlas").hint("AML.T0054") == ""


# The rule


def test_known_ids_pass_a_sub_technique_too() -> None:
    text = with_taxonomy(
        "  owasp_llm: [LLM01:2025]\n"
        "  mitre_atlas: [AML.T0051.001, AML.T0054]\n"
        "  nist_ai_600_1: [information_security]\n"
    )
    assert problems(text) == []


def test_an_unknown_atlas_id_is_pm212_at_its_value() -> None:
    text = with_taxonomy("  mitre_atlas: [AML.T0051, AML.T9999]\n")
    line = line_of(text, "  mitre_atlas: [AML.T0051, AML.T9999]")
    assert problems(text) == [
        f"{line}:28: error PM212 taxonomy.mitre_atlas[1]: 'AML.T9999' is not in MITRE ATLAS "
        "5.6.0 (did you mean 'AML.T0099', AI Agent Tool Data Poisoning?)"
    ]


def test_an_unknown_sub_technique_in_a_block_list_names_the_near_id() -> None:
    text = with_taxonomy("  mitre_atlas:\n    - AML.T0051\n    - AML.T0051.009\n")
    line = line_of(text, "    - AML.T0051.009")
    assert problems(text) == [
        f"{line}:7: error PM212 taxonomy.mitre_atlas[1]: 'AML.T0051.009' is not in MITRE "
        "ATLAS 5.6.0 (did you mean 'AML.T0051.002', Triggered?)"
    ]


def test_a_technique_name_for_its_id_gets_the_id_in_the_schema_error() -> None:
    text = with_taxonomy("  mitre_atlas: [LLM Jailbreak]\n")
    line = line_of(text, "  mitre_atlas: [LLM Jailbreak]")
    assert problems(text) == [
        f"{line}:17: error PM104 taxonomy.mitre_atlas[0]: 'LLM Jailbreak' is not a MITRE "
        "ATLAS technique id such as AML.T0051 or AML.T0051.000 (did you mean 'AML.T0054', "
        "LLM Jailbreak?)"
    ]


def test_a_well_formed_nist_risk_the_catalog_lacks_is_pm212() -> None:
    text = with_taxonomy("  nist_ai_600_1: [confabulations]\n")
    found = problems(text)
    line = line_of(text, "  nist_ai_600_1:")
    assert found == [
        f"{line}:19: error PM212 taxonomy.nist_ai_600_1[0]: 'confabulations' is not in "
        "NIST AI 600-1 2024-07 (did you mean 'confabulation', Confabulation?)"
    ]


def test_unknown_owasp_and_nist_values_are_reported_once_with_the_entry_meant() -> None:
    text = with_taxonomy(
        "  owasp_llm: [Prompt injection, LLM11:2025]\n  nist_ai_600_1: [Data Privacy]\n"
    )
    found = problems(text)
    assert len(found) == 3, found
    owasp, nist = line_of(text, "  owasp_llm:"), line_of(text, "  nist_ai_600_1:")
    assert found[0].startswith(f"{owasp}:15: error PM104 taxonomy.owasp_llm[0]: ")
    assert found[0].endswith("(did you mean 'LLM01:2025', Prompt Injection?)")
    assert found[1].startswith(f"{owasp}:33: error PM104 taxonomy.owasp_llm[1]: ")
    assert found[2].startswith(f"{nist}:19: error PM104 taxonomy.nist_ai_600_1[0]: ")
    assert found[2].endswith("(did you mean 'data_privacy', Data Privacy?)")


# The hint


def without_taxonomy(modes: str, taxonomy: str = "") -> str:
    text = published("TEST-2026-0001")
    start, end = text.index("taxonomy:\n"), text.index("reviewers:")
    text = text[:start] + taxonomy + text[end:]
    return text.replace("failure_modes: [hallucination, retrieval_failure]", modes)


def test_the_failure_modes_suggest_entries_when_taxonomy_is_absent() -> None:
    text = without_taxonomy("failure_modes: [prompt_injection, jailbreak]")
    line = line_of(text, "failure_modes: [prompt_injection")
    assert problems(text) == [
        f"{line}:16: info PM213 failure_modes: no taxonomy yet; the failure modes suggest "
        "owasp_llm: LLM01:2025 (Prompt Injection); mitre_atlas: AML.T0051 (LLM Prompt "
        "Injection), AML.T0054 (LLM Jailbreak); nist_ai_600_1: information_security "
        "(Information Security)"
    ]


def test_an_empty_taxonomy_gets_the_hint_at_its_key() -> None:
    text = without_taxonomy("failure_modes: [excessive_agency]", "taxonomy: {}\n")
    line = line_of(text, "taxonomy: {}")
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(f"{line}:11: info PM213 taxonomy: ")
    assert "owasp_llm: LLM06:2025 (Excessive Agency)" in found[0]


def test_no_hint_with_taxonomy_or_without_a_mapped_mode() -> None:
    assert problems(published("TEST-2026-0001")) == []
    assert problems(without_taxonomy("failure_modes: [other]")) == []
    text = without_taxonomy("failure_modes: [jailbreak]", "taxonomy:\n  aiid: [1]\n")
    assert problems(text) == []


def test_the_hint_is_information_that_fails_nothing() -> None:
    text = without_taxonomy("failure_modes: [jailbreak]")
    report = check_archive([("x.md", text.encode())], Settings.load(today="2026-11-27"))
    assert [d.severity.value for d in report.diagnostics] == ["info"]
    assert (report.errors, report.warnings) == (0, 0)
    assert not report.fails("warning") and not report.fails("error")


def test_every_suggested_id_is_in_its_catalog() -> None:
    """The built-in map of failure modes to entries names real entries of real modes."""
    schema = SchemaInForce.builtin()
    mapping = schema.schema["$defs"]["failure_mode"]["x-taxonomy"]
    assert set(mapping) <= set(schema.enum("failure_mode"))
    for entries in mapping.values():
        assert set(entries) <= set(schemes())
        for scheme, ids in entries.items():
            assert ids and all(catalog(scheme).get(i) is not None for i in ids), (scheme, ids)
