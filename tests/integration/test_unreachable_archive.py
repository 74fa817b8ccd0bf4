"""PM014 (issue 14): a `nav:` that lists no page of the archive leaves it unreachable;
the build and `validate` say so once, at the `nav:` line, with the entry to add."""

from __future__ import annotations

import yaml
from conftest import fixture_text

TODAY = 'today: "2026-11-27"'
SNIPPET = (
    "- Postmortems: [postmortems/index.md, Action items: postmortems/action-items/index.md,"
    " Statistics: postmortems/statistics.md]"
)


def with_nav(site, nav: str) -> None:
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:", f"nav:\n{nav}plugins:"))


def test_a_nav_without_the_archive_warns_once_with_the_entry_to_add(make_built_site) -> None:
    site = make_built_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    with_nav(site, "  - index.md\n")
    line = site.root.joinpath("mkdocs.yml").read_text().splitlines().index("nav:") + 1
    result = site.build()
    assert result.returncode == 0, result.stderr
    expected = (
        f"mkdocs.yml:{line}:1: warning PM014 nav: the nav lists no page of the archive"
        f" (postmortems/), so readers cannot reach it; add under nav: {SNIPPET}"
    )
    assert result.stderr.count("PM014") == 1
    assert f"WARNING -  postmortem: {expected}" in result.stderr
    assert site.build("--strict").returncode == 1
    validated = site.validate("--strict")
    assert (validated.returncode, validated.stdout.strip()) == (1, expected)
    assert "1 warning in mkdocs.yml (1 postmortem checked)" in validated.stderr


def test_the_entry_it_suggests_makes_the_archive_reachable(make_built_site) -> None:
    site = make_built_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    with_nav(site, f"  - index.md\n  {SNIPPET}\n")
    assert yaml.safe_load(SNIPPET)[0]["Postmortems"][1] == {
        "Action items": "postmortems/action-items/index.md"
    }
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    home = (site.root / "site" / "index.html").read_text("utf-8")
    assert 'href="postmortems/"' in home


def test_any_page_of_the_archive_in_the_nav_is_enough(make_site) -> None:
    site = make_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    with_nav(site, "  - Home: index.md\n  - Incidents:\n      - ./postmortems/draft.md\n")
    result = site.build()
    assert "PM014" not in result.stderr


def test_without_a_nav_or_with_the_rule_off_nothing_is_said(make_site) -> None:
    site = make_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    assert "PM014" not in site.build().stderr
    site.write_config(f"{TODAY}\nrules:\n  PM014: 'off'")
    with_nav(site, "  - index.md\n")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "PM014" not in result.stderr
