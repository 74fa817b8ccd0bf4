"""The renderer without MkDocs: the HTML made ahead is what each page would have got
made on demand, whatever order the build asks in; statistics from odd dates."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import draft, published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render.ahead import CHUNK, Ahead, Html, Plan
from mkdocs_postmortem.render.pages import Additions, Renderer
from mkdocs_postmortem.search_form import search_form


def plan_of(count: int) -> Plan:
    texts = [published(f"TEST-2026-{n:04d}") for n in range(count)] + [draft("TEST-2026-9999")]
    documents = [read(f"postmortems/pm-{n}.md", t.encode()) for n, t in enumerate(texts)]
    archive = Archive.build(documents, SchemaInForce.load(), dt.date(2026, 11, 27))
    return Plan(
        archive,
        "postmortems",
        custom_dir=None,
        use_directory_urls=True,
        urls={},
        incident_uris={incident.id: incident.path for incident in archive.incidents},
        postmortems={incident.path: n for n, incident in enumerate(archive.incidents)},
        order=[],
        index=None,
        index_title="Postmortems",
    )


def renderer_of(count: int) -> Renderer:
    return plan_of(count).renderer()


@pytest.mark.parametrize("workers", [0, 1])
def test_each_page_gets_what_it_would_get_made_on_demand(workers: int) -> None:
    """Made here or by a worker process, from the plan it gets: the same HTML."""
    plan = plan_of(CHUNK + 3)
    renderer = plan.renderer()
    planned = renderer.plan(plan.index_title)
    postmortems = {uri: plan.archive.incidents[n] for uri, n in plan.postmortems.items()}
    plan.order = ["index.md", *sorted(postmortems), *(item.src_uri for item in planned)]
    ahead = Ahead(plan, renderer, planned, workers=workers)
    by_uri = {item.src_uri: item for item in planned}

    # Out of order: a generated page first, then the postmortems backwards.
    statistics = renderer.layout.statistics
    made = ahead.take(statistics)
    assert isinstance(made, Html) and made.html == by_uri[statistics].make()
    assert made.search_form == search_form(made.html)
    for uri in sorted(postmortems, reverse=True):
        additions = ahead.take(uri)
        assert isinstance(additions, Additions)
        assert additions.card == renderer.card(postmortems[uri], uri, with_title=True)
        assert additions.details == renderer.details(postmortems[uri], uri)
    for uri, item in by_uri.items():
        if uri == statistics:
            continue
        if item.is_page:
            page = ahead.take(uri)
            assert isinstance(page, Html) and page.html == item.make()
            # Search skips the facet pages: no search form for them.
            assert (page.search_form is None) == ("exclude: true" in (item.front_matter or ""))
        else:
            assert ahead.text(uri) == item.make()

    # Each is handed out once; pages that were never planned get nothing.
    assert ahead.take(statistics) is None
    assert ahead.take("index.md") is None
    ahead.close()


def test_the_users_own_landing_page_gets_the_listing() -> None:
    plan = plan_of(2)
    plan.index_title = None
    plan.index = index = "postmortems/index.md"
    plan.order = [index, *plan.postmortems]
    renderer = plan.renderer()
    ahead = Ahead(plan, renderer, [], workers=0)
    listing = ahead.take(index)
    assert isinstance(listing, Html) and listing.html == renderer.index_body()


def test_statistics_take_years_before_1000() -> None:
    # Found by the hostile-input suite: year 1 made the quarter "1-Q1", which neither
    # sorted before "2026-Q1" nor read back as a year.
    renderer = renderer_of(1)
    renderer.archive.incidents[0].occurred = "0001-01-01T00:00+00:01"
    renderer.archive.incidents[1].occurred = "0999-12-31"
    stats = renderer.statistics()
    quarters = [row["quarter"] for row in stats["quarter"]]
    assert quarters[:2] == ["0001-Q1", "0999-Q4"]
