"""Review rules in real builds: unfinished pages fail, blameful ones warn."""

from __future__ import annotations

from cases import line_of, published
from conftest import fixture_text

TODAY = 'today: "2026-11-27"'


def test_a_published_page_with_a_placeholder_fails_the_build(make_built_site) -> None:
    site = make_built_site(TODAY)
    text = published("X-0001", "Three conditions met", "TODO: three conditions met")
    site.add("x.md", text)
    result = site.build()
    assert result.returncode == 1
    assert f"docs/postmortems/x.md:{line_of(text, 'TODO')}:1: error PM303" in result.stderr
    assert site.validate().returncode == 1


def test_a_blameful_page_builds_with_warnings_and_fails_strict(make_built_site) -> None:
    site = make_built_site(TODAY)
    text = published("X-0001", "Three conditions met", "Obviously, three conditions met")
    site.add("x.md", text)
    relaxed = site.build()
    assert relaxed.returncode == 0, relaxed.stderr
    line = line_of(text, "Obviously")
    assert f"docs/postmortems/x.md:{line}:1: warning PM407 hindsight: 'Obviously'" in relaxed.stderr
    assert site.build("--strict").returncode == 1
    assert site.validate().returncode == 0
    assert site.validate("--strict").returncode == 1


def test_a_clean_complete_page_passes_strict(make_built_site) -> None:
    site = make_built_site(TODAY)
    site.add("x.md", fixture_text("published.md").replace("related: [TEST-2026-0002]\n", ""))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr


def test_rule_options_from_mkdocs_yml(make_built_site) -> None:
    site = make_built_site(f"{TODAY}\nrules:\n  PM407: error")
    site.add("x.md", published("X-0001", "Three conditions met", "Obviously, three met"))
    result = site.build()
    assert result.returncode == 1
    assert "error PM407" in result.stderr


def test_a_bad_rule_option_is_a_clear_error(make_built_site) -> None:
    site = make_built_site("rules:\n  PM101: off")
    result = site.build()
    assert result.returncode == 1
    assert (
        "option 'rules': 'PM101' cannot be changed; these can: PM014, PM110, PM207"
    ) in result.stderr
    assert "Traceback" not in result.stderr
