"""The exports others read, made from an archive in memory (issue 15): text that XML
cannot hold keeps the feed XML; the calendar and feed are the same bytes each time and
take no date from the clock."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

import feedparser
import icalendar
from cases import published
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar.parser import unescape_backslash

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render.interop import Publisher, action_calendar, atom_feed
from mkdocs_postmortem.render.interop import _exportable_text as exportable

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


def icalendar_calendar(items: list[Any], site_name: str) -> str:
    """The calendar as the `icalendar` library writes it: the reference for ours."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//mkdocs-postmortem//action items//EN")
    calendar.add("version", "2.0")
    # A TEXT value (RFC 5545 3.8.8.2), which icalendar would not escape by its name.
    calendar.add("x-wr-calname", icalendar.vText(f"{exportable(site_name)}: action items"))
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.key}@mkdocs-postmortem")
        event.add("dtstamp", dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc))
        event.add("dtstart", dt.date(2026, 4, 30))
        event.add("dtend", dt.date(2026, 5, 1))
        event.add("summary", exportable(f"Due: {item.key} {item.title}"))
        owner = f"Owner: {item.owner}\n" if item.owner else ""
        event.add("description", exportable(f"{owner}Status: {item.status}\n{item.incident.title}"))
        event.add("url", "https://example.org/a,b;c/#action-A1")
        if item.category:
            event.add("categories", [exportable(item.category)])
        calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))


# Text that tests escaping and folding: the characters TEXT escapes, line breaks, and
# characters of 1 to 4 octets, so that folds fall beside each of them.
hostile = st.text(alphabet=st.sampled_from(list('ab ,;:\\^"\n\r\té€😀\x07')), max_size=120).filter(
    lambda text: "\\N" not in text
)  # icalendar reads a literal \N as a line break


@settings(max_examples=300, deadline=None)
# The 74th octet of the summary's line a caret, or the backslash of an escaped comma:
# `icalendar` folds before it.
@example(title="a" * 42 + "^bc", owner="", incident_title="", site_name="")
@example(title="a" * 42 + ",bc", owner="", incident_title="", site_name="")
@given(title=hostile, owner=hostile, incident_title=hostile, site_name=hostile)
def test_the_calendar_has_the_bytes_icalendar_writes(
    title: str, owner: str, incident_title: str, site_name: str
) -> None:
    """The calendar is written without a library: its bytes are those `icalendar`
    writes, whatever the text, and a calendar application reads the text back."""
    incident = SimpleNamespace(
        title=incident_title, resolved="2026-03-04T05:06:07Z", occurred="2026-03-01"
    )
    item = SimpleNamespace(
        key="TEST-2026-0001/A1",
        title=title,
        owner=owner,
        status="open",
        category="guardrail",
        due="2026-04-30",
        finished=False,
        incident=incident,
    )
    archive = cast(Archive, SimpleNamespace(action_items=[item]))
    ours = action_calendar(
        archive, Publisher(site_name=site_name), lambda i: "https://example.org/a,b;c/#action-A1"
    )
    assert ours == icalendar_calendar([item], site_name or "Postmortems")
    event = next(iter(icalendar.Calendar.from_ical(ours).walk("VEVENT")))

    def read_back(text: str) -> str:
        return exportable(text).replace("\r\n", "\n").replace("\r", "\n")

    assert str(event["SUMMARY"]) == read_back(f"Due: TEST-2026-0001/A1 {title}")
    name = unescape_backslash(str(icalendar.Calendar.from_ical(ours)["X-WR-CALNAME"]))
    assert name == read_back(f"{site_name or 'Postmortems'}: action items")


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


def test_an_item_due_on_the_calendars_last_day_has_an_event_of_that_day() -> None:
    """9999-12-31 has no next day for DTEND: the event has none, which means one day."""
    text = published("TEST-2026-0001").replace("due: 2027-05-01", "due: 9999-12-31")
    calendar = action_calendar(archive_of(text), Publisher(), lambda item: "x/")
    event = next(iter(icalendar.Calendar.from_ical(calendar).walk("VEVENT")))
    assert event.decoded("DTSTART") == dt.date(9999, 12, 31)
    assert "DTEND" not in event
