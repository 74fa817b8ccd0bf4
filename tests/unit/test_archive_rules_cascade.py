"""PM202: one unknown `related` id is one error that names its likely cause, however many
postmortems list it (issue 10, item 9)."""

from __future__ import annotations

import datetime as dt

from cases import draft

from mkdocs_postmortem import Settings, check_archive

SETTINGS = Settings.load(today=dt.date(2026, 11, 27))
LISTERS = [f"docs/postmortems/r{n}.md" for n in range(5)]


def report(files: dict[str, str]) -> list[str]:
    found = check_archive([(path, text.encode()) for path, text in files.items()], SETTINGS)
    return [str(d) for d in found.diagnostics if d.code == "PM202"]


def listing(unknown: str, *, target: str) -> dict[str, str]:
    """The postmortem that should have `unknown` as id, and five that relate to it."""
    files = {"docs/postmortems/a.md": draft(target)}
    for n, path in enumerate(LISTERS):
        files[path] = draft(f"AIPM-2026-01{n:02d}", f"related: [{unknown}]\n")
    return files


def test_a_mistyped_id_is_one_error_that_names_it_and_its_file() -> None:
    found = report(listing("AIPM-2026-0001", target="AIPM-2026-001"))
    assert found == [
        "docs/postmortems/r0.md:8:11: error PM202 related[0]: no postmortem in the archive "
        "has id 'AIPM-2026-0001' (also listed by docs/postmortems/r1.md:8, "
        "docs/postmortems/r2.md:8, docs/postmortems/r3.md:8 and 1 more); 'AIPM-2026-001' in "
        "docs/postmortems/a.md:2 looks like it: is that id mistyped?"
    ]


def test_an_id_the_pattern_refuses_is_named_before_a_nearer_valid_one() -> None:
    files = listing("AIPM-2026-0001", target="aipm-2026-0001")
    files["docs/postmortems/b.md"] = draft("AIPM-2026-0002")  # nearer by spelling
    (found,) = report(files)
    assert "'aipm-2026-0001' in docs/postmortems/a.md:2 looks like it" in found


def test_between_two_as_near_the_id_no_one_lists_is_named() -> None:
    files = listing("AIPM-2026-0001", target="AIPM-2026-0002")
    files["docs/postmortems/b.md"] = draft("AIPM-2026-0007")  # difflib's pick of the two
    files["docs/postmortems/c.md"] = draft("OTHER-1", "related: [AIPM-2026-0007]\n")
    (found,) = report(files)
    assert "'AIPM-2026-0002' in docs/postmortems/a.md:2 looks like it" in found


def test_a_duplicated_near_id_names_both_of_its_files() -> None:
    files = listing("AIPM-2026-0001", target="AIPM-2026-001")
    files["docs/postmortems/b.md"] = draft("AIPM-2026-001")
    (found,) = report(files)
    assert "'AIPM-2026-001' in docs/postmortems/a.md:2 and docs/postmortems/b.md:2" in found


def test_one_reference_keeps_its_did_you_mean_and_says_where() -> None:
    files = {
        "docs/postmortems/a.md": draft("AIPM-2026-0001"),
        "docs/postmortems/b.md": draft("AIPM-2026-0200", "related: [AIPM-2026-001]\n"),
    }
    assert report(files) == [
        "docs/postmortems/b.md:8:11: error PM202 related[0]: no postmortem in the archive "
        "has id 'AIPM-2026-001' (did you mean 'AIPM-2026-0001', the id of "
        "docs/postmortems/a.md:2?)"
    ]


def test_a_postmortem_is_not_offered_its_own_id() -> None:
    files = {"docs/postmortems/c.md": draft("AIPM-2026-0003", "related: [AIPM-2026-0009]\n")}
    assert report(files) == [
        "docs/postmortems/c.md:8:11: error PM202 related[0]: no postmortem in the archive "
        "has id 'AIPM-2026-0009'"
    ]


def test_an_unknown_id_with_no_near_one_is_still_reported_once() -> None:
    found = report(listing("OTHER-1", target="AIPM-2026-0001"))
    assert found == [
        "docs/postmortems/r0.md:8:11: error PM202 related[0]: no postmortem in the archive "
        "has id 'OTHER-1' (also listed by docs/postmortems/r1.md:8, docs/postmortems/r2.md:8, "
        "docs/postmortems/r3.md:8 and 1 more)"
    ]


def test_each_unknown_id_gets_its_own_error() -> None:
    files = {
        "docs/postmortems/a.md": draft("AIPM-2026-0001", "related: [OTHER-1, OTHER-2]\n"),
        "docs/postmortems/b.md": draft("AIPM-2026-0002", "related: [OTHER-2]\n"),
    }
    found = report(files)
    assert [line.split(": ", 2)[0] for line in found] == [
        "docs/postmortems/a.md:8:11",
        "docs/postmortems/a.md:8:20",
    ]
    assert "'OTHER-2' (also listed by docs/postmortems/b.md:8)" in found[1]


def test_a_listing_postmortem_without_a_text_id_is_no_trouble() -> None:
    files = listing("AIPM-2026-0001", target="AIPM-2026-001")
    files["docs/postmortems/r0.md"] = draft("[AIPM]", "related: [AIPM-2026-0001]\n")
    (found,) = report(files)
    assert "'AIPM-2026-001' in docs/postmortems/a.md:2 looks like it" in found
