"""The archive's listings in Chromium (issue 12): the new filters, their state in the
URL, "Clear filters", sorting by status, and no sideways scrolling at 390 px in
Material and in MkDocs' own theme. Screenshots go to the test's folder and to
/tmp/shots-index/ for a person to look at."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from mkdocs_postmortem.schema import SchemaInForce

from .conftest import LOOPBACK, ROOT, _QuietHandler

INDEX = "postmortems/"
SHOTS = Path("/tmp/shots-index")
PAGES = {
    "index": "postmortems/",
    "action-items": "postmortems/action-items/",
    "owners": "postmortems/action-items/owners/",
    "facet": "postmortems/failure-modes/hallucination/",
    "model": "postmortems/models/gpt-4/",
}


@pytest.fixture(scope="session")
def mkdocs_theme_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's site built with MkDocs' built-in `mkdocs` theme, served on loopback."""
    folder = tmp_path_factory.mktemp("browser-mkdocs-theme")
    out = folder / "site"
    # The project's config in the built-in theme, without its highlight.js from a CDN.
    config = folder / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
        "theme:\n  name: mkdocs\n  highlightjs: false\n",
        encoding="utf-8",
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config)]
    result = subprocess.run(
        [*command, "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="mkdocs-theme", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(params=["material", "mkdocs"])
def site_url(request: pytest.FixtureRequest, base_url: str) -> str:
    if request.param == "material":
        return base_url
    return str(request.getfixturevalue("mkdocs_theme_url"))


def rows(page: Page) -> list[dict[str, str]]:
    """The visible rows of the index, as their data attributes."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-pm-archive] tbody tr'))
          .filter((row) => !row.hidden && !row.classList.contains('pm-empty'))
          .map((row) => Object.assign({}, row.dataset))"""
    )


def filters(page: Page) -> dict[str, str]:
    query = parse_qs(urlsplit(page.url).query)
    return {key: values[0] for key, values in query.items() if key.startswith("pm-")}


# ----------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("control", "attribute"),
    [
        ("Tag", "pmTag"),
        ("Model", "pmModel"),
        ("Year", "pmYear"),
        ("Kind", "pmKind"),
        ("Factor layer", "pmLayer"),
    ],
)
def test_each_new_filter_narrows_the_rows(page: Page, control: str, attribute: str) -> None:
    page.goto(INDEX)
    count = page.locator("output[data-pm-count]")
    expect(count).to_have_text("10 of 10 postmortems")
    select = page.get_by_label(control, exact=True)
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert values, control
    # The option that picks out the fewest rows, so that it narrows for sure.
    every = rows(page)
    value = min(values, key=lambda v: sum(v in r.get(attribute, "").split() for r in every))
    select.select_option(value)
    shown = rows(page)
    assert 0 < len(shown) < 10, (control, value)
    assert all(value in row.get(attribute, "").split() for row in shown)
    expect(count).to_have_text(f"{len(shown)} of 10 postmortems")


def test_the_filters_go_into_the_url_and_come_back_on_reload(page: Page) -> None:
    page.goto(INDEX)
    page.get_by_label("Status", exact=True).select_option("published")
    page.get_by_label("Filter postmortems").fill("chat")
    shown = rows(page)
    assert shown and all(row["pmStatus"] == "published" for row in shown)
    assert filters(page) == {"pm-status": "published", "pm-text": "chat"}

    page.reload()
    expect(page.get_by_label("Status", exact=True)).to_have_value("published")
    expect(page.get_by_label("Filter postmortems")).to_have_value("chat")
    assert rows(page) == shown

    # A shared link opens filtered; a value the page does not offer is ignored.
    page.goto(INDEX + "?pm-kind=near_miss&pm-severity=sev9")
    assert rows(page) and all(row["pmKind"] == "near_miss" for row in rows(page))
    expect(page.get_by_label("Severity", exact=True)).to_have_value("")


def test_clear_filters_resets_everything(page: Page) -> None:
    page.goto(INDEX + "?pm-status=published&pm-year=2023")
    assert len(rows(page)) < 10
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator("output[data-pm-count]")).to_have_text("10 of 10 postmortems")
    expect(page.get_by_label("Status", exact=True)).to_have_value("")
    page.wait_for_function("!location.search.includes('pm-')")
    assert filters(page) == {}


def test_sorting_by_status_follows_the_lifecycle(page: Page) -> None:
    lifecycle = list(SchemaInForce.builtin().lifecycle())
    page.goto(INDEX)
    header = page.locator("[data-pm-archive] th").filter(has_text="Status")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    statuses = [row["pmStatus"] for row in rows(page)]
    assert [lifecycle.index(s) for s in statuses] == sorted(lifecycle.index(s) for s in statuses)
    assert len(set(statuses)) > 1  # the example archive has more than one
    header.get_by_role("button").click()
    statuses = [row["pmStatus"] for row in rows(page)]
    assert [lifecycle.index(s) for s in statuses] == sorted(
        (lifecycle.index(s) for s in statuses), reverse=True
    )


# ------------------------------------------------------------------ narrow screens


@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scrolling_at_390px_and_screenshots(
    new_page: Callable[..., Page],
    site_url: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
) -> None:
    theme = request.node.callspec.params["site_url"]
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page = new_page(viewport={"width": width, "height": height})
        page.goto(site_url + PAGES[name])
        expect(page.locator("h1").first).to_be_visible()
        if name in ("action-items",):
            page.locator("details.pm-finished > summary").first.click()
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        shot = tmp_path / f"{theme}-{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copy(shot, SHOTS / shot.name)
        print(f"screenshot: {shot} (copy in {SHOTS})")
        if width == 390:
            assert overflow[0] <= overflow[1], (theme, name, overflow)
