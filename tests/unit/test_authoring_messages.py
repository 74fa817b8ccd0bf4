"""Messages that send the author to the line where they act (issue 14): a missing key at
its template line or where it belongs, a shared id in both files, the condition of a
nested required key, where a broken YAML construct began, and the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import draft, line_of, published

from mkdocs_postmortem.check import Settings, check_archive
from mkdocs_postmortem.diagnostics import Diagnostic
from mkdocs_postmortem.new_template import render
from mkdocs_postmortem.reader import read
from mkdocs_postmortem.schema import SchemaInForce, builtin_schema, combine
from mkdocs_postmortem.validation.fields import shown

TODAY = dt.date(2026, 11, 27)


def check(*files: tuple[str, str], settings: Settings | None = None) -> list[Diagnostic]:
    settings = settings or Settings.load(today=TODAY)
    sources = [(path, text.encode()) for path, text in files]
    return check_archive(sources, settings).diagnostics


def only(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def template(status: str) -> str:
    text = render(SchemaInForce.load(None, None), "AIPM-2026-0001", "T", "sev3", TODAY)
    return text.replace("status: draft", f"status: {status}")


# A missing key


def test_a_missing_key_is_reported_at_its_template_line() -> None:
    text = template("in_review")
    found = {d.field: d for d in only(check(("a.md", text)), "PM101")}
    detected = found["detected"]
    assert (detected.line, detected.column) == (line_of(text, "#| detected:"), 1)
    assert detected.message == (
        "missing required key 'detected' (required when status is in_review, published or"
        " closed); its template line is here: remove the '#| ' and fill it in"
    )
    assert found["timeline"].line == line_of(text, "#| timeline:")


def test_a_missing_nested_key_is_reported_at_its_template_line_in_that_mapping() -> None:
    text = template("published").replace("#| impact:", "impact:")
    text = text.replace("  #| description:", "  description: Wrong answers #")
    text = text.replace(
        '#| action_items:\n#|   - id: ""\n#|     title: ""\n#|     category: prompt',
        "action_items:\n  - id: A1\n    title: Check answers\n    category: prompt",
    )
    found = {d.field: d for d in only(check(("a.md", text)), "PM101")}
    legal = found["impact.legal_review"]
    assert (legal.line, legal.column) == (line_of(text, "  #| legal_review:"), 3)
    owner = found["action_items[0].owner"]
    assert (owner.line, owner.column) == (line_of(text, '#|     owner: ""'), 1)
    assert "template line is here" in owner.message


def test_a_template_line_of_another_mapping_is_not_taken() -> None:
    # The template's `  #| name:` lines below belong to its commented `#| ai_system:`;
    # uncommenting them would not put a key into the `ai_system` written higher up.
    text = template("draft").replace("status: draft", "status: draft\nai_system: {}")
    found = only(check(("a.md", text)), "PM101")
    assert [d.field for d in found] == ["ai_system.models", "ai_system.name"]
    for problem in found:
        assert problem.line == line_of(text, "ai_system: {}")
        assert "template line" not in problem.message


def test_without_a_template_line_a_missing_key_goes_after_the_key_it_follows() -> None:
    text = published("TEST-2026-0009", "  legal_review: complete\n", "")
    [problem] = only(check(("a.md", text)), "PM101")
    assert problem.field == "impact.legal_review"
    assert (problem.line, problem.column) == (line_of(text, "  users_affected: 40"), 3)
    assert problem.message.endswith("; add it after users_affected")


def test_a_missing_first_key_is_reported_at_its_mapping() -> None:
    text = draft("BAD-0001").replace("id: BAD-0001\n", "")
    [problem] = only(check(("a.md", text)), "PM101")
    assert (problem.line, problem.column, problem.field) == (2, 1, "id")
    assert problem.message == "missing required key 'id'"


# Nested required keys


def test_nested_required_keys_say_from_which_status() -> None:
    text = published("TEST-2026-0009", "    owner: Search team\n", "")
    [problem] = only(check(("a.md", text)), "PM101")
    assert problem.field == "action_items[0].owner"
    assert "(required when status is published or closed)" in problem.message


def test_a_condition_without_description_is_said_from_its_values() -> None:
    # An organisation's schema may leave out the `if`'s description, at any depth.
    extension = {
        "allOf": [
            {
                "if": {"properties": {"status": {"const": "closed"}}},
                "then": {"properties": {"impact": {"required": ["users_affected"]}}},
            }
        ],
        "$defs": {
            **{
                "action_item": {
                    **builtin_schema()["$defs"]["action_item"],
                    "allOf": [
                        {
                            "if": {"properties": {"category": {"enum": ["guardrail"]}}},
                            "then": {"required": ["tracker"]},
                        }
                    ],
                }
            }
        },
    }
    schema = SchemaInForce(combine(builtin_schema(), extension, None))
    settings = Settings(schema, TODAY)
    text = published("TEST-2026-0009", "status: published", "status: closed")
    text = text.replace("  users_affected: 40\n", "").replace("in_progress", "done")
    found = {d.field: d.message for d in only(check(("a.md", text), settings=settings), "PM101")}
    assert "(required when status is closed)" in found["impact.users_affected"]
    assert (
        "(required when action_items[1].category is guardrail)"
        in (found["action_items[1].tracker"])
    )


# Shared ids


def test_a_shared_id_is_reported_in_both_files_each_naming_the_other() -> None:
    found = only(
        check(("a.md", draft("BAD-0001")), ("b.md", draft("BAD-0001")), ("c.md", draft("C-1"))),
        "PM201",
    )
    assert [str(d) for d in found] == [
        "a.md:2:5: error PM201 id: id 'BAD-0001' is also used by b.md:2; ids must be unique",
        "b.md:2:5: error PM201 id: id 'BAD-0001' is also used by a.md:2; ids must be unique",
    ]


def test_an_id_used_three_times_names_both_others() -> None:
    files = [(f"{name}.md", draft("BAD-0001")) for name in "abc"]
    found = only(check(*files), "PM201")
    assert [d.path for d in found] == ["a.md", "b.md", "c.md"]
    assert found[1].message.startswith("id 'BAD-0001' is also used by a.md:2 and c.md:2;")


# YAML errors: where the construct began, and a hint


def yaml_problem(front_matter: str) -> Diagnostic:
    [problem] = read("a.md", f"---\n{front_matter}---\n".encode()).problems
    assert problem.code == "PM005"
    return problem


@pytest.mark.parametrize(
    ("front_matter", "place", "message"),
    [
        (
            "id: X\nrelated: [A-1,\n  A-2\ntitle: x\n",
            (5, 6),
            "the list opened with '[' at line 3 is not closed: expected ',' or ']' here;"
            " close it with ']', or quote the value if its '[' is text",
        ),
        (
            "id: X\nimpact: {description: x\nstatus: draft\n",
            (4, 7),
            "the mapping opened with '{' at line 3 is not closed: expected ',' or '}' here;"
            " close it with '}', or quote the value if its '{' is text",
        ),
        (
            "id: X\ntitle: Fix: the cache\n",
            (3, 11),
            "a ': ' inside an unquoted value; put the value in quotes: title: \"Fix: the cache\"",
        ),
        ("id: X\nai_system:\n\tname: x\n", (4, 1), "a tab here; indent YAML with spaces, not tabs"),
        (
            'id: X\ntitle: "broken\nstatus: draft\n',
            (3, 8),
            'the text quoted with " here is not closed before the end of the front-matter;'
            ' end it with "',
        ),
        (
            "id: X\ntitle: 'it's broken'\n",
            (3, 12),
            "text after the closing ' of a quoted value; double a ' inside '...' (''),"
            " or quote the value with the other quote",
        ),
        (
            "id: X\nimpact:\n  description: x\n   harm: y\n",
            (5, 8),
            "this key is indented more than the keys above it; align it with them",
        ),
        (
            "id: X\ntags:\n  - a\n  b: c\n",
            (5, 3),
            "this line does not continue the list that begins at line 4; start it with '- ',"
            " or check its indentation",
        ),
        (
            "id: X\ntitle: @home\n",
            (3, 8),
            "a value cannot start with '@', which YAML reserves; put the value in quotes",
        ),
        (
            "id: X\ntitle: *bold*\n",
            (3, 8),
            "a value that starts with '*' is read as an alias; put the value in quotes",
        ),
    ],
)
def test_yaml_errors_say_where_and_what_to_do(
    front_matter: str, place: tuple[int, int], message: str
) -> None:
    problem = yaml_problem(front_matter)
    assert ((problem.line, problem.column), problem.message) == (place, message)


# The summary, and values cut short


def summary(*files: tuple[str, str]) -> str:
    settings = Settings.load(today=TODAY)
    return check_archive([(p, t.encode()) for p, t in files], settings).summary


def test_the_summary_counts_problems_and_the_postmortems_that_have_them() -> None:
    clean = [(f"ok-{n}.md", draft(f"OK-{n}")) for n in range(10)]
    broken = draft("BAD-1").replace("sev3", "sev9").replace("2026-01-01", "01/01/2026")
    assert summary(*clean, ("bad.md", broken)) == "2 errors in 1 of 11 postmortems"
    warned = draft("W-1", "x: 1\n")
    assert summary(*clean, ("bad.md", broken), ("w.md", warned)) == (
        "2 errors and 1 warning in 2 of 12 postmortems"
    )
    assert summary(*clean) == "no errors or warnings in 10 postmortems"
    assert summary(("ok.md", draft("OK-1"))) == "no errors or warnings in 1 postmortem"


def test_information_is_counted_apart() -> None:
    noted = draft("N-1", "failure_modes: [hallucination]\n")
    assert summary(("n.md", noted)) == "no errors or warnings in 1 postmortem; 1 note"


def test_a_long_value_is_cut_with_an_ellipsis() -> None:
    text = shown("x" * 100)
    assert text.endswith("…") and len(text) == 60
    assert shown("short") == "'short'"


def test_an_id_shared_by_many_files_names_three_others_and_counts_the_rest() -> None:
    files = [(f"{n:02d}.md", draft("BAD-0001")) for n in range(12)]
    found = only(check(*files), "PM201")
    assert len(found) == 12
    assert found[0].message.startswith(
        "id 'BAD-0001' is also used by 01.md:2, 02.md:2, 03.md:2 and 8 more;"
    )
    assert found[5].message.startswith(
        "id 'BAD-0001' is also used by 00.md:2, 01.md:2, 02.md:2 and 8 more;"
    )
