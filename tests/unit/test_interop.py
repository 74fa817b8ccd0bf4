"""The exports others read, made from an archive in memory (issue 15): text that XML
cannot hold keeps the feed XML; the calendar and feed are the same bytes each time and
take no date from the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import feedparser
import icalendar
from cases import published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render.interop import Publisher, action_calendar, atom_feed

SCHEMA = SchemaInForce.load()


def archive_of(*texts: str) -> Archive:
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    return Archive.build(documents, SCHEMA, dt.date(2026, 11, 27))


def test_control_characters_do_not_break_the_feed() -> None:
    text = published(
        "TEST-2026-0001",
        "title: Support assistant quoted a refund rule that does not exist\n",
        'title: "Bell \\a and escape \\e and \\x00 in a title"\n',
    )
    archive = archive_of(text)
    incident = archive.incidents[0]
    assert "\x1b" in incident.title
    feed = atom_feed(
        [(incident, "https://example.org/x/")],
        Publisher("Org", "https://example.org/", "Site"),
        "https://example.org/feed.xml",
        "https://example.org/",
    )
    parsed = feedparser.parse(feed.encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert (
        parsed.entries[0].title
        == "TEST-2026-0001: Bell \ufffd and escape \ufffd and \ufffd in a title"
    )


def test_control_characters_do_not_reach_the_calendar() -> None:
    """RFC 5545 forbids controls (and DEL) in a TEXT value: the calendar replaces them
    as the feed does; tab and line breaks stay, escaped by the library."""
    text = published(
        "TEST-2026-0001",
        "title: Support assistant quoted a refund rule that does not exist\n",
        'title: "Bell \\a, del \\x7F and\\ttab"\n',
    ).replace(
        "title: Add a grounding check for policy answers",
        'title: "Index \\e the \\x01 section"',
    )
    archive = archive_of(text)
    calendar = action_calendar(archive, Publisher(), lambda item: "x/")
    assert not any(c in calendar for c in "\x07\x1b\x7f"), repr(calendar)
    event = next(iter(icalendar.Calendar.from_ical(calendar).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Due: TEST-2026-0001/A2 Index \ufffd the \ufffd section"
    assert str(event["DESCRIPTION"]).endswith("\nBell \ufffd, del \ufffd and\ttab")


def test_the_calendar_is_the_same_each_time_and_stamped_from_the_data() -> None:
    archive = archive_of(published("TEST-2026-0001"))
    made = [action_calendar(archive, Publisher(), lambda item: "x/") for _ in range(2)]
    assert made[0] == made[1]
    event = next(iter(icalendar.Calendar.from_ical(made[0]).walk("VEVENT")))
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 3, 4, tzinfo=dt.timezone.utc)
    assert [str(c) for c in event["CATEGORIES"].cats] == ["guardrail"]


def test_links_are_absolute_with_site_url_and_relative_to_the_file_without() -> None:
    from mkdocs_postmortem.render.ahead import Plan

    archive = archive_of(published("TEST-2026-0001"))
    uris = {archive.incidents[0].id: "postmortems/pm.md"}

    def renderer(publisher: Publisher) -> Any:
        plan = Plan(archive, "postmortems", None, True, {}, uris, {}, [], None, None, publisher)
        return plan.renderer()

    local = feedparser.parse(renderer(Publisher()).atom_feed().encode())
    assert local.entries[0].links[0].href == "pm/"  # beside feed.xml, in postmortems/
    online = feedparser.parse(renderer(Publisher("", "https://x.org/docs/")).atom_feed().encode())
    assert online.entries[0].link == "https://x.org/docs/postmortems/pm/"
    calendar = renderer(Publisher()).action_calendar()
    assert "URL:pm/#action-A2" in calendar


def test_every_source_the_mappings_name_exists_and_is_documented() -> None:
    from pathlib import Path

    from mkdocs_postmortem.render.interop import mapping, sources

    archive = archive_of(published("TEST-2026-0001"))
    known = sources(archive.incidents[0], archive, "x/", "x/", Publisher())
    named = [f["from"] for s in mapping("art73-report")["sections"] for f in s["fields"]]
    named += [f["from"] for f in mapping("aiid-submission")["fields"] if "from" in f]
    assert sorted(set(named) - set(known)) == []
    docs = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text()
    assert [key for key in known if f"`{key}`" not in docs] == []
