"""Every kind of archive page, in Material and MkDocs' own theme, at 1366 and 390 px
(issue 12): nothing in the page scrolls sideways, MkDocs' theme shows each column
header whole and no empty table-of-contents box. Each page's screenshot is kept in
`SHOTS` for a person to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import SHOTS

PAGES = {
    "landing": "postmortems/",
    "postmortem": "postmortems/chevrolet-tahoe-one-dollar/",
    "action-items": "postmortems/action-items/",
    "category": "postmortems/action-items/guardrail/",
    "owners": "postmortems/action-items/owners/",
    "failure-modes": "postmortems/failure-modes/",
    "failure-mode": "postmortems/failure-modes/hallucination/",
    "model": "postmortems/models/gpt-4/",
    "tag": "postmortems/tags/chatbot/",
    "year": "postmortems/years/2024/",
    "statistics": "postmortems/statistics/",
    "patterns": "postmortems/patterns/",
    "taxonomy": "postmortems/taxonomy/",
    "taxonomy-entry": "postmortems/taxonomy/mitre-atlas/aml-t0054/",
    "serious-incident": "postmortems/grid-load-forecast-eu-ai-act/",
    "regulatory": "postmortems/regulatory/",
    "art73-report": "postmortems/regulatory/aipm-2026-0001/",
}

# What a reader sees of the page: how wide it is against the window, the column
# headers whose text is cut, and whether MkDocs' theme shows an empty contents box.
MEASURE = """() => {
  const cut = [...document.querySelectorAll("th")]
    .filter((th) => th.offsetParent !== null && th.getBoundingClientRect().width > 0)
    .filter((th) => th.scrollWidth > th.clientWidth + 1)
    .map((th) => th.textContent.trim());
  const box = document.querySelector("#toc-collapse");
  const emptyBox = box !== null && box.getBoundingClientRect().height > 0
    && box.querySelector("li") === null;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    cut,
    emptyBox,
  };
}"""


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_fits_its_screen(
    new_page: Callable[..., Page],
    site_url: str,
    request: pytest.FixtureRequest,
    name: str,
    width: int,
) -> None:
    theme = request.node.callspec.params["site_url"]
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(site_url + PAGES[name])
    expect(page.locator("h1").first).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    SHOTS.mkdir(parents=True, exist_ok=True)
    # A long page under load takes a while to capture; the layout is what is checked.
    page.screenshot(path=str(SHOTS / f"{theme}-{name}-{width}.png"), full_page=True, timeout=30_000)
    found = page.evaluate(MEASURE)
    assert found["scrollWidth"] <= found["innerWidth"], found
    if theme == "mkdocs":
        assert found["cut"] == [], found
        assert not found["emptyBox"], found


def test_on_a_phone_each_action_item_line_says_its_column(
    new_page: Callable[..., Page], site_url: str
) -> None:
    """At 390 px a postmortem's action items are cards, a line per column: each line
    shows its column's name beside the value (it showed none, in either theme)."""
    page = new_page(viewport={"width": 390, "height": 900})
    page.goto(site_url + PAGES["postmortem"])
    shown = page.evaluate(
        """() => [...document.querySelectorAll(".pm-actions--page tbody tr:first-child td")]
          .map((td) => getComputedStyle(td, "::before").content)"""
    )
    assert shown[:4] == ['"Item"', '"Title"', '"Category"', '"Status"'], shown
