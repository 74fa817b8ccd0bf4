"""The archive's own places: files where it publishes its pages, and its landing page
under `--dirty` and an explicit `nav:` (issue 10, items 3 and 9)."""

from __future__ import annotations

import os

import pytest
from conftest import fixture_text

TODAY = 'today: "2026-11-27"'


@pytest.mark.parametrize(
    "name",
    [
        "tags.md",
        "years.md",
        "failure-modes.md",
        "action-items.md",
        "models.md",
        "statistics/index.md",
        "regulatory.md",
    ],
)
def test_a_postmortem_where_a_generated_page_is_published_is_an_error_naming_both(
    make_site, name: str
) -> None:
    site = make_site(TODAY)
    site.add(name, fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stderr.splitlines() if "PM013" in line)
    assert f"docs/postmortems/{name}:1:1: error PM013" in line
    generated = {"statistics/index.md": "statistics.md"}.get(name, name[:-3] + "/index.md")
    assert f"postmortems/{generated}" in line


def test_a_file_in_a_generated_folder_is_an_error(make_site) -> None:
    site = make_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    site.add("tags/notes.md", "# Notes\n")
    result = site.build()
    assert result.returncode == 1
    assert "docs/postmortems/tags/notes.md:1:1: error PM013 postmortems/tags/ holds" in (
        result.stderr
    )


@pytest.mark.parametrize("name", ["regulatory/notes.md", "exports/aiid/notes.md"])
def test_a_file_in_the_regulatory_or_exports_folder_is_an_error(make_site, name: str) -> None:
    site = make_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    site.add(name, "# Notes\n")
    result = site.build()
    assert result.returncode == 1
    folder = name.rsplit("/", 1)[0]
    assert f"docs/postmortems/{name}:1:1: error PM013 postmortems/{folder}/ holds" in (
        result.stderr
    ), result.stderr


def test_with_urls_ending_in_html_the_same_names_do_not_clash(make_site) -> None:
    site = make_site(TODAY)
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write("use_directory_urls: false\n")
    site.add("tags.md", fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert (site.root / "site/postmortems/tags.html").exists()
    assert (site.root / "site/postmortems/tags/index.html").exists()


def test_a_dirty_build_writes_the_landing_page_listing_again(make_site) -> None:
    site = make_site(TODAY)
    (site.archive / "index.md").write_text("# Our incidents\n\n<!-- postmortem:index -->\n")
    site.add("draft.md", fixture_text("draft.md"))
    assert site.build().returncode == 0
    index = site.root / "site" / "postmortems" / "index.html"
    assert "TEST-2026-0099" not in index.read_text()
    os.utime(site.archive / "index.md", (900_000_000, 900_000_000))
    site.add("second.md", fixture_text("draft.md").replace("TEST-2026-0002", "TEST-2026-0099"))
    result = site.build("--dirty")
    assert result.returncode == 0, result.stderr
    assert "TEST-2026-0099" in index.read_text()


def test_an_explicit_nav_without_the_landing_page_passes_strict(make_site) -> None:
    # The archive is reachable through its statistics page (else PM014 would warn).
    site = make_site(TODAY)
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write(
            "nav:\n  - index.md\n  - postmortems/statistics.md\n"
            "validation:\n  omitted_files: warn\n"
        )
    (site.archive / "index.md").write_text("# Our incidents\n")
    site.add("draft.md", fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["tags.md", "tags/notes.md"])
def test_validate_reports_a_file_where_the_archive_publishes_as_the_build_does(
    make_site, name: str
) -> None:
    site = make_site(TODAY)
    site.add("draft.md", fixture_text("draft.md"))
    site.add(name, fixture_text("draft.md").replace("TEST-2026-0002", "TEST-2026-0042"))
    built, validated = site.build(), site.validate()
    assert built.returncode == validated.returncode == 1, validated.stderr
    wanted = next(line for line in built.stderr.splitlines() if "PM013" in line)
    found = [line for line in validated.stdout.splitlines() if "PM013" in line]
    assert len(found) == 1 and found[0] in wanted, (found, wanted)
    assert "Traceback" not in validated.stderr
