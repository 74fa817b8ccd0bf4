"""The published archive, read from the built site as a visitor and a browser would."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from cases import published
from conftest import Site, fixture_text
from sitecheck import broken_links, parse

TODAY = 'today: "2026-11-27"'


def archive_files(site: Site) -> None:
    """Three postmortems that link to each other, with every kind of facet."""
    site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    closed = published(
        "TEST-2025-0009",
        "status: published",
        "status: closed",
    ).replace("status: in_progress", "status: wont_do\n    reason: Superseded by TEST-2026-0001/A1")
    closed = closed.replace("occurred: 2026-03-02T09:15Z", "occurred: 2025-06-01T09:15Z")
    closed = closed.replace("related: [TEST-2026-0002]\n", "")
    closed = closed.replace("tags: [support, refunds]", "tags: [C++, C#, 模型, ../escape]")
    closed = closed.replace("Three conditions met", "As in TEST-2026-0001, three conditions met")
    closed = closed.replace("name: example-chat", "name: other-model")
    # Another system: the same one, with its items finished, would be a recurrence (PM214).
    closed = closed.replace("  name: Support assistant\n", "  name: Billing assistant\n", 1)
    closed += "\nSee also `TEST-2026-0002` in code, which stays code.\n"
    site.add(
        "closed.md",
        closed.replace("\n---\n\n## What", "\nrelated: [TEST-2026-0001]\n---\n\n## What", 1),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("archive") / "site", TODAY)
    archive_files(site)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def out(site: Site, *parts: str) -> Path:
    return site.root.joinpath("site", *parts)


def html_pages(site: Site) -> list[Path]:
    return sorted(out(site, "postmortems").rglob("*.html"))


def test_every_archive_page_is_generated(built: Site) -> None:
    for page in [
        "index.html",
        "action-items/index.html",
        "action-items/guardrail/index.html",
        "action-items/retrieval/index.html",
        "failure-modes/index.html",
        "failure-modes/hallucination/index.html",
        "models/index.html",
        "tags/index.html",
        "tags/support/index.html",
        "years/2025/index.html",
        "statistics/index.html",
        "incidents.json",
        "action-items.csv",
    ]:
        assert out(built, "postmortems", *page.split("/")).exists(), page
    assert not out(built, "postmortems", "action-items", "training").exists()


def test_the_index_lists_every_postmortem_newest_first(built: Site) -> None:
    page = out(built, "postmortems", "index.html").read_text()
    positions = [
        page.index(f'<span class="pm-id">{i}</span>')
        for i in ("TEST-2026-0002", "TEST-2026-0001", "TEST-2025-0009")
    ]
    assert positions == sorted(positions)
    assert 'data-pm-failure-mode="hallucination retrieval_failure"' in page
    assert 'data-pm-filter="severity"' in page
    # The model's short name, its version on hover.
    assert 'title="example-chat · version 2026-01-15">example-chat</a>' in page


def test_no_link_of_the_archive_is_broken(built: Site) -> None:
    assert broken_links(out(built), html_pages(built)) == []


def test_related_and_referenced_by_link_both_ways(built: Site) -> None:
    """One "Related" list holds the author's links and the links to the page, each
    saying which way it goes."""
    first = out(built, "postmortems", "published", "index.html").read_text()
    closed = out(built, "postmortems", "closed", "index.html").read_text()
    assert 'id="pm-related"' in closed and '<a href="../published/">TEST-2026-0001</a>' in closed
    assert "(linked from here)" in closed.split('id="pm-related"')[1]
    related = first.split('id="pm-related"')[1]
    assert 'id="pm-referenced-by"' not in first
    assert '<a href="../closed/">TEST-2025-0009</a>' in related  # it links here
    assert '<a href="../draft/">TEST-2026-0002</a>' in related  # linked from here
    assert re.search(r"TEST-2025-0009</a>: [^<]*<span[^>]*>\(links here\)", related)
    assert re.search(r"TEST-2026-0002</a>: [^<]*<span[^>]*>\(linked from here\)", related)


def test_ids_in_prose_become_links_but_code_stays_code(built: Site) -> None:
    closed = out(built, "postmortems", "closed", "index.html").read_text()
    assert 'As in <a href="../published/">TEST-2026-0001</a>' in closed
    assert "<code>TEST-2026-0002</code>" in closed


def test_action_items_have_anchors_and_category_pages_link_to_them(built: Site) -> None:
    page = out(built, "postmortems", "published", "index.html").read_text()
    assert 'id="action-A1"' in page and 'id="action-A2"' in page
    category = out(built, "postmortems", "action-items", "guardrail", "index.html").read_text()
    assert '<a href="../../published/#action-A2">TEST-2026-0001/A2</a>' in category


def test_the_card_and_the_draft_banner(built: Site) -> None:
    published_page = parse(out(built, "postmortems", "published", "index.html"))
    assert "postmortem-card" in published_page.ids
    assert "LLM09:2025" in "".join(published_page.text)
    assert "https://atlas.mitre.org/techniques/AML.T0051" in published_page.links
    draft = out(built, "postmortems", "draft", "index.html").read_text()
    assert "pm-card__draft" in draft


def test_incidents_json(built: Site) -> None:
    data = json.loads(out(built, "postmortems", "incidents.json").read_text())
    assert (data["format"], data["version"]) == ("mkdocs-postmortem/incidents", 2)
    by_id = {incident["id"]: incident for incident in data["incidents"]}
    assert set(by_id) == {"TEST-2026-0001", "TEST-2026-0002", "TEST-2025-0009"}
    first = by_id["TEST-2026-0001"]
    assert first["url"] == "published/"
    assert [item["id"] for item in first["action_items"]] == ["A1", "A2"]
    assert first["action_items"][1]["url"] == "published/#action-A2"
    assert (out(built, "postmortems") / first["url"] / "index.html").exists()


def test_action_items_csv(built: Site) -> None:
    rows = list(
        csv.DictReader(io.StringIO(out(built, "postmortems", "action-items.csv").read_text()))
    )
    assert [(r["incident_id"], r["item_id"]) for r in rows][:2] == [
        ("TEST-2026-0001", "A1"),
        ("TEST-2026-0001", "A2"),
    ]
    assert rows[1]["url"] == "published/#action-A2"


def test_search_finds_ids_items_models_and_categories(built: Site) -> None:
    index = json.loads(out(built, "search", "search_index.json").read_text())
    docs = {doc["location"]: doc for doc in index["docs"]}
    text = " ".join(doc["text"] for doc in index["docs"])
    for needle in ("TEST-2026-0001", "TEST-2025-0009/A1", "example-chat"):
        assert needle in text, needle
    # Categories show their labels on the action items' pages; search ignores case.
    items = " ".join(d["text"] for loc, d in docs.items() if "action-items/" in loc)
    assert "Guardrail" in items
    assert docs["postmortems/published/"]["boost"] == 2


def test_tags_with_any_text_get_distinct_safe_pages(built: Site) -> None:
    tags = sorted(p.name for p in out(built, "postmortems", "tags").iterdir() if p.is_dir())
    assert len(tags) == 6  # support, refunds, C++, C#, 模型, ../escape
    assert all(name.replace("-", "").isalnum() and name.isascii() for name in tags)
    assert not out(built, "escape").exists()


def test_single_postmortems_stay_out_of_the_global_nav(built: Site) -> None:
    home = out(built, "index.html").read_text()
    assert "postmortems/action-items/" in home
    assert "postmortems/published/" not in home


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "sitemap.xml.gz"
    }


def test_rebuilds_are_byte_identical(make_site) -> None:
    site = make_site(TODAY)
    archive_files(site)
    assert site.build().returncode == 0
    first = digest(out(site))
    assert site.build().returncode == 0
    assert digest(out(site)) == first


@pytest.mark.parametrize("theme", ["mkdocs", "material"])
def test_without_directory_urls(make_site, theme: str) -> None:
    site = make_site(TODAY, theme=theme)
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write("use_directory_urls: false\n")
    archive_files(site)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    pages = sorted(out(site, "postmortems").rglob("*.html"))
    assert out(site, "postmortems", "action-items", "guardrail.html") in pages
    assert broken_links(out(site), pages) == []


def test_the_builtin_theme(make_site) -> None:
    site = make_site(TODAY, theme="mkdocs")
    archive_files(site)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    page = out(site, "postmortems", "published", "index.html").read_text()
    assert "<h1>Support assistant quoted a refund rule that does not exist</h1>" in page
    assert "assets/postmortem/postmortem.js" in page
    assert broken_links(out(site), html_pages(site)) == []


def test_a_user_page_at_a_generated_path_is_an_error(make_site) -> None:
    site = make_site(TODAY)
    archive_files(site)
    site.add("statistics.md", "# Mine\n")
    result = site.build()
    assert result.returncode == 1
    assert (
        "docs/postmortems/statistics.md:1:1: error PM013 this file would be published at "
        "postmortems/statistics/, where the archive publishes its page postmortems/statistics.md"
    ) in result.stderr


def test_the_users_landing_page_keeps_its_text(make_site) -> None:
    site = make_site(TODAY)
    archive_files(site)
    site.add(
        "index.md",
        "# Our incidents\n\nRead these first.\n\n<!-- postmortem:index -->\n\nThe end.\n",
    )
    assert site.build("--strict").returncode == 0
    page = out(site, "postmortems", "index.html").read_text()
    assert page.index("Read these first.") < page.index("data-pm-archive") < page.index("The end.")


def test_templates_can_be_overridden_from_custom_dir(make_site) -> None:
    site = make_site(TODAY)
    archive_files(site)
    override = site.root / "overrides" / "postmortem" / "card.html"
    override.parent.mkdir(parents=True)
    override.write_text('<p class="our-card">{{ incident.id }} by {{ incident.title }}</p>\n')
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"
        )
    )
    assert site.build().returncode == 0
    page = out(site, "postmortems", "published", "index.html").read_text()
    assert '<p class="our-card">TEST-2026-0001 by Support assistant' in page


def test_postmortems_in_the_nav_on_request(make_site) -> None:
    site = make_site(f"{TODAY}\nnav_postmortems: true")
    archive_files(site)
    assert site.build().returncode == 0
    assert "postmortems/published/" in out(site, "index.html").read_text()


def test_statistics_have_charts_and_their_numbers(built: Site) -> None:
    page = out(built, "postmortems", "statistics", "index.html").read_text()
    # Five charts of counts and one of each duration the postmortems give.
    assert len(re.findall(r"<svg[^>]*pm-chart", page)) == 5 + page.count('class="pm-figure"')
    assert "<tr><td>SEV2 · major</td><td>2</td></tr>" in page
    assert "<tr><td>SEV4 · low</td><td>1</td></tr>" in page
    assert "<tr><td>2025-Q3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>" in page
    assert "<tr><td>Guardrail</td><td>2</td><td>1</td><td>0</td></tr>" in page


def test_the_archive_joins_the_nav_as_one_section(built: Site) -> None:
    home = out(built, "index.html").read_text()
    nav = home[home.index("md-nav--primary") : home.index("md-sidebar--secondary")]
    # The action items' folder holds only their page in the nav: no section of its own.
    assert nav.count("md-nav__item--nested") == 1
    assert re.search(r'<a href="postmortems/action-items/" class="md-nav__link', nav)
