"""Reading front-matter: MkDocs' split, a loader fit for a schema, a line for everything."""

from __future__ import annotations

from mkdocs_postmortem import read
from mkdocs_postmortem.reader import MAX_DEPTH


def data_of(front_matter: str) -> object:
    document = read("x.md", f"---\n{front_matter}---\nbody\n".encode())
    assert document.problems == []
    return document.data


def codes(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    return [f"{p.line}:{p.column} {p.code}" for p in read("x.md", raw).problems]


def test_timestamps_and_yaml_1_1_words_stay_text() -> None:
    data = data_of(
        "day: 2024-05-01\nmoment: 2024-05-01T10:00:00Z\nanswer: no\nmode: off\n"
        "octal: 0755\nclock: 14:05\nbig: 1_000\n"
    )
    assert data == {
        "day": "2024-05-01",
        "moment": "2024-05-01T10:00:00Z",
        "answer": "no",
        "mode": "off",
        "octal": "0755",
        "clock": "14:05",
        "big": "1_000",
    }


def test_json_scalars_are_still_typed() -> None:
    assert data_of("a: true\nb: 12\nc: 1.5\nd: null\ne:\n") == {
        "a": True,
        "b": 12,
        "c": 1.5,
        "d": None,
        "e": None,
    }


def test_an_impossible_date_is_text_for_the_rules_to_judge() -> None:
    assert data_of("occurred: 2024-02-30\n") == {"occurred": "2024-02-30"}


def test_the_body_and_its_first_line() -> None:
    document = read("x.md", b"---\nid: A-1\n---\n\n## What happened\n")
    assert document.body == "\n## What happened\n"
    assert document.body_line == 4


def test_windows_line_endings_and_a_bom_keep_line_numbers() -> None:
    raw = "\ufeff---\r\nid: A-1\r\nid: A-2\r\n---\r\n".encode()
    assert codes(raw) == ["3:1 PM007"]


def test_a_duplicate_key_names_the_first_line() -> None:
    document = read("x.md", b"---\nimpact:\n  description: a\n  description: b\n---\n")
    [problem] = document.problems
    assert (problem.line, problem.column, problem.code) == (4, 3, "PM007")
    assert "already set at line 3" in problem.message


def test_merge_keys_work_and_are_not_duplicates() -> None:
    data = data_of("base: &b {owner: ML}\nitem:\n  <<: *b\n  title: t\n")
    assert data == {"base": {"owner": "ML"}, "item": {"owner": "ML", "title": "t"}}


def test_small_aliases_are_fine() -> None:
    assert data_of("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_deep_nesting_is_refused() -> None:
    levels = MAX_DEPTH + 5
    deep = "".join(" " * i + "k:\n" for i in range(levels)) + " " * levels + "k: x\n"
    assert [c.split()[1] for c in codes(f"---\n{deep}---\n")] == ["PM011"]


def test_deeper_than_the_parser_allows_is_refused_too() -> None:
    [found] = codes("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert found.startswith("2:") and found.endswith(" PM011")


def test_a_scalar_front_matter() -> None:
    assert codes("---\njust text\n---\n") == ["2:1 PM006"]


def test_non_text_keys() -> None:
    assert codes("---\n[a]: 1\nnull: 2\n---\n") == ["2:1 PM008", "3:1 PM008"]


def test_unreadable_file() -> None:
    document = read("x.md", PermissionError(13, "Permission denied"))
    assert [(p.code, p.message) for p in document.problems] == [
        ("PM000", "cannot read the file: Permission denied")
    ]


def test_positions_of_values_and_keys() -> None:
    document = read("x.md", b"---\nitems:\n  - id: A1\n    title: t\n---\n")
    assert document.position(["items", 0, "title"]) == (4, 12)
    assert document.position(["items", 0, "title"], key=True) == (4, 5)
    assert document.position(["items", 0, "missing"]) == (3, 5)


def test_an_anchor_does_not_change_what_the_structure_check_finds() -> None:
    # Without an anchor the front-matter is a tree and a lighter walk checks it.
    deep = "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 5)) + " " * 70 + "k: x\n"
    for front_matter in (deep, "a: 1\na: 2\n[b]: 3\nc: {d: 1, d: 2}\n", "a: [1, {b: 2}]\n"):
        with_anchor = front_matter + "z: &unused 1\n"
        assert codes(f"---\n{with_anchor}---\n") == codes(f"---\n{front_matter}---\n")


def test_a_line_without_its_colon_is_reported_on_that_line() -> None:
    # libyaml notices on the next line; the line to fix is the one with the key.
    document = read("x.md", b"---\nid: A-1\nfoo bar\nseverity: sev2\n---\n")
    [problem] = document.problems
    assert (problem.line, problem.column, problem.code) == (3, 1, "PM005")
    assert problem.message == "this line has no ':' after its key; write 'key: value'"
