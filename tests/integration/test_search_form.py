"""Search plugins index the archive's HTML in its search form (text, paragraphs, code
and headings); the visitor gets the full HTML. Neither must show: the pages are
byte-identical to a build without the search form, and search holds the same words in
the same sections, but for what the archive marks `data-search-exclude`, which every
search plugin then leaves out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cases import published
from conftest import Site
from mkdocs.commands.build import build
from mkdocs.config import load_config
from test_archive import TODAY, archive_files

import mkdocs_postmortem.assembly
from mkdocs_postmortem.search_form import search_form, to_search_form, without_excluded


def build_into(site: Site, folder: str) -> Path:
    site_dir = site.root / folder
    build(load_config(str(site.root / "mkdocs.yml"), site_dir=str(site_dir)))
    return site_dir


def without_build_date(path: Path) -> bytes:
    """The file as built; themes stamp the home page with the time of the build."""
    return re.sub(rb"Build Date UTC : [^\n]*", b"", path.read_bytes())


def search_entries(site_dir: Path) -> list[tuple[str, str, str]]:
    """Each entry of the search index (a section), its text without white space, and
    without the markup that search keeps of lists, which the search form leaves out."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text())
    return [
        (e["location"], e["title"], re.sub(r"\s+|</?(?:li|ol|ul|pre|sub|sup)>", "", e["text"]))
        for e in index["docs"]
    ]


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_search_reads_the_same_words_and_visitors_get_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = Site(tmp_path / "site", TODAY, theme)
    archive_files(site)
    used = []

    def counted(pieces: list[tuple[str, str | None]]) -> tuple[str, list[tuple[str, str]]]:
        used.append(sum(form is not None for _, form in pieces))
        return to_search_form(pieces)

    def unchanged(pieces: list[tuple[str, str | None]]) -> tuple[str, list[tuple[str, str]]]:
        """Every tag as it is, without what the archive marks `data-search-exclude`."""
        shown = [without_excluded(html) if form is not None else html for html, form in pieces]
        pairs = zip(shown, pieces, strict=True)
        swaps = [(s, html) for s, (html, form) in pairs if form is not None]
        return "".join(shown), swaps

    monkeypatch.setattr(mkdocs_postmortem.assembly, "to_search_form", counted)
    fast = build_into(site, "fast")
    monkeypatch.setattr(mkdocs_postmortem.assembly, "to_search_form", unchanged)
    full = build_into(site, "full")

    assert sum(used) >= 3 + 2 * 3  # the listings and each postmortem's card and details
    files = sorted(p.relative_to(full) for p in full.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fast) for p in fast.rglob("*") if p.is_file())
    for name in files:
        if name != Path("search/search_index.json"):
            assert without_build_date(fast / name) == without_build_date(full / name), name
    assert search_entries(fast) == search_entries(full)


def test_the_search_form_keeps_the_text_paragraphs_code_and_headings() -> None:
    html = (
        '<div class="pm-card">\n<dl>\n<dt>Id</dt><dd><code>X-1</code></dd>\n</dl>'
        '<p class="s">A <a href="x">b</a>, c</p><h2 id="t">T</h2>'
        '<ol><li><time datetime="2">2</time> <span>e</span></li></ol><pre>x</pre></div>'
        "<form data-search-exclude hidden><div><select><option>All</option></select>"
        "<form>not HTML, but nested</form></div></form><span>after</span>"
    )
    assert search_form(html) == (
        'Id <code>X-1</code> <p class="s">A b , c</p><h2 id="t">T</h2> 2 e x after'
    )


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_similar_incidents_show_on_the_page_and_stay_out_of_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """They are other postmortems' titles, which search finds on those pages: every
    postmortem would otherwise match the title of each one like it."""
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = Site(tmp_path / "site", TODAY, theme)
    for number, title in enumerate(["Refunds invented", "Refunds invented again", "Zebra"]):
        site.add(
            f"pm-{number}.md",
            published(
                f"TEST-2026-000{number + 1}",
                "title: Support assistant quoted a refund rule that does not exist",
                f"title: {title}",
            ),
        )
    site_dir = build_into(site, "site")

    page = (site_dir / "postmortems" / "pm-0" / "index.html").read_text()
    assert 'id="pm-similar"' in page and "Zebra" in page
    entries = search_entries(site_dir)
    similar = [text for location, _, text in entries if location.endswith("#pm-similar")]
    assert similar and not any(similar)
    on_first_page = [text for location, _, text in entries if "/pm-0/" in location]
    assert on_first_page and not any("Zebra" in text for text in on_first_page)
