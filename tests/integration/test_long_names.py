"""Names as long as the format allows still make pages: every generated file name is
short enough for the file system."""

from __future__ import annotations

from collections.abc import Callable

from cases import published
from conftest import Site

from mkdocs_postmortem.render.layout import slug

LONG_TAG = "a" * 256  # a plain tag that the format accepts


def test_a_long_tag_builds_and_gets_its_page(make_site: Callable[..., Site]) -> None:
    site = make_site()
    other = "a" * 255 + "b"
    site.add(
        "long.md",
        published("TEST-2026-0001", "tags: [support, refunds]", f"tags: [{LONG_TAG}, {other}]"),
    )
    assert site.validate().returncode == 0
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    tags = site.root / "site" / "postmortems" / "tags"
    page = tags / slug(LONG_TAG) / "index.html"
    assert page.exists()
    assert LONG_TAG in page.read_text(encoding="utf-8")
    assert (tags / slug(other) / "index.html").exists() and slug(other) != slug(LONG_TAG)
