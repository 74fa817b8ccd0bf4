"""The archive's listings as readers scan them (issue 12): the index, the action items,
the owners, the facet pages, and where they sit in the navigation, in both themes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cases import draft, published
from conftest import Site

from mkdocs_postmortem.schema import SchemaInForce

TODAY = 'today: "2026-11-27"'
LONG_SUMMARY = (
    "A refund answer went wrong for weeks because the retrieval index lost a section, "
    "the prompt stopped asking for quotes, and nothing compared answers with the policy; "
    "this sentence goes on well past the length that one line of a listing can hold."
)


def archive(site: Site) -> None:
    """Three postmortems: one published, one near miss with an overdue item, a draft."""
    site.add("first.md", published("LIST-2026-0001"))
    near_miss = published("LIST-2025-0002", "occurred: 2026-03-02T09:15Z", "occurred: 2025-06-01")
    for old, new in [
        ("kind: incident", "kind: near_miss"),
        ("severity: sev2", "severity: sev1"),
        ('version: "2026-01-15"', 'version: "2026-02-01"'),
        ("tags: [support, refunds]", "tags: [billing]"),
        ("owner: Safety team", "owner: alpha team"),
        ("due: 2027-05-01", "due: 2026-01-10"),
        ("layer: prompt", "layer: model"),
        ("detected: 2026-03-02T11:40Z", "detected: 2025-06-01T11:40Z"),
        ("mitigated: 2026-03-02T13:00Z", "mitigated: 2025-06-01T13:00Z"),
        ("resolved: 2026-03-04", "resolved: 2025-06-04"),
        ("  - at: 2026-03-02T09:15Z", "  - at: 2025-06-01T09:15Z"),
        ("  - at: 2026-03-02T11:40Z", "  - at: 2025-06-01T11:40Z"),
        ("  - at: 2026-03-02T13:00Z", "  - at: 2025-06-01T13:00Z"),
        ("date: 2026-02-20", "date: 2025-05-20"),
        ("version: 2026-02-01\n", "version: 2025-05-01\n"),
        ("due: 2026-03-10", "due: 2025-06-10"),
    ]:
        assert old in near_miss, old
        near_miss = near_miss.replace(old, new, 1)
    summary = near_miss[near_miss.index("summary: >-") : near_miss.index("detection:")]
    near_miss = near_miss.replace(summary, f"summary: {LONG_SUMMARY}\n")
    site.add("near-miss.md", near_miss)
    site.add("draft.md", draft("LIST-2026-0003"))


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp(f"listings-{request.param}") / "site", TODAY)
    site.write_config(TODAY, theme=request.param)
    archive(site)
    result = site.build()  # an overdue item is information (PM207)
    assert result.returncode == 0, result.stderr
    site.theme = request.param  # type: ignore[attr-defined]
    return site


def read(site: Site, *parts: str) -> str:
    return site.root.joinpath("site", "postmortems", *parts, "index.html").read_text("utf-8")


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)


class Options(HTMLParser):
    """The options of each filter of the index: filter -> [(value, text)]."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select = ""
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._select = found.get("data-pm-filter") or ""
            self.options[self._select] = []
        elif tag == "option":
            self._value = found.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._value is not None:
            self.options[self._select].append((self._value, data))
            self._value = None


def options(html: str) -> dict[str, list[tuple[str, str]]]:
    parser = Options()
    parser.feed(html)
    return {name: [o for o in found if o[0]] for name, found in parser.options.items()}


# ------------------------------------------------------------------------- index


def test_the_index_shows_labels_not_values(built: Site) -> None:
    index = read(built)
    for label in ("SEV2 · major", "SEV1 · critical", "Published", "Draft", "Hallucination"):
        assert label in index, label
    assert ">Near miss</span>" in index
    assert ">sev2<" not in index and ">near_miss<" not in index


def test_the_title_is_the_link_and_the_id_is_secondary(built: Site) -> None:
    index = read(built)
    first = rows(index)[0]
    assert re.search(
        r'<a class="pm-title__link" href="first/"><bdi>Support assistant quoted a refund '
        r"rule that does not exist</bdi></a>",
        first,
    )
    assert '<span class="pm-id">LIST-2026-0001</span>' in first
    assert ">LIST-2026-0001</a>" not in first


def test_a_summary_line_under_the_title_cut_at_a_word(built: Site) -> None:
    [near_miss] = [row for row in rows(read(built)) if "LIST-2025-0002" in row]
    summary = re.search(r'<span class="pm-summary">(.*?)</span>', near_miss, re.S)
    assert summary is not None
    text = summary.group(1)
    assert text.endswith("…") and len(text) <= 141
    assert LONG_SUMMARY.startswith(text[:-1]) and LONG_SUMMARY[len(text) - 1] == " "
    # The whole summary is on the postmortem's own page.
    assert "goes on well past the length" in read(built, "near-miss")


def test_an_overdue_marker_on_postmortems_with_overdue_items(built: Site) -> None:
    by_id = {re.search(r'class="pm-id">([^<]+)<', row).group(1): row for row in rows(read(built))}  # type: ignore[union-attr]
    assert "pm-overdue" in by_id["LIST-2025-0002"] and "1 overdue" in by_id["LIST-2025-0002"]
    assert "pm-overdue" not in by_id["LIST-2026-0001"]


def test_the_filters_offer_tag_model_year_kind_and_layer_in_schema_order(built: Site) -> None:
    found = options(read(built))
    assert found["status"] == [("draft", "Draft"), ("published", "Published")]
    assert [value for value, _ in found["severity"]] == ["sev1", "sev2", "sev3"]
    assert found["severity"][0] == ("sev1", "SEV1 · critical")
    assert found["kind"] == [("incident", "Incident"), ("near_miss", "Near miss")]
    # The schema's order (model, data, prompt, retrieval, guardrail, ...), not A to Z.
    assert [value for value, _ in found["layer"]] == ["model", "prompt", "retrieval", "guardrail"]
    assert found["layer"][0] == ("model", "Model")
    assert found["year"] == [("2026", "2026"), ("2025", "2025")]
    assert found["model"] == [("example-chat", "example-chat")]
    assert found["tag"] == [("billing", "billing"), ("refunds", "refunds"), ("support", "support")]
    # Every row carries what the filters match, free texts as their slugs.
    near_miss = next(row for row in rows(read(built)) if "LIST-2025-0002" in row)
    for attribute in (
        'data-pm-tag="billing"',
        'data-pm-model="example-chat"',
        'data-pm-year="2025"',
        'data-pm-kind="near_miss"',
        'data-pm-layer="model retrieval guardrail"',
    ):
        assert attribute in near_miss, attribute
    assert "Clear filters" in read(built)


def test_status_and_severity_sort_by_their_place_in_the_schema(built: Site) -> None:
    lifecycle = SchemaInForce.builtin().lifecycle()
    severities = SchemaInForce.builtin().severities()
    for row in rows(read(built)):
        status = re.search(r'data-pm-status="([^"]+)"', row).group(1)  # type: ignore[union-attr]
        severity = re.search(r'data-pm-severity="([^"]+)"', row).group(1)  # type: ignore[union-attr]
        cells = dict(re.findall(r'data-pm-label="(Status|Severity)" data-pm-value="(\d+)"', row))
        assert int(cells["Status"]) == lifecycle.index(status)
        assert int(cells["Severity"]) == severities.index(severity)
    assert '<th scope="col" data-pm-sort="number">Status</th>' in read(built)


# ------------------------------------------------------------------ action items


def test_open_items_first_overdue_first_finished_folded(built: Site) -> None:
    page = read(built, "action-items")
    guardrail = page[page.index('<h2 id="guardrail">') : page.index('<h2 id="retrieval">')]
    # LIST-2025-0002/A2 is overdue: first, before the later LIST-2026-0001/A2.
    assert guardrail.index("LIST-2025-0002/A2") < guardrail.index("LIST-2026-0001/A2")
    assert "<details" not in guardrail  # nothing finished there
    retrieval = page[page.index('<h2 id="retrieval">') :]
    assert "No open item." in retrieval
    folded = re.search(r"<details[^>]*>\s*<summary>(.*?)</summary>(.*?)</details>", retrieval, re.S)
    assert folded is not None and folded.group(1) == "2 finished items"
    assert "LIST-2026-0001/A1" in folded.group(2) and "LIST-2025-0002/A1" in folded.group(2)
    assert 'href="../action-items/owners/"' in page


def test_each_item_shows_its_postmortems_title(built: Site) -> None:
    category = read(built, "action-items", "guardrail")
    row = next(row for row in rows(category) if "LIST-2026-0001/A2" in row)
    assert (
        '<a href="../../first/">Support assistant quoted a refund rule that does not exist</a>'
        in row
    )
    assert ">Guardrail<" in read(built, "action-items") and "Action items: Guardrail" in category


def test_the_owner_page_lists_open_items_per_owner(built: Site) -> None:
    page = read(built, "action-items", "owners")
    headings = re.findall(r'<h2 id="owner-\d+">([^<]+)</h2>', page)
    # By name whatever the case; only owners of open items.
    assert headings == ["alpha team", "Safety team"]
    assert "Search team" not in page
    alpha = page[page.index(">alpha team</h2>") : page.index(">Safety team</h2>")]
    assert "LIST-2025-0002/A2" in alpha and "overdue" in alpha


# ------------------------------------------------------------------------ facets


def test_one_page_per_model_with_its_versions(built: Site) -> None:
    models = built.root / "site" / "postmortems" / "models"
    assert sorted(p.name for p in models.iterdir() if p.is_dir()) == ["example-chat"]
    page = read(built, "models", "example-chat")
    versions = re.search(r'<p class="pm-versions">(.*?)</p>', page, re.S)
    assert versions is not None
    assert re.findall(r'<span class="pm-version">([^<]+)</span>', versions.group(1)) == [
        "2026-01-15",
        "2026-02-01",
    ]
    assert page.count('<span class="pm-id">') == 2
    assert 'href="../models/example-chat/"' in read(built, "first")


def test_a_facet_page_opens_with_its_definition_and_pattern(built: Site) -> None:
    page = read(built, "failure-modes", "hallucination")
    definition = SchemaInForce.builtin().descriptions("failure_mode")["hallucination"]
    assert f'<p class="pm-definition">{definition}</p>' in page.replace("&#39;", "'")
    pattern = page[page.index('<dl class="pm-pattern">') : page.index("</dl>")]
    assert ">SEV1 · critical</span> 1" in pattern and ">SEV2 · major</span> 1" in pattern
    # Retrieval and guardrail in both postmortems, then prompt before model (schema order).
    layers = re.findall(r">([A-Z][a-z ]+)</span> (\d)", pattern.split("factor layers")[1])
    assert layers[:3] == [("Retrieval", "2"), ("Guardrail", "2"), ("Model", "1")]
    assert "Commonest action-item categories" in pattern
    index = read(built, "failure-modes")
    assert definition.split(",")[0] in index.replace("&#39;", "'")


# --------------------------------------------------------------------------- nav


def nav_of(site: Site, html: str) -> str:
    if getattr(site, "theme", "") == "material":
        return html[html.index("md-nav--primary") : html.index("md-sidebar--secondary")]
    return html[html.index('<ul class="nav navbar-nav">') : html.index("navbar-nav ms-md-auto")]


def test_no_section_repeats_its_first_pages_title(built: Site) -> None:
    home = built.root.joinpath("site", "index.html").read_text("utf-8")
    nav = re.sub(r"\s+", " ", nav_of(built, home))
    # The archive's folder is the section "Postmortems"; its index no longer repeats it.
    assert re.search(r'href="postmortems/"[^>]*>(?:\s|<[^>]+>)*Overview', nav), nav
    assert nav.count("Postmortems") == (2 if built.theme == "material" else 1)  # type: ignore[attr-defined]
    # The page itself keeps its heading.
    assert "<h1" in read(built) and ">Postmortems</h1>" in read(built)


def test_a_facet_page_highlights_the_archives_section(built: Site) -> None:
    page = read(built, "failure-modes", "hallucination")
    nav = re.sub(r"\s+", " ", nav_of(built, page))
    if built.theme == "material":  # type: ignore[attr-defined]
        active = re.search(r'<li class="md-nav__item md-nav__item--active[^"]*"(.*?)</li>', nav)
        assert active is not None and "Postmortems" in active.group(1)
    else:
        assert re.search(r'class="nav-link dropdown-toggle active"[^>]*>Postmortems<', nav), nav
    # The home page has no active section.
    home = built.root.joinpath("site", "index.html").read_text("utf-8")
    assert "md-nav__item--active md-nav__item--nested" not in home
    assert "dropdown-toggle active" not in home


def test_material_with_section_indexes_shows_the_index_as_the_section(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path / "site", TODAY)
    archive(site)
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "theme:\n  name: material\n",
            "theme:\n  name: material\n  features:\n    - navigation.indexes\n",
        )
    )
    result = site.build()  # an overdue item is information (PM207)
    assert result.returncode == 0, result.stderr
    home = site.root.joinpath("site", "index.html").read_text("utf-8")
    nav = re.sub(r"\s+", " ", home[home.index("md-nav--primary") :])
    assert "Overview" not in nav
    assert re.search(
        r'<a href="postmortems/" class="md-nav__link[^"]*">(?:\s|<[^>]+>)*Postmortems', nav
    )
