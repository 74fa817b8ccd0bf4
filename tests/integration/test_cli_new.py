"""`mkdocs-postmortem new` refuses, before writing, what would make a file that fails
validation: a blank or multi-line title, a severity the schema in force does not have
(issue 10, item 9)."""

from __future__ import annotations

import json

import pytest
from conftest import Site

from mkdocs_postmortem.cli import main


@pytest.fixture
def site(make_site, monkeypatch: pytest.MonkeyPatch) -> Site:
    made: Site = make_site('today: "2026-11-27"')
    monkeypatch.chdir(made.root)
    return made


def run_new(*args: str) -> int:
    return main(["new", "-f", "mkdocs.yml", *args])


@pytest.mark.parametrize(
    "title", ["", "   ", "\t", "\u3000\u200b", "Line one\nline two", "tab\there", "a\u2028b"]
)
def test_a_blank_or_broken_title_is_refused_and_nothing_is_written(
    site: Site, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    assert run_new("--title", title) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: --title: the title ")
    assert err.endswith("; nothing was written\n")
    assert err.count("\n") == 1
    assert list(site.archive.iterdir()) == []


def test_undecodable_bytes_in_a_title_are_refused_not_a_traceback(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    # What Python makes of a non-UTF-8 argument on a UTF-8 system.
    assert run_new("--title", "caf\udce9") == 2
    assert "error: --title: the title holds '\\udce9'" in capsys.readouterr().err
    assert list(site.archive.iterdir()) == []


def test_an_unusual_but_fine_title_is_written_and_validates(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Café bot\u00a0: 👩\u200d💻 answered \u05e2\u05d1\u05e8\u05d9\u05ea"
    assert run_new("--title", title) == 0
    capsys.readouterr()
    assert main(["validate", "-f", "mkdocs.yml"]) == 0


def test_a_severity_the_schema_does_not_have_is_refused_with_the_allowed_ones(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new("--severity", "sev5") == 2
    err = capsys.readouterr().err
    assert err == (
        "error: --severity: 'sev5' is not one of the schema's sev1, sev2, sev3, sev4; "
        "nothing was written\n"
    )
    assert list(site.archive.iterdir()) == []


def test_the_severities_come_from_the_schema_in_force(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = {"$defs": {"severity": {"enum": ["critical", "major", "minor"], "default": "minor"}}}
    (site.root / "policy.schema.json").write_text(json.dumps(levels), encoding="utf-8")
    site.write_config('today: "2026-11-27"\nschema: policy.schema.json')
    assert run_new("--severity", "major", "--id", "AIPM-2026-0001") == 0
    assert "severity: major" in (site.archive / "aipm-2026-0001.md").read_text()
    assert run_new("--id", "AIPM-2026-0002") == 0  # the schema's default
    assert "severity: minor" in (site.archive / "aipm-2026-0002.md").read_text()
    capsys.readouterr()
    assert main(["validate", "-f", "mkdocs.yml"]) == 0
    assert run_new("--severity", "sev2") == 2
    assert "not one of the schema's critical, major, minor" in capsys.readouterr().err


def test_without_a_default_level_the_schema_has_sev3_is_not_written(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = {"$defs": {"severity": {"enum": ["high", "low"]}}}
    (site.root / "policy.schema.json").write_text(json.dumps(levels), encoding="utf-8")
    site.write_config('today: "2026-11-27"\nschema: policy.schema.json')
    assert run_new() == 2
    assert "--severity: the default 'sev3' is not one of the schema's high, low" in (
        capsys.readouterr().err
    )
    assert list(site.archive.iterdir()) == []
