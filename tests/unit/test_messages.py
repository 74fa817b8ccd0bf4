"""Messages as text: one line each, whatever the keys, values and file names hold, so
that a postmortem cannot write to the terminal or give CI a command."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from mkdocs_postmortem.diagnostics import (
    Diagnostic,
    Severity,
    format_github,
    format_json,
    format_text,
)

C0 = "".join(chr(c) for c in range(0x20))
C1 = "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))
SEPARATORS = "\u2028\u2029"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
UNSEEN = C0 + C1 + SEPARATORS + BIDI
INJECTED = "x\n::error file=docs/index.md,line=1::Injected\n::stop-commands::t\nx"
ESCAPES = "\x1b]8;;https://example.com\x07link\x1b]8;;\x07 \x1b[31mred\x1b[0m"


def hostile(severity: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(
        path=f"docs/postmortems/a{UNSEEN}{INJECTED}.md",
        line=11,
        column=1,
        code="PM110",
        field=f"{INJECTED}.{ESCAPES}{UNSEEN}",
        message=f"unknown key {INJECTED} {ESCAPES} {UNSEEN} 100%",
        severity=severity,
    )


@pytest.mark.parametrize("severity", list(Severity))
@pytest.mark.parametrize("formatter", [format_text, format_github, str])
def test_a_message_is_one_line_without_control_characters(
    formatter: Callable[[Diagnostic], str], severity: Severity
) -> None:
    text = formatter(hostile(severity))
    assert len(text.splitlines()) == 1
    assert not set(UNSEEN) & set(text), [c for c in text if c in UNSEEN]
    # Written visibly instead, as Python writes them.
    for escape in (r"\n", r"\x1b", r"\x07", r"\x00", r"\x85", r"\u2028", r"\u202e", r"\u2069"):
        assert escape in text, escape


def test_github_annotations_keep_their_own_encoding() -> None:
    text = format_github(hostile())
    assert text.startswith("::warning file=docs/postmortems/a")
    _, header, data = text.split("::", 2)
    # The properties: `:` and `,` coded, so the file, line and title are ours.
    assert header.startswith("warning file=docs/postmortems/a\\x00\\x01")
    assert ",line=11,col=1,title=PM110 x\\n%3A%3Aerror file=docs/index.md%2Cline=1" in header
    assert header.count(",line=") == 1 and "::" not in header
    # The data: `%` coded, and `:` as written, on the one line.
    assert "unknown key x\\n::error file=docs/index.md,line=1::Injected\\n::stop" in data
    assert data.endswith(" 100%25")


def test_json_keeps_the_values_as_they_are() -> None:
    diagnostic = hostile()
    data = json.loads(format_json([diagnostic], 1))["diagnostics"][0]
    assert (data["path"], data["field"], data["message"]) == (
        diagnostic.path,
        diagnostic.field,
        diagnostic.message,
    )


def test_ordinary_messages_are_unchanged() -> None:
    diagnostic = Diagnostic(
        "docs/postmortems/模型 ü.md",
        11,
        15,
        "PM102",
        "action_items[0].category",
        "'trainig' is not one of prompt, training (did you mean 'training'?) \\S 👩‍💻",
    )
    assert str(diagnostic) == (
        "docs/postmortems/模型 ü.md:11:15: error PM102 action_items[0].category: "
        "'trainig' is not one of prompt, training (did you mean 'training'?) \\S 👩‍💻"
    )
    assert format_github(diagnostic) == (
        "::error file=docs/postmortems/模型 ü.md,line=11,col=15,"
        "title=PM102 action_items[0].category::"
        "'trainig' is not one of prompt, training (did you mean 'training'?) \\S 👩‍💻"
    )
