"""`mkdocs-postmortem`: validate, schema and new, as a user runs them."""

from __future__ import annotations

import json

from conftest import fixture_text


def test_validate_a_clean_archive(make_site) -> None:
    site = make_site('today: "2026-11-27"')
    site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    result = site.validate()
    assert result.returncode == 0
    assert result.stdout == ""
    assert "no errors or warnings in 2 postmortems" in result.stderr


def test_validate_strict_fails_on_warnings(make_site) -> None:
    site = make_site()
    site.add("draft.md", fixture_text("draft.md").replace("severity: sev4", "severity: sev4\nx: 1"))
    assert site.validate().returncode == 0
    assert site.validate("--strict").returncode == 1


def test_validate_without_a_config_is_a_usage_error(tmp_path) -> None:
    from conftest import Site

    site = Site(tmp_path / "s")
    (site.root / "mkdocs.yml").unlink()
    result = site.validate()
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot load the MkDocs configuration")
    assert "Traceback" not in result.stderr


def test_validate_uses_defaults_when_the_plugin_is_not_enabled(make_site) -> None:
    site = make_site()
    (site.root / "mkdocs.yml").write_text("site_name: Test\n")
    site.add("broken.md", "no front-matter\n")
    result = site.validate()
    assert result.returncode == 1
    assert "docs/postmortems/broken.md:1:1: error PM002" in result.stdout
    assert "not in mkdocs.yml; using its defaults" in result.stderr


def test_schema_prints_the_schema_in_force(make_site) -> None:
    site = make_site("id_pattern: '^INC-[0-9]+$'")
    result = site.run("mkdocs_postmortem", "schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$defs"]["incident_id"]["pattern"] == "^INC-[0-9]+$"


def test_new_writes_a_draft_that_builds(make_site) -> None:
    site = make_site()
    site.add("published.md", fixture_text("published.md").replace("TEST-2026", "AIPM-2026"))
    result = site.run("mkdocs_postmortem", "new", "--title", "Agent deleted a table: a near miss")
    assert result.returncode == 0, result.stderr
    path = site.archive / "aipm-2026-0002.md"
    assert result.stdout.strip() == "docs/postmortems/aipm-2026-0002.md"
    assert 'title: "Agent deleted a table: a near miss"' in path.read_text()
    assert site.validate().returncode == 0
    assert site.build().returncode == 0


def test_new_refuses_to_overwrite(make_site) -> None:
    site = make_site()
    site.add("aipm-2026-0042.md", "keep me\n")
    result = site.run("mkdocs_postmortem", "new", "--id", "AIPM-2026-0042")
    assert result.returncode == 1
    assert "exists already; nothing was written" in result.stderr
    assert (site.archive / "aipm-2026-0042.md").read_text() == "keep me\n"


def test_new_refuses_an_id_that_fails_the_pattern(make_site) -> None:
    site = make_site()
    result = site.run("mkdocs_postmortem", "new", "--id", "../../etc/passwd")
    assert result.returncode == 2
    assert "does not match the id pattern" in result.stderr
    assert list(site.archive.iterdir()) == []


def test_console_script_is_installed() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "mkdocs-postmortem"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "validate" in result.stdout


def test_the_command_line_page_has_one_synopsis_per_command_with_every_option() -> None:
    import re
    import subprocess
    import sys
    from pathlib import Path

    from conftest import ENV

    page = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    synopsis = page.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    commands = [line.split()[1] for line in synopsis]
    assert len(commands) == len(set(commands)), synopsis
    for line, command in zip(synopsis, commands, strict=True):
        usage = subprocess.run(
            [sys.executable, "-m", "mkdocs_postmortem", command, "--help"],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
        ).stdout.split("\n\n", 1)[0]
        options = set(re.findall(r"\[(--?[a-z-]+)", usage)) - {"-h"}
        assert options == set(re.findall(r"\[(--?[a-z-]+)", line)), (command, line)
