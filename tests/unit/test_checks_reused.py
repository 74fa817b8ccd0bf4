"""Under `mkdocs serve`, a rebuild checks again only the postmortems whose content
changed, and reports exactly what a full check reports."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import draft

from mkdocs_postmortem import check
from mkdocs_postmortem.check import Checks, Settings, check_archive

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def checked_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths each check reads, in order."""
    paths: list[str] = []
    real = check.check_document

    def counting(path: str, raw: object, settings: Settings) -> check.Checked:
        paths.append(path)
        return real(path, raw, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(check, "check_document", counting)
    return paths


def lines(report: check.Report) -> list[str]:
    return [str(d) for d in report.diagnostics]


def test_a_rebuild_checks_only_the_files_that_changed(checked_paths: list[str]) -> None:
    settings = Settings.load(today=TODAY)
    checks = Checks()
    one, two = draft("TEST-2026-0001"), draft("TEST-2026-0002", "related: [TEST-2026-0009]\n")
    sources = [("one.md", one.encode()), ("two.md", two.encode())]
    first = check_archive(sources, settings, earlier=checks)
    assert checked_paths == ["one.md", "two.md"]

    # The build empties a sound document's body once the page holds it.
    for document in first.documents:
        document.body = ""

    checked_paths.clear()
    changed = one.replace("title: A case", "title: A changed case")
    again = check_archive(
        [("one.md", changed.encode()), ("two.md", two.encode())], settings, earlier=checks
    )
    assert checked_paths == ["one.md"]
    assert [d.body for d in again.documents] == ["\nBody.\n", "\nBody.\n"]
    full = check_archive([("one.md", changed.encode()), ("two.md", two.encode())], settings)
    assert lines(again) == lines(full)
    assert any("TEST-2026-0009" in line for line in lines(again))  # archive rules ran


def test_other_settings_check_everything_again(checked_paths: list[str]) -> None:
    checks = Checks()
    sources = [("one.md", draft("TEST-2026-0001").encode())]
    check_archive(sources, Settings.load(today=TODAY), earlier=checks)
    check_archive(sources, Settings.load(today=TODAY), earlier=checks)
    assert checked_paths == ["one.md"]  # equal settings, loaded again
    check_archive(sources, Settings.load(today=dt.date(2026, 11, 28)), earlier=checks)
    assert checked_paths == ["one.md", "one.md"]


def test_a_file_gone_and_back_is_checked_again(checked_paths: list[str]) -> None:
    settings = Settings.load(today=TODAY)
    checks = Checks()
    one = ("one.md", draft("TEST-2026-0001").encode())
    two = ("two.md", draft("TEST-2026-0002").encode())
    check_archive([one, two], settings, earlier=checks)
    check_archive([one], settings, earlier=checks)
    check_archive([one, two], settings, earlier=checks)
    assert checked_paths == ["one.md", "two.md", "two.md"]
