"""`action-items.csv`: no cell that a spreadsheet could run as a formula, whatever the
front-matter (or an organisation's looser schema) lets through, and no cell that could
start a row of its own."""

from __future__ import annotations

import csv
import io
import posixpath

import pytest

from mkdocs_postmortem.archive import ActionItem, Archive, Incident
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import Renderer, _csv_safe
from mkdocs_postmortem.render.templates import environment

# What a spreadsheet reads as the start of a formula, and where a line of a cell starts.
TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"  # and the full-width = + - @
BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
ISSUE_OWNER = "Conversational AI team\r=HYPERLINK(I3)"  # the owner of issue 10

HOSTILE = (
    [ISSUE_OWNER]
    + [f"{t}cmd" for t in TRIGGERS]
    + [f"   {t}cmd" for t in TRIGGERS]
    + [f"ok{b}{t}cmd" for b in BREAKS for t in TRIGGERS]
    + [f"ok{b}  {t}cmd" for b in BREAKS for t in "=@\uff1d"]
    + ["ok\n\r=cmd", "ok\r\n=cmd", "\r\r=cmd", "=a\n+b\r-c\u2028@d"]
)
COLUMNS = (
    "incident_id",
    "incident_title",
    "item_id",
    "title",
    "category",
    "status",
    "owner",
    "due",
    "tracker",
)


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def csv_of(values: dict[str, str]) -> str:
    """The CSV of one postmortem per value, whose every column holds the value: the
    postmortem's id, title and file name (so the `url` too), and each field of its
    item."""
    incidents = []
    for incident_id, value in values.items():
        incident = Incident(incident_id, f"postmortems/{value}.md", value, "draft", "sev3", "2026")
        incident.action_items.append(
            ActionItem(incident, value, value, value, value, value, value, value)
        )
        incidents.append(incident)
    archive = Archive(incidents, categories=[], failure_modes=[], layers=[])
    uris = {incident.id: incident.path for incident in incidents}
    renderer = Renderer(archive, Layout("postmortems"), environment(), _relative, uris)
    return renderer.action_items_csv()


def rows_of(text: str) -> list[list[str]]:
    # newline="": a lone CR ends a line for the reader, as it does for a spreadsheet.
    return list(csv.reader(io.StringIO(text, newline="")))


def line_starts(cell: str) -> list[str]:
    """What follows the start of the cell and each line break in it."""
    return [cell[i:] for i in range(len(cell) + 1) if i == 0 or cell[i - 1] in BREAKS]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_line_of_any_cell_can_start_a_formula(value: str) -> None:
    text = csv_of({value: value})
    rows = rows_of(text)
    assert len(rows) == 2, rows  # the header and the item: no row of its own
    header, row = rows
    assert len(row) == len(header) == 11
    cells = dict(zip(header, row, strict=True))
    for column in (*COLUMNS, "url"):
        cell = cells[column]
        for start in line_starts(cell):
            assert start.lstrip(" ")[:1] not in TRIGGERS, (column, cell)
        for line in cell.splitlines():
            assert line.lstrip(" ")[:1] not in TRIGGERS, (column, cell)
    for column in COLUMNS:
        # Only a `'` is added, and the value reads back as written otherwise.
        assert cells[column].replace("'", "") == value, column
        if any(c in BREAKS for c in cells[column]):
            assert '"' + cells[column] + '"' in text, column  # quoted, as one cell


def test_the_issue_owner_stays_in_its_cell() -> None:
    text = csv_of({"X-0001": ISSUE_OWNER})
    assert '"Conversational AI team\r\'=HYPERLINK(I3)"' in text
    assert [row[6] for row in rows_of(text)] == ["owner", "Conversational AI team\r'=HYPERLINK(I3)"]


def test_an_ordinary_row_is_unchanged() -> None:
    incident = Incident("X-0001", "postmortems/x.md", "A case", "draft", "sev3", "2026-01-01")
    incident.action_items.append(
        ActionItem(
            incident,
            "A1",
            "Restore the filter (a 20-30% drop), not later",
            "guardrail",
            "done",
            "Chat platform team",
            "2026-01-26",
            "https://tracker.example.com/AI-101",
        )
    )
    archive = Archive([incident], categories=[], failure_modes=[], layers=[])
    renderer = Renderer(
        archive, Layout("postmortems"), environment(), _relative, {"X-0001": incident.path}
    )
    assert rows_of(renderer.action_items_csv())[1] == [
        "X-0001",
        "A case",
        "A1",
        "Restore the filter (a 20-30% drop), not later",
        "guardrail",
        "done",
        "Chat platform team",
        "2026-01-26",
        "no",
        "https://tracker.example.com/AI-101",
        "x.md#action-A1",
    ]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Safety team", "Safety team"),
        ("a-b@c", "a-b@c"),
        ("=1", "'=1"),
        ("  +1", "'  +1"),
        ("\uff20x", "'\uff20x"),
        ("ok\u2028-1", "ok\u2028'-1"),
        ("ok\n\r=1", "ok\n'\r'=1"),
    ],
)
def test_csv_safe(text: str, safe: str) -> None:
    assert _csv_safe(text) == safe
