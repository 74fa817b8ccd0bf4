"""The public edition: internal blocks and fields left out in one place, and what would
still show them reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cases import line_of, published

from mkdocs_postmortem.check import Settings, check_document
from mkdocs_postmortem.edition import (
    CLOSE,
    OPEN,
    masked_message,
    public_body,
    public_data,
    split_body,
)
from mkdocs_postmortem.schema import ConfigurationError, SchemaInForce

BUILTIN = SchemaInForce.builtin().internal_fields()


def test_the_built_in_internal_fields() -> None:
    assert BUILTIN == (
        ("action_items", "*", "owner"),
        ("action_items", "*", "tracker"),
        ("ai_system", "prompt", "history", "*", "ref"),
        ("reviewers",),
    )


def test_an_organisation_schema_may_mark_more_fields(tmp_path: Path) -> None:
    extension = tmp_path / "org.json"
    extension.write_text(
        json.dumps(
            {
                "properties": {
                    "customer": {"type": "string", "x-visibility": "internal"},
                    "impact": {"properties": {"users_affected": {"x-visibility": "internal"}}},
                }
            }
        ),
        encoding="utf-8",
    )
    fields = SchemaInForce.load(extension).internal_fields()
    assert ("customer",) in fields and ("impact", "users_affected") in fields
    assert ("reviewers",) in fields


def test_a_visibility_other_than_internal_or_public_stops_the_configuration(
    tmp_path: Path,
) -> None:
    extension = tmp_path / "org.json"
    extension.write_text(
        json.dumps({"properties": {"tags": {"x-visibility": "secret"}}}), encoding="utf-8"
    )
    with pytest.raises(ConfigurationError, match="tags: x-visibility must be"):
        Settings.load(extension)


def test_blocks_are_left_out_and_markers_in_code_are_text() -> None:
    body = "\n".join(
        [
            "Public one.",
            OPEN,
            "Internal: the on-call lead was Ada.",
            CLOSE,
            "Public two.",
            "```markdown",
            OPEN,
            "```",
            "Public three.",
        ]
    )
    assert public_body(body).split("\n") == [
        "Public one.",
        "",
        "Public two.",
        "```markdown",
        OPEN,
        "```",
        "Public three.",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"a\n{OPEN}\nb\n", "never closed"),
        (f"a\n{CLOSE}\nb\n", "without an opening"),
        (f"{OPEN}\n{OPEN}\n{CLOSE}\n", "do not nest"),
    ],
)
def test_markers_out_of_place(body: str, message: str) -> None:
    (problem,) = split_body(body).unbalanced
    assert message in problem[1]


@pytest.mark.parametrize(
    "body",
    [
        f"!!! note\n    {OPEN}\n    Paged via the hotline.\n    {CLOSE}\n",  # an admonition
        f"- a step\n\n    {OPEN}\n    Paged via the hotline.\n    {CLOSE}\n",  # a list item
        f"{OPEN} Paged via the hotline. {CLOSE}\n",  # on one line
        f"Paged via the hotline. {OPEN}\nmore\n{CLOSE}\n",
        f"> {OPEN}\n> Paged via the hotline.\n> {CLOSE}\n",  # a quote
        "<!--postmortem:internal--> Paged via the hotline.\n",
    ],
)
def test_a_marker_not_alone_on_its_line_is_pm611_not_ignored(body: str) -> None:
    """Such a marker would hide nothing: the text it was meant to hide is published."""
    problems = split_body(body).unbalanced
    assert any("must stand alone on its line" in message for _, message in problems)
    assert split_body(body).internal == frozenset()


def test_a_marker_in_code_or_quoted_inline_is_text() -> None:
    body = f"Write `{OPEN}` before the internal part.\n\n```markdown\n  {OPEN} x\n```\n"
    assert split_body(body).unbalanced == ()


def test_an_unclosed_block_hides_the_rest_of_the_body() -> None:
    assert public_body(f"a\n{OPEN}\nsecret plans\n") == "a\n"


def test_public_data_leaves_out_internal_fields_and_shares_the_rest() -> None:
    data = {
        "id": "X-1",
        "reviewers": ["Safety board"],
        "ai_system": {"name": "bot", "prompt": {"history": [{"version": "1", "ref": "T-1"}]}},
        "action_items": [{"id": "A1", "owner": "Ops", "tracker": "https://t/1", "title": "t"}],
        "tags": ["x"],
    }
    public = public_data(data, BUILTIN)
    assert public == {
        "id": "X-1",
        "ai_system": {"name": "bot", "prompt": {"history": [{"version": "1"}]}},
        "action_items": [{"id": "A1", "title": "t"}],
        "tags": ["x"],
    }
    assert public["tags"] is data["tags"]
    assert data["reviewers"] == ["Safety board"]  # the author's values are not touched


def public_settings() -> Settings:
    settings = Settings.load()
    from dataclasses import replace

    return replace(settings, audience="public")


def test_an_internal_value_written_in_the_body_or_a_public_field_is_pm610() -> None:
    text = published(
        "TEST-2026-0100",
        "Refund questions are routed to people.",
        "Refund questions are routed to people by the Safety team.",
    )
    text += "\nThe Search team fixed the index.\n"
    text += f"{OPEN}\nThe Trust and safety reviewers met twice.\n{CLOSE}\n"
    document, problems, removed = check_document("x.md", text.encode(), public_settings())
    found = sorted((p.line, p.column, p.field) for p in problems if p.code == "PM610")
    timeline_line = line_of(text, "by the Safety team")
    body_line = line_of(text, "The Search team fixed")
    assert found == [
        (
            timeline_line,
            text.split("\n")[timeline_line - 1].index("Safety team") + 1,
            "timeline[2].event",
        ),
        (body_line, 5, ""),
    ]
    messages = " ".join(str(p) for p in problems if p.code == "PM610")
    assert "action_items[0].owner" in messages and "action_items[1].owner" in messages
    assert "Safety team" not in messages and "Search team" not in messages
    # The document is its public view from here on.
    assert removed is not None and removed.blocks == 1 and removed.postmortems == 1
    assert "Trust and safety" not in document.body
    assert document.data is not None and "reviewers" not in document.data
    assert all("owner" not in item for item in document.data["action_items"])


def test_the_internal_edition_reports_no_pm610_and_keeps_everything() -> None:
    text = published("TEST-2026-0100") + "\nThe Search team fixed the index.\n"
    document, problems, removed = check_document("x.md", text.encode(), Settings.load())
    assert removed is None
    assert not [p for p in problems if p.code == "PM610"]
    assert document.data is not None and document.data["reviewers"]


def test_the_format_reference_marks_the_internal_fields() -> None:
    from mkdocs_postmortem.reference import schema_reference

    marked = [
        line.split("`")[1]
        for line in schema_reference(SchemaInForce.builtin()).splitlines()
        if "Internal: left out of the public edition." in line
    ]
    assert marked == ["reviewers", "ref", "owner", "tracker"]


def test_a_message_is_masked_as_written_and_where_it_was_cut_short() -> None:
    withheld = {"AKIAIOSFODNN7EXAMPLE": "AKIA************", "a'b@example.org": "a***"}
    assert masked_message("'AKIAIOSFODNN7EXAMPLE' is not", withheld) == "'AKIA************' is not"
    assert masked_message('unknown key "a\'b@example.org"', withheld) == 'unknown key "a***"'
    assert masked_message(repr("a'b@example.org x"), withheld) == '"a*** x"'
    # `fields.shown` cuts a long value: what is left of the secret is masked too.
    assert masked_message("'xx AKIAIOSF… is not", withheld) == "'xx AKIA************… is not"
    assert masked_message("a text… and more…", withheld) == "a text… and more…"


def test_another_postmortems_value_is_found_at_its_line_after_internal_blocks() -> None:
    from mkdocs_postmortem.check import report_of

    settings = public_settings()
    first = published("TEST-2026-0100").replace("owner: Search team", "owner: Ines Valdivia-Moor")
    second = published("TEST-2026-0101") + (
        f"\n{OPEN}\nOne.\n{CLOSE}\nPublic.\n{OPEN}\nTwo.\nThree.\n{CLOSE}\n\n"
        "Ines Valdivia-Moor rebuilt the index; Ines Valdivia-Moorland did not.\n"
    )
    checked = [
        check_document(name, text.encode(), settings)
        for name, text in (("a.md", first), ("b.md", second))
    ]
    found = [
        (p.path, p.line, p.column, p.message.split(" is written")[0])
        for p in report_of(checked, settings).diagnostics
        if p.code == "PM610"
    ]
    assert found == [
        (
            "b.md",
            line_of(second, "Ines Valdivia-Moor rebuilt"),
            1,
            "the value of the internal field action_items[0].owner of a.md",
        )
    ]
