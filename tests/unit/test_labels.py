"""What readers see for an enum value comes from the schema in force: its `x-labels`,
or the value made readable when an organisation's enum has none (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest

from mkdocs_postmortem.schema import ConfigurationError, SchemaInForce, builtin_schema, combine


def with_defs(defs: dict[str, Any]) -> SchemaInForce:
    return SchemaInForce(combine(builtin_schema(), {"$defs": defs}, None))


def test_every_builtin_enum_value_has_a_label() -> None:
    schema = SchemaInForce.load()
    for name, definition in builtin_schema()["$defs"].items():
        if "enum" in definition:
            assert set(definition["x-labels"]) == set(definition["enum"]), name
    assert schema.label("status", "in_review") == "In review"
    assert schema.label("action_status", "wont_do") == "Won't do"
    assert schema.labels("kind") == {"incident": "Incident", "near_miss": "Near miss"}


def test_an_organisation_labels_its_own_values() -> None:
    schema = with_defs({"severity": {"enum": ["p0", "p1"], "x-labels": {"p0": "P0: all hands"}}})
    assert schema.labels("severity") == {"p0": "P0: all hands", "p1": "P1"}
    assert schema.label("failure_mode", "prompt_injection") == "Prompt injection"
    assert schema.label("severity", "not_in_the_enum") == "Not in the enum"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["p0"], "must map values of its enum to texts"),
        ({"p0": ""}, "must map values of its enum to texts"),
        ({"p9": "P9"}, "'p9' is not one of p0, p1"),
    ],
)
def test_bad_labels_are_a_configuration_error(labels: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        with_defs({"severity": {"enum": ["p0", "p1"], "x-labels": labels}})
