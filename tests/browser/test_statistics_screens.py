"""The statistics page on a phone (390 px) and a laptop (1366 px), in Material and in
MkDocs' own theme: the page never scrolls sideways, and no chart text is drawn below
11 CSS px (text size times the SVG's scale, its rendered width over its viewBox)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, NetworkLog

STATISTICS = "postmortems/statistics/"
SMALLEST_PX = 11.0

MEASURE = """() => {
  const sizes = [...document.querySelectorAll("svg.pm-chart text")].map((text) => {
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(text).fontSize) * scale;
  });
  return {
    texts: sizes.length,
    smallest: Math.min(...sizes),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
}"""


def open_statistics(browser: Browser, url: str, width: int) -> tuple[Page, NetworkLog]:
    context = browser.new_context(
        base_url=url, viewport={"width": width, "height": 900}, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    log = NetworkLog()
    context.on("request", log.on_request)
    context.route("**/*", log.route)
    page = context.new_page()
    page.goto(STATISTICS)
    expect(page.locator("svg.pm-chart").first).to_be_visible()
    return page, log


@pytest.mark.parametrize("width", [390, 1366])
def test_chart_text_is_readable_and_nothing_scrolls_sideways(
    browser: Browser, site_url: str, width: int
) -> None:
    page, log = open_statistics(browser, site_url, width)
    try:
        for opened in (False, True):
            if opened:  # the numbers folded under each chart, unfolded
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            found = page.evaluate(MEASURE)
            assert found["texts"] > 50
            assert found["smallest"] >= SMALLEST_PX, found
            assert found["scrollWidth"] <= found["innerWidth"], found
        assert log.blocked == []
    finally:
        page.context.close()


def test_the_wide_cross_table_scrolls_in_its_own_box(browser: Browser, site_url: str) -> None:
    """Ten layers do not fit 390 px: the table (narrow screens: the table itself, the
    stylesheet's rule for every archive table) or its box scrolls, never the page."""
    page, _ = open_statistics(browser, site_url, 390)
    try:
        table = page.locator(".pm-stats--cross")
        scrolls = table.evaluate(
            """(table) => [table, table.parentElement].some((el) =>
                el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === "auto")"""
        )
        assert scrolls
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.context.close()


def test_the_screenshots_can_be_taken(browser: Browser, base_url: str, tmp_path: Path) -> None:
    """A full-page capture at 390 px: what a reviewer looks at (kept in tmp_path)."""
    page, _ = open_statistics(browser, base_url, 390)
    try:
        shot = tmp_path / "statistics-390.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.context.close()
