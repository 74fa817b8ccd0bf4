"""What an enum value means comes from the schema in force: its `x-descriptions`,
shown at the top of the value's facet page (issue 12)."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest

from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.schema import ConfigurationError, SchemaInForce, builtin_schema, combine


def with_defs(defs: dict[str, Any]) -> SchemaInForce:
    return SchemaInForce(combine(builtin_schema(), {"$defs": defs}, None))


@pytest.mark.parametrize("name", ["failure_mode", "factor_layer"])
def test_every_failure_mode_and_layer_has_a_one_line_description(name: str) -> None:
    schema = SchemaInForce.builtin()
    descriptions = schema.descriptions(name)
    assert list(descriptions) == schema.enum(name)  # every value, in the enum's order
    for text in descriptions.values():
        assert "\n" not in text and 10 < len(text) <= 120, text


def test_an_organisation_describes_its_own_values() -> None:
    schema = with_defs(
        {
            "failure_mode": {
                "enum": ["agent_loop", "other"],
                "x-descriptions": {"agent_loop": "Loops."},
            }
        }
    )
    assert schema.descriptions("failure_mode") == {"agent_loop": "Loops."}
    assert schema.descriptions("severity") == {}


@pytest.mark.parametrize(
    ("descriptions", "message"),
    [
        (["x"], "x-descriptions must map values of its enum to texts"),
        ({"p9": "P9"}, "x-descriptions: 'p9' is not one of p0, p1"),
    ],
)
def test_bad_descriptions_are_a_configuration_error(descriptions: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        with_defs({"severity": {"enum": ["p0", "p1"], "x-descriptions": descriptions}})


def test_the_archive_carries_descriptions_to_worker_processes() -> None:
    archive = Archive.build([], SchemaInForce.builtin(), today=dt.date(2026, 11, 27))
    copy = pickle.loads(pickle.dumps(archive))
    assert copy.description("hallucination", "failure_mode").startswith("The model states")
    assert copy.description("sev1", "severity") == ""
    assert copy.default_kind == "incident"
