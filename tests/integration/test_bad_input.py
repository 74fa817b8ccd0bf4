"""Every class of bad input is reported at its exact line and rule, by the build (MkDocs
and ProperDocs) and by `mkdocs-postmortem validate`, with no traceback."""

from __future__ import annotations

import json

import pytest
from cases import CASES

BUILDERS = ["mkdocs", "properdocs"]


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory: pytest.TempPathFactory):
    from conftest import Site

    site = Site(tmp_path_factory.mktemp("bad") / "site", 'today: "2026-11-27"')
    for case in CASES:
        site.add(case.name, case.content)
    return site


def expected_lines() -> list[str]:
    return [f"docs/postmortems/{case.name}:{expect}" for case in CASES for expect in case.expect]


@pytest.mark.parametrize("tool", BUILDERS)
def test_build_reports_every_problem_then_fails(bad_site, tool: str) -> None:
    result = bad_site.build(tool=tool)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    missing = [line for line in expected_lines() if line not in output]
    assert missing == []
    assert "Traceback" not in output
    assert "the archive has problems" in output
    assert not (bad_site.root / "site" / "index.html").exists()


def test_validate_reports_the_same_problems(bad_site) -> None:
    result = bad_site.validate()
    assert result.returncode == 1
    missing = [line for line in expected_lines() if line not in result.stdout]
    assert missing == []
    assert "Traceback" not in result.stderr


def test_build_and_validate_print_the_same_lines(bad_site) -> None:
    built = bad_site.build()
    validated = bad_site.validate()
    build_lines = sorted(
        line.split("postmortem: ", 1)[1]
        for line in built.stderr.splitlines()
        if "postmortem: docs/" in line
    )
    assert build_lines == sorted(validated.stdout.splitlines())


def test_validate_json_has_every_problem(bad_site) -> None:
    result = bad_site.validate("--format", "json")
    report = json.loads(result.stdout)
    assert report["version"] == 1
    assert report["summary"]["files"] == len(CASES)
    shown = {
        f"{d['path']}:{d['line']}:{d['column']}: {d['severity']} {d['code']}"
        for d in report["diagnostics"]
    }
    for line in expected_lines():
        assert " ".join(line.split(" ")[:3]) in shown, line


def test_validate_github_annotations(bad_site) -> None:
    result = bad_site.validate("--format", "github")
    assert (
        "::error file=docs/postmortems/severity-typo.md,line=5,col=11,"
        "title=PM102 severity::'sev 3' is not one of sev1, sev2, sev3, sev4 (did you mean 'sev3'?)"
    ) in result.stdout.splitlines()
