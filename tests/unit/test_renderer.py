"""The renderer without MkDocs: the HTML made ahead is what each page would have got
made on demand, whatever order the build asks in; statistics from odd dates."""

from __future__ import annotations

import datetime as dt
import posixpath

from cases import draft, published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render.ahead import CHUNK, Ahead, Html
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import Additions, Renderer
from mkdocs_postmortem.render.templates import environment
from mkdocs_postmortem.search_form import search_form


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def renderer_of(count: int) -> tuple[Renderer, dict[str, str]]:
    texts = [published(f"TEST-2026-{n:04d}") for n in range(count)] + [draft("TEST-2026-9999")]
    documents = [read(f"postmortems/pm-{n}.md", t.encode()) for n, t in enumerate(texts)]
    archive = Archive.build(documents, SchemaInForce.load(), dt.date(2026, 11, 27))
    uris = {incident.id: incident.path for incident in archive.incidents}
    return Renderer(archive, Layout("postmortems"), environment(), _relative, uris), uris


def test_each_page_gets_what_it_would_get_made_on_demand() -> None:
    renderer, uris = renderer_of(CHUNK + 3)
    postmortems = {uris[i.id]: i for i in renderer.archive.incidents}
    planned = {item.src_uri: item for item in renderer.plan()}
    order = ["index.md", *sorted(postmortems), *planned]
    ahead = Ahead(renderer, order, postmortems, planned, None, workers=0)

    # Out of order: a generated page first, then the postmortems backwards.
    statistics = renderer.layout.statistics
    made = ahead.take(statistics)
    assert isinstance(made, Html) and made.html == planned[statistics].make()
    assert made.search_form == search_form(made.html)
    for uri in sorted(postmortems, reverse=True):
        additions = ahead.take(uri)
        assert isinstance(additions, Additions)
        assert additions.card == renderer.card(postmortems[uri], uri, with_title=True)
        assert additions.details == renderer.details(postmortems[uri], uri)
    for uri, item in planned.items():
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


def test_the_users_own_landing_page_gets_the_listing() -> None:
    renderer, uris = renderer_of(2)
    index = renderer.layout.index
    ahead = Ahead(renderer, [index, *uris.values()], {}, {}, index, workers=0)
    listing = ahead.take(index)
    assert isinstance(listing, Html) and listing.html == renderer.index_body()


def test_statistics_take_years_before_1000() -> None:
    # Found by the hostile-input suite: year 1 made the quarter "1-Q1", which neither
    # sorted before "2026-Q1" nor read back as a year.
    renderer, _ = renderer_of(1)
    renderer.archive.incidents[0].occurred = "0001-01-01T00:00+00:01"
    renderer.archive.incidents[1].occurred = "0999-12-31"
    stats = renderer.statistics()
    quarters = [row["quarter"] for row in stats["quarter"]]
    assert quarters[:2] == ["0001-Q1", "0999-Q4"]
