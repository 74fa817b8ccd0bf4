"""The language server's reading of text being typed: key paths, LSP ranges."""

from __future__ import annotations

import pytest

pytest.importorskip("pygls")

from pygls.workspace import TextDocument

from mkdocs_postmortem.diagnostics import problem
from mkdocs_postmortem.lsp import FrontMatter, to_lsp

TEXT = """---
id: A-1
ai_system:
  name: x
  models:
    - name: gpt
      provider: y
contributing_factors:
- id: F1
  layer: model
action_items:
  - id: A1
    category: prom
    addresses: [F1,
related:
  - B-2
summary: "broken: yaml [
---
body
"""


def line_of(text: str) -> int:
    return TEXT.split("\n").index(text)


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("  name: x", ["ai_system", "name"]),
        ("      provider: y", ["ai_system", "models", "*", "provider"]),
        ("- id: F1", ["contributing_factors", "*", "id"]),
        ("  layer: model", ["contributing_factors", "*", "layer"]),
        ("    category: prom", ["action_items", "*", "category"]),
    ],
)
def test_key_paths_come_from_indentation_even_when_yaml_breaks(line: str, path: list[str]) -> None:
    assert FrontMatter(TEXT).key_path(line_of(line)) == path


def test_the_value_being_typed_and_its_path() -> None:
    front = FrontMatter(TEXT)
    number = line_of("    category: prom")
    assert front.value_context(number, 18) == (["action_items", "*", "category"], "prom")
    number = line_of("    addresses: [F1,")
    assert front.value_context(number, 19) == (["action_items", "*", "addresses", "*"], "")
    assert front.value_context(line_of("  - B-2"), 7) == (["related", "*"], "B-2")
    assert front.value_context(line_of("body"), 2) is None  # the body is not front-matter


def test_ranges_are_in_the_clients_utf16_units() -> None:
    text = "---\ntitle: \U0001f600 the model lied\n---\n"
    document = TextDocument("file:///x.md", text)
    # Columns count characters (code points): the emoji is one, two UTF-16 units.
    found = problem(
        "PM409",
        "x.md",
        2,
        14,
        "model as a culprit: 'model lied'; a model has no intent. Instead: describe it",
        field="title",
    )
    diagnostic = to_lsp(found, document)
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (1, 14)
    assert diagnostic.range.end.character == 24
    assert diagnostic.code == "PM409"
    assert diagnostic.source == "postmortem"


def test_every_reframing_keeps_the_yaml_valid_and_leaves_a_slot_pm303_finds() -> None:
    import datetime as dt

    from conftest import fixture_text

    from mkdocs_postmortem.check import Settings, check_document
    from mkdocs_postmortem.lsp import _fixes
    from mkdocs_postmortem.schema import SchemaInForce
    from mkdocs_postmortem.validation.language import RULES

    settings = Settings(SchemaInForce.load(), dt.date(2026, 11, 27))
    fixture = fixture_text("published.md")
    for rule in RULES:
        # In an action item's title, a YAML plain value, where `: ` would break it.
        text = fixture.replace(
            "title: Add the refund section to the retrieval index", f"title: {rule.example}"
        )
        _, problems, _ = check_document("x.md", text.encode(), settings)
        [found] = [d for d in problems if d.code == rule.code]
        [action] = [a for a in _fixes(text.split("\n"), found) if a.title.startswith("Reframe")]
        [edit] = action.edits
        lines = text.split("\n")
        line = lines[edit.line]
        lines[edit.line] = line[: edit.character] + edit.text + line[edit.end_character :]
        _, after, _ = check_document("x.md", "\n".join(lines).encode(), settings)
        codes = [d.code for d in after]
        assert rule.code not in codes, rule.code
        assert "PM005" not in codes, (rule.code, lines[edit.line])
        assert "PM303" in codes, (rule.code, lines[edit.line])


def test_did_you_mean_replaces_a_value_with_spaces_whole() -> None:
    import datetime as dt

    from conftest import fixture_text

    from mkdocs_postmortem.check import Settings, check_document
    from mkdocs_postmortem.lsp import _fixes, _scalar_spans
    from mkdocs_postmortem.reader import read
    from mkdocs_postmortem.schema import SchemaInForce

    settings = Settings(SchemaInForce.load(), dt.date(2026, 11, 27))
    text = fixture_text("published.md").replace(
        "mitre_atlas: [AML.T0051]", 'mitre_atlas: [LLM Jailbreak, "AML.T0051"]'
    )
    _, problems, _ = check_document("x.md", text.encode(), settings)
    [found] = [d for d in problems if "did you mean 'AML.T0054'" in d.message]
    spans = _scalar_spans(read("x.md", text.encode()))
    [action] = _fixes(text.split("\n"), found, spans)
    [edit] = action.edits
    line = text.split("\n")[edit.line]
    fixed = line[: edit.character] + edit.text + line[edit.end_character :]
    assert fixed == '  mitre_atlas: [AML.T0054, "AML.T0051"]'
    assert action.title == "Change LLM Jailbreak to AML.T0054"


def test_lines_are_counted_as_the_protocol_counts_them() -> None:
    # U+2028 and a form feed are not line breaks for the protocol, the reader or editors.
    text = "---\ntitle: a\u2028b\x0cc\nseverity: sev44\n---\n"
    document = TextDocument("file:///x.md", text)
    found = problem("PM102", "x.md", 3, 11, "'sev44' is not one of ...", field="severity")
    diagnostic = to_lsp(found, document)
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (2, 10)
    assert diagnostic.range.end.character == 15


def test_a_range_covers_the_whole_yaml_value() -> None:
    from mkdocs_postmortem.lsp import _scalar_spans
    from mkdocs_postmortem.reader import read

    text = "---\ntaxonomy:\n  mitre_atlas: [LLM Jailbreak, x]\n---\n"
    document = TextDocument("file:///x.md", text)
    spans = _scalar_spans(read("x.md", text.encode()))
    found = problem("PM104", "x.md", 3, 17, "does not match", field="taxonomy.mitre_atlas[0]")
    diagnostic = to_lsp(found, document, spans)
    assert (diagnostic.range.start.character, diagnostic.range.end.character) == (16, 29)


def test_deep_or_long_front_matter_is_read_in_one_pass() -> None:
    # Deeper than Python's recursion limit, and long: each line's path comes from the
    # lines above, worked out once.
    deep = "---\n" + "".join(" " * n + f"k{n}:\n" for n in range(3000)) + "---\n"
    assert len(FrontMatter(deep).key_path(3000)) == 3000
    items = "---\nitems:\n" + "".join(f"  - id: {n}\n    x: 1\n" for n in range(5000)) + "---\n"
    front = FrontMatter(items)
    assert front.key_path(front.end - 1) == ["items", "*", "x"]
