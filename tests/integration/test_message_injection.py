"""A key that holds line breaks, workflow commands and terminal escapes is reported,
never obeyed: by `validate` in each format, and in the build's log."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from cases import published
from conftest import Site

from mkdocs_postmortem import cli

# As YAML writes it in double quotes: \e is ESC, \a is BEL.
KEY = (
    r"x\n::error file=docs/index.md,line=1::Injected\n::stop-commands::t\nx"
    r"\e]8;;https://example.com\alink\e]8;;\a \e[31mred\e[0m\u2028\u202e"
)
RAW_KEY = json.loads('"' + KEY.replace(r"\e", r"\u001b").replace(r"\a", r"\u0007") + '"')


def hostile_site(site: Site) -> Site:
    text = published("TEST-2026-0001")
    site.add("hostile.md", text.replace("\nsummary:", f'\n"{KEY}": 1\nsummary:', 1))
    return site


def no_injection(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output
    assert "\u2028" not in output and "\u202e" not in output
    for line in output.splitlines():
        assert not line.startswith("::") or line.startswith("::warning file=docs/"), line
        assert "Injected" not in line or "PM110" in line, line


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_validate_prints_such_a_key_on_one_line(
    make_site: Callable[..., Site],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    output_format: str,
) -> None:
    site = hostile_site(make_site())
    monkeypatch.chdir(site.root)
    assert cli.main(["validate", "-f", "mkdocs.yml", "--format", output_format]) == 0
    out = capsys.readouterr().out
    no_injection(out)
    assert len(out.splitlines()) == 1 and "PM110" in out
    assert r"x\n::error file=docs/index.md" in out.replace("%3A", ":").replace("%2C", ",")
    assert r"\x1b]8;;https" in out and r"\u2028\u202e" in out


def test_json_gives_the_key_as_written(
    make_site: Callable[..., Site],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = hostile_site(make_site())
    monkeypatch.chdir(site.root)
    assert cli.main(["validate", "-f", "mkdocs.yml", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["diagnostics"][0]["field"] == RAW_KEY
    assert "\x1b" not in out


def test_the_build_log_shows_such_a_key_on_one_line(make_site: Callable[..., Site]) -> None:
    site = hostile_site(make_site())
    result = site.build()
    assert result.returncode == 0, result.stderr
    no_injection(result.stdout + result.stderr)
    assert [line for line in result.stderr.splitlines() if "PM110" in line] != []
