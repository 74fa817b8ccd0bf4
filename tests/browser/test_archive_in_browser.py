"""The example archive in Chromium: what a reader does on the site, and what they see.

The site is the project's own documentation (mkdocs.yml), whose example archive holds
ten postmortems; see conftest.py for the build, the loopback server and the network
guard that fails a test whose page requests any host other than 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from .conftest import NetworkLog, is_loopback

INDEX = "postmortems/"
TAHOE = "postmortems/chevrolet-tahoe-one-dollar/"  # AIPM-2023-0006
SYDNEY = "postmortems/bing-chat-sydney-system-prompt/"  # AIPM-2023-0001
STATISTICS = "postmortems/statistics/"

# The index lists the example archive newest first.
ALL_IDS = [
    "AIPM-2026-0001",
    "AIPM-2025-0001",
    "AIPM-2024-0002",
    "AIPM-2024-0001",
    "AIPM-2023-0006",
    "AIPM-2023-0005",
    "AIPM-2023-0003",
    "AIPM-2023-0004",
    "AIPM-2023-0002",
    "AIPM-2023-0007",
    "AIPM-2023-0001",
    "AIPM-2022-0001",
]


def url_ending(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def shown_ids(page: Page) -> Locator:
    """The id cells of the index rows the reader can see, top to bottom."""
    rows = page.locator("[data-pm-archive] table tbody tr")
    return rows.filter(visible=True).locator(".pm-id")


def card_id(page: Page) -> Locator:
    """The Id fact on a postmortem's header card."""
    return page.locator("#postmortem-card dt:text-is('Id') + dd")


# ----------------------------------------------------------------- filtering


def test_filter_the_index_by_id_fragment_and_by_word(page: Page) -> None:
    page.goto(INDEX)
    filters = page.locator("form[data-pm-filters]")
    count = filters.locator("output[data-pm-count]")
    text = filters.get_by_role("searchbox", name="Filter postmortems")
    expect(filters).to_be_visible()
    expect(count).to_have_text("12 of 12 postmortems")
    expect(shown_ids(page)).to_have_text(ALL_IDS)

    text.press_sequentially("2024-000")
    expect(shown_ids(page)).to_have_text(["AIPM-2024-0002", "AIPM-2024-0001"])
    expect(count).to_have_text("2 of 12 postmortems")

    # Any word of the row, whatever its case: here from the titles.
    text.clear()
    text.press_sequentially("Chatbot")
    expect(shown_ids(page)).to_have_text(["AIPM-2023-0005", "AIPM-2023-0004", "AIPM-2023-0002"])
    expect(count).to_have_text("3 of 12 postmortems")

    # Enter must not submit the form and reload the page: the page stays the same
    # document, and the query string holds the filter's state alone.
    page.evaluate("window.pmSamePage = true")
    text.press("Enter")
    expect(count).to_have_text("3 of 12 postmortems")
    assert page.evaluate("window.pmSamePage === true")
    assert page.url.endswith("/postmortems/?pm-text=Chatbot")

    text.clear()
    expect(shown_ids(page)).to_have_text(ALL_IDS)
    expect(count).to_have_text("12 of 12 postmortems")


def test_filter_the_index_by_status_and_failure_mode(page: Page) -> None:
    page.goto(INDEX)
    filters = page.locator("form[data-pm-filters]")
    count = filters.locator("output[data-pm-count]")
    status = filters.get_by_label("Status", exact=True)
    failure_mode = filters.get_by_label("Failure mode", exact=True)
    rows = page.locator("[data-pm-archive] table tbody tr")

    status.select_option("published")
    published = [
        "AIPM-2026-0001",
        "AIPM-2024-0002",
        "AIPM-2024-0001",
        "AIPM-2023-0006",
        "AIPM-2023-0002",
        "AIPM-2023-0007",
    ]
    expect(shown_ids(page)).to_have_text([*published, "AIPM-2022-0001"])
    expect(count).to_have_text("7 of 12 postmortems")

    failure_mode.select_option("hallucination")
    expect(shown_ids(page)).to_have_text(["AIPM-2023-0002", "AIPM-2022-0001"])
    expect(count).to_have_text("2 of 12 postmortems")
    # The rows left are exactly those with both values; the others are hidden, not gone.
    for row in rows.filter(visible=True).all():
        expect(row.locator("td").nth(3)).to_have_text("Published")
        expect(row.locator("td").nth(5)).to_contain_text("Hallucination")
    expect(rows.filter(visible=False)).to_have_count(10)

    status.select_option("")
    expect(shown_ids(page)).to_have_text(
        ["AIPM-2025-0001", "AIPM-2023-0005", "AIPM-2023-0002", "AIPM-2022-0001"]
    )
    expect(count).to_have_text("4 of 12 postmortems")


def test_a_filter_without_match_says_so(page: Page) -> None:
    page.goto(INDEX)
    filters = page.locator("form[data-pm-filters]")
    count = filters.locator("output[data-pm-count]")
    empty = page.locator("[data-pm-archive] table tbody tr.pm-empty")
    expect(count).to_have_text("12 of 12 postmortems")
    expect(empty).to_have_count(0)

    # No closed postmortem has hallucination among its failure modes.
    filters.get_by_label("Status", exact=True).select_option("closed")
    filters.get_by_label("Failure mode", exact=True).select_option("hallucination")
    expect(shown_ids(page)).to_have_count(0)
    expect(empty).to_be_visible()
    expect(empty).to_have_text("No postmortem matches these filters.")
    expect(count).to_have_text("0 of 12 postmortems")

    filters.get_by_label("Failure mode", exact=True).select_option("")
    expect(shown_ids(page)).to_have_text(["AIPM-2023-0003", "AIPM-2023-0001"])
    expect(empty).to_have_count(0)

    # The same for text nobody wrote.
    filters.get_by_role("searchbox", name="Filter postmortems").fill("no such incident")
    expect(empty).to_have_text("No postmortem matches these filters.")
    expect(count).to_have_text("0 of 12 postmortems")


# ------------------------------------------------------------------- sorting


def test_sort_by_occurred_both_ways_then_by_title(page: Page) -> None:
    page.goto(INDEX)
    table = page.locator("[data-pm-archive] table")
    occurred = table.get_by_role("columnheader", name="Occurred", exact=True)
    title_header = table.get_by_role("columnheader", name="Postmortem", exact=True)
    dates = table.locator("tbody td.pm-date")
    ids = table.locator("tbody .pm-id")
    titles = table.locator("tbody .pm-title__link")

    expect(occurred).to_have_attribute("aria-sort", "descending")
    expect(ids).to_have_text(ALL_IDS)
    newest_first = dates.all_inner_texts()
    assert len(newest_first) == len(ALL_IDS)
    assert newest_first == sorted(newest_first, reverse=True)

    occurred.get_by_role("button", name="Occurred").click()
    expect(occurred).to_have_attribute("aria-sort", "ascending")
    expect(dates).to_have_text(sorted(newest_first))
    expect(ids).to_have_text(list(reversed(ALL_IDS)))

    occurred.get_by_role("button", name="Occurred").click()
    expect(occurred).to_have_attribute("aria-sort", "descending")
    expect(dates).to_have_text(sorted(newest_first, reverse=True))

    # The title is the link, and the column sorts by it.
    unsorted = titles.all_inner_texts()
    by_title = page.evaluate(
        "(xs) => xs.slice().sort(new Intl.Collator('en', {numeric: true}).compare)", unsorted
    )
    title_header.get_by_role("button", name="Postmortem", exact=True).click()
    expect(title_header).to_have_attribute("aria-sort", "ascending")
    expect(occurred).not_to_have_attribute("aria-sort", re.compile(".*"))
    expect(titles).to_have_text(by_title)


# -------------------------------------------------------------------- search


def test_search_for_an_id_finds_its_postmortem(page: Page) -> None:
    page.goto(INDEX)
    search = page.locator(".md-search__input")
    page.keyboard.press("/")  # Material's shortcut to the search box
    expect(search).to_be_focused()
    page.keyboard.type("AIPM-2023-0006")
    expect(search).to_have_value("AIPM-2023-0006")

    # The first result's own link; the results below it link into the same page.
    top_hit = page.locator(".md-search-result__item a.md-search-result__link").first
    # Results follow each keystroke; the whole id is highlighted once the last one is in.
    expect(top_hit.locator("code mark").last).to_have_text("0006")
    expect(top_hit).to_have_attribute("href", url_ending("/" + TAHOE))
    # Its preview starts with the card: the id first, then the prompt version.
    expect(top_hit.locator("code").first).to_have_text("AIPM-2023-0006")

    top_hit.click()
    expect(page).to_have_url(url_ending("/" + TAHOE))
    expect(card_id(page)).to_have_text("AIPM-2023-0006")


# -------------------------------------------------------------------- links


def test_follow_a_related_postmortem_and_come_back(page: Page) -> None:
    page.goto(TAHOE)
    expect(card_id(page)).to_have_text("AIPM-2023-0006")
    related = page.locator("#pm-related + ul.pm-related")
    related.get_by_role("link", name="AIPM-2023-0001", exact=True).click()

    expect(page).to_have_url(url_ending("/" + SYDNEY))
    expect(card_id(page)).to_have_text("AIPM-2023-0001")
    # One "Related" list: each postmortem once, saying which way the links go.
    back_links = page.locator("#pm-related + ul.pm-related li").filter(has_text="(both ways)")
    back = back_links.get_by_role("link", name="AIPM-2023-0006", exact=True)
    expect(back).to_have_attribute("href", "../chevrolet-tahoe-one-dollar/")
    back.click()

    expect(page).to_have_url(url_ending("/" + TAHOE))
    expect(card_id(page)).to_have_text("AIPM-2023-0006")


def test_action_item_links_land_on_the_item(page: Page) -> None:
    page.goto("postmortems/action-items/")
    summary = page.locator("article table.pm-table").first
    summary.get_by_role("link", name="Guardrail", exact=True).click()
    expect(page).to_have_url(url_ending("/postmortems/action-items/guardrail/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Action items: Guardrail")

    # A2 is done: finished items are folded away until the reader opens them.
    row = page.locator("table.pm-actions tbody tr").filter(has_text="AIPM-2023-0006/A2")
    expect(row).to_be_hidden()
    page.locator("details.pm-finished > summary").click()
    title = row.locator("td").nth(1).inner_text()
    row.get_by_role("link", name="AIPM-2023-0006/A2", exact=True).click()

    expect(page).to_have_url(url_ending("/" + TAHOE + "#action-A2"))
    assert page.evaluate("location.hash") == "#action-A2"
    item = page.locator("#action-A2")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(title)
    expect(item).to_be_in_viewport()
    expect(card_id(page)).not_to_be_in_viewport()  # the page did scroll to the item


# -------------------------------------------------------------- no scripts


def test_without_javascript_the_archive_is_complete(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(INDEX)
    rows = page.locator("[data-pm-archive] table tbody tr")
    expect(rows.filter(visible=True)).to_have_count(len(ALL_IDS))
    expect(rows.locator(".pm-id")).to_have_text(ALL_IDS)
    expect(page.locator("form[data-pm-filters]")).to_be_hidden()
    # Headers stay plain text: nothing turned them into sort buttons.
    expect(page.locator("[data-pm-archive] th button")).to_have_count(0)

    page.goto(TAHOE)
    expect(page.locator("#postmortem-card")).to_be_visible()
    expect(card_id(page)).to_have_text("AIPM-2023-0006")
    expect(page.get_by_role("heading", name="Action items", exact=True)).to_be_visible()
    items = page.locator("#pm-action-items + table tbody tr")
    expect(items.filter(visible=True)).to_have_count(6)
    expect(page.locator("#action-A1")).to_contain_text("Separate system rules")


# ------------------------------------------------------------------- network


def test_no_request_leaves_the_machine(page: Page, network: NetworkLog, base_url: str) -> None:
    page.goto(INDEX)
    expect(page.locator("output[data-pm-count]")).to_have_text("12 of 12 postmortems")
    page.wait_for_load_state("networkidle")
    page.goto(TAHOE)
    expect(card_id(page)).to_have_text("AIPM-2023-0006")
    page.wait_for_load_state("networkidle")
    page.goto(STATISTICS)
    expect(page.locator("svg.pm-chart").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert network.blocked == []
    assert [url for url in network.requests if not is_loopback(url)] == []
    # The log saw the real traffic, scripts and search index included.
    for path in (INDEX, TAHOE, STATISTICS, "assets/postmortem/postmortem.js"):
        assert base_url + path in network.requests
    assert any(url.endswith("/search/search_index.json") for url in network.requests)


def test_the_guard_stops_a_request_to_another_host(page: Page, network: NetworkLog) -> None:
    """The guard itself: without it the test above could pass by seeing nothing."""
    page.goto(INDEX)
    outcome = page.evaluate(
        """() => fetch("http://192.0.2.1/beacon", {mode: "no-cors"})
                  .then(() => "sent", () => "blocked")"""
    )
    assert outcome == "blocked"
    assert network.blocked == ["http://192.0.2.1/beacon"]
    network.blocked.clear()  # expected here; the fixture would fail the test otherwise
    network.requests.remove("http://192.0.2.1/beacon")


# ------------------------------------------------------------- from a file


DEMO = Path(__file__).parent / "demo" / "index.html"


def test_the_table_script_works_from_a_file(page: Page) -> None:
    """The static demo, opened from file:// with no server: two archives and a table."""
    page.goto(DEMO.as_uri())
    every = page.locator("#archive-all")
    recent = page.locator("#archive-recent")
    expect(every.locator("output[data-pm-count]")).to_have_text("10 of 10 postmortems")
    expect(recent.locator("output[data-pm-count]")).to_have_text("3 of 3 postmortems")

    # Each archive's form filters its own table only.
    every.get_by_label("Failure mode", exact=True).select_option("data_leak")
    expect(every.locator("tbody tr").filter(visible=True).locator("td:first-child")).to_have_text(
        ["AIPM-2023-0004", "AIPM-2023-0002", "AIPM-2023-0001"]
    )
    expect(every.locator("output[data-pm-count]")).to_have_text("3 of 10 postmortems")
    expect(recent.locator("output[data-pm-count]")).to_have_text("3 of 3 postmortems")
    expect(recent.locator("tbody tr").filter(visible=True)).to_have_count(3)

    # A number column sorts as numbers, and rows without a number stay last both ways.
    actions = page.locator("table#actions")
    overdue = actions.get_by_role("button", name="Days overdue")
    first_cells = actions.locator("tbody tr td:first-child")
    overdue.click()
    expect(first_cells).to_have_text(["AI-4", "AI-6", "AI-3", "AI-1", "AI-2", "AI-5"])
    overdue.click()
    expect(first_cells).to_have_text(["AI-3", "AI-6", "AI-4", "AI-1", "AI-2", "AI-5"])
