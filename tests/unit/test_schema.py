"""The schema file: a valid Draft 2020-12 schema, self-describing, and the one source of
the format for everything derived from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cases import CASES
from conftest import FIXTURES, ROOT

from mkdocs_postmortem import SchemaInForce, builtin_schema, read
from mkdocs_postmortem.reference import schema_reference
from mkdocs_postmortem.schema import ConfigurationError, combine


def test_it_is_a_draft_2020_12_schema_with_an_id() -> None:
    schema = builtin_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]


def test_the_repository_file_is_the_packaged_file() -> None:
    in_repo = json.loads((ROOT / "schemas" / "ai-incident-postmortem.schema.json").read_text())
    assert in_repo == builtin_schema()


def _properties(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        for name, child in schema.get("properties", {}).items():
            if isinstance(child, dict) and ("type" in child or "$ref" in child):
                yield f"{path}.{name}", child
        for key, value in schema.items():
            if key not in ("if",):
                yield from _properties(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for item in schema:
            yield from _properties(item, path)


def test_every_property_has_a_title_and_a_description() -> None:
    missing = [
        path
        for path, prop in _properties(builtin_schema())
        if "/then" not in path and not ("title" in prop and "description" in prop)
    ]
    assert missing == []


def _documents() -> Iterator[tuple[str, Any]]:
    """Every front-matter the tests and the example archive hold that can be read."""
    sources = [(p.name, p.read_bytes()) for p in FIXTURES.glob("*.md")]
    sources += [(p.name, p.read_bytes()) for p in (ROOT / "docs" / "postmortems").glob("*.md")]
    sources += [
        (case.name, case.content if isinstance(case.content, bytes) else case.content.encode())
        for case in CASES
    ]
    for name, raw in sources:
        data = read(name, raw).data
        if data is not None:
            yield name, data


@pytest.mark.parametrize(("name", "data"), list(_documents()))
def test_the_fast_and_the_full_validator_agree(name: str, data: Any) -> None:
    schema = SchemaInForce.load()
    assert schema.fast is not None
    assert schema.fast.is_valid(data) == schema.full.is_valid(data)


def test_an_extension_replaces_defs_and_adds_rules() -> None:
    extension = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"action_category": {"enum": ["prompt", "red_teaming"]}},
        "required": ["tags"],
    }
    schema = SchemaInForce(combine(builtin_schema(), extension, None))
    assert schema.enum("action_category") == ["prompt", "red_teaming"]
    assert {"required": ["tags"]} in schema.schema["allOf"]


def test_id_pattern_applies_to_id_and_related() -> None:
    schema = SchemaInForce(combine(builtin_schema(), None, "^INC-[0-9]+$"))
    base = {"title": "t", "status": "draft", "severity": "sev1", "occurred": "2026-01-01"}
    good = {**base, "id": "INC-1", "summary": "s", "related": ["INC-2"]}
    assert schema.is_valid(good)
    assert not schema.is_valid({**good, "id": "AIPM-2026-0001"})
    assert not schema.is_valid({**good, "related": ["AIPM-2026-0001"]})


def test_a_bad_id_pattern_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a valid regular expression"):
        combine(builtin_schema(), None, "([")


def test_a_broken_extension_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    path.write_text('{"required": ["tags"],}')
    with pytest.raises(ConfigurationError, match=r"org.json:1:\d+: not valid JSON"):
        SchemaInForce.load(path)


def test_the_reference_tables_derive_from_the_schema() -> None:
    schema = SchemaInForce.load()
    text = schema_reference(schema)
    for name in builtin_schema()["properties"]:
        assert f"| `{name}` |" in text
    for value in schema.enum("failure_mode") + schema.enum("action_category"):
        assert f"`{value}`" in text
    extended = SchemaInForce(
        combine(builtin_schema(), {"$defs": {"action_category": {"enum": ["red_teaming"]}}}, None)
    )
    assert "`red_teaming`" in schema_reference(extended)
