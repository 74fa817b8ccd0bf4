"""`mkdocs-postmortem new`: the template shows the whole format and is a valid draft."""

from __future__ import annotations

import datetime as dt

from mkdocs_postmortem import SchemaInForce, Settings, builtin_schema, check_archive
from mkdocs_postmortem.new_template import next_id, render, title_problem

TODAY = dt.date(2026, 11, 27)


def template(title: str = "Assistant leaked its system prompt") -> str:
    return render(SchemaInForce.load(), "AIPM-2026-0001", title, "sev3", TODAY)


def problems(text: str) -> list[str]:
    report = check_archive([("new.md", text.encode())], Settings(SchemaInForce.load(), TODAY))
    return [f"{d.code} {d.field}" for d in report.diagnostics]


def test_the_template_is_a_valid_draft() -> None:
    assert problems(template()) == []


def test_titles_that_yaml_would_misread_are_quoted() -> None:
    for title in ("true", "Bot: leaked prompt", "1.10", "# not a comment", 'say "hi"'):
        assert problems(template(title)) == [], title


def test_the_template_fails_as_published_until_filled_in() -> None:
    found = problems(template().replace("status: draft", "status: published"))
    assert "PM101 resolved" in found
    assert "PM101 action_items" in found
    assert "PM303 " in found  # the template's lines and slots are left in
    assert "PM302 " in found  # the sections have no text yet


def test_the_template_asks_questions_for_every_layer() -> None:
    text = template()
    for layer in SchemaInForce.load().enum("factor_layer"):
        assert f"#|   {layer}: " in text, layer


def test_every_key_of_the_schema_is_in_the_template() -> None:
    text = template()
    for name in builtin_schema()["properties"]:
        assert f"{name}:" in text, name


def test_next_id_continues_the_archive() -> None:
    assert next_id([], TODAY) == "AIPM-2026-0001"
    assert next_id(["AIPM-2026-0007", "AIPM-2025-0100", "OTHER"], TODAY) == "AIPM-2026-0008"
    assert next_id(["INC-2026-00012", "INC-2026-00003"], TODAY) == "INC-2026-00013"


def test_a_title_new_accepts_makes_a_valid_draft() -> None:
    fine = [
        "Café bot\u00a0: quoted a rule",
        "👩\u200d💻 agent",
        "\u05e2\u05d1\u05e8\u05d9\u05ea",
        "'",
    ]
    for title in fine:
        assert title_problem(title) is None, title
        assert problems(template(title)) == [], title
    for title in ["", " \u200b", "two\nlines", "a\tb", "a\u2028b", "a\x85b", "a\ufffeb", "\udce9"]:
        assert title_problem(title) is not None, title


def test_the_regulatory_block_is_offered_with_values_of_the_right_type() -> None:
    """Uncommented as offered, the block's values have the types the schema asks."""
    text = template()
    assert "    #| serious_incident: false\n" in text
    assert "    #| widespread_infringement: false\n" in text
    assert "    #| initial_report: null\n" in text
    assert "    #| aware: 2026-11-27\n" in text
