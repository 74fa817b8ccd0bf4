"""The public edition of the example archive (`audience: public`), in Material and MkDocs'
own theme, at 1366 and 390 px: a postmortem page with an internal block and the action
items page show no reviewer, owner, tracker or internal text, and fit their screen.
Screenshots go to `SHOTS` as `public-<theme>-<page>-<width>.png`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from .conftest import SHOTS, build_project, served

PAGES = {
    "postmortem": "postmortems/samsung-source-code-public-chatbot/",
    "action-items": "postmortems/action-items/",
}
THEMES = {
    "material": "",
    "mkdocs": "theme:\n  name: mkdocs\n  highlightjs: false\n",
}


@pytest.fixture(scope="module", params=list(THEMES))
def public_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp(f"public-{request.param}")
    out, log = build_project(
        folder,
        f"{THEMES[request.param]}plugins:\n  - search\n  - postmortem:\n"
        "      today: '2026-11-27'\n      audience: public\n",
    )
    assert "public edition: left out" in log
    with served(out) as url:
        yield url


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_public_edition_shows_nothing_internal(
    new_page: Callable[..., Page],
    public_url: str,
    request: pytest.FixtureRequest,
    name: str,
    width: int,
) -> None:
    theme = request.node.callspec.params["public_url"]
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(public_url + PAGES[name])
    expect(page.locator("h1").first).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public-{theme}-{name}-{width}.png"), full_page=True)
    text = page.locator("body").inner_text()
    for hidden in ("Information Security Office", "security hotline", "tracker.example.com"):
        assert hidden not in text
    headers = page.locator("th").all_inner_texts()
    assert "Owner" not in headers and "Tracker" not in headers
    assert page.locator("#pm-reviewers").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
