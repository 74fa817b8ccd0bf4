"""The archive's listings in Chromium (issue 12): the new filters, their state in the
URL, "Clear filters", sorting by status, and no sideways scrolling at 390 px in
Material and in MkDocs' own theme. Screenshots go to the test's folder and to
/tmp/shots-index/ for a person to look at."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from mkdocs_postmortem.schema import SchemaInForce

INDEX = "postmortems/"
SHOTS = Path("/tmp/shots-index")
PAGES = {
    "index": "postmortems/",
    "action-items": "postmortems/action-items/",
    "owners": "postmortems/action-items/owners/",
    "facet": "postmortems/failure-modes/hallucination/",
    "model": "postmortems/models/gpt-4/",
}


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
    expect(count).to_have_text("12 of 12 postmortems")
    select = page.get_by_label(control, exact=True)
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert values, control
    # The option that picks out the fewest rows, so that it narrows for sure.
    every = rows(page)
    value = min(values, key=lambda v: sum(v in r.get(attribute, "").split() for r in every))
    select.select_option(value)
    shown = rows(page)
    assert 0 < len(shown) < 12, (control, value)
    assert all(value in row.get(attribute, "").split() for row in shown)
    expect(count).to_have_text(f"{len(shown)} of 12 postmortems")


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
    assert len(rows(page)) < 12
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator("output[data-pm-count]")).to_have_text("12 of 12 postmortems")
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
