"""The archive model: what a visitor sees, built from postmortems as written."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import draft, published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive

TODAY = dt.date(2026, 11, 27)


def archive_of(*texts: str) -> Archive:
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    return Archive.build(documents, SchemaInForce.load(), TODAY)


def test_newest_first_then_by_id() -> None:
    archive = archive_of(
        draft("B-0002"), draft("A-0001"), draft("C-0003").replace("2026-01-01", "2026-05-01")
    )
    assert [i.id for i in archive.incidents] == ["C-0003", "A-0001", "B-0002"]


def test_related_and_referenced_by() -> None:
    archive = archive_of(draft("A-0001", "related: [B-0002, NOPE-1, A-0001]\n"), draft("B-0002"))
    first, second = archive.by_id["A-0001"], archive.by_id["B-0002"]
    assert archive.related_of(first) == [second]
    assert archive.referenced_by["B-0002"] == [first]
    assert "A-0001" not in archive.referenced_by  # a self-reference is not a reference


def test_broken_and_unsafe_documents_are_left_out() -> None:
    archive = archive_of(draft("../../etc"), "---\nid: [\n---\n", draft("OK-0001"))
    assert [i.id for i in archive.incidents] == ["OK-0001"]


def test_action_items_overdue_and_open() -> None:
    text = published("X-0001", "due: 2027-05-01", "due: 2026-01-01")
    incident = archive_of(text).by_id["X-0001"]
    first, second = incident.action_items
    assert (first.status, first.overdue) == ("done", False)
    assert (second.status, second.overdue) == ("in_progress", True)
    assert incident.open_items == 1
    assert second.key == "X-0001/A2" and second.anchor == "action-A2"


def test_a_tracker_that_is_not_a_web_link_is_dropped() -> None:
    text = published("X-0001", "https://tracker.example.com/AI-1", "javascript:alert(1)")
    assert archive_of(text).by_id["X-0001"].action_items[0].tracker == ""


def test_facets() -> None:
    archive = archive_of(published("X-0001"), draft("Y-0002"))
    assert list(archive.by_failure_mode()) == ["hallucination", "retrieval_failure"]
    assert list(archive.by_model()) == ["example-chat"]
    assert archive.model_versions() == {"example-chat": {"2026-01-15": 1}}
    assert list(archive.by_tag()) == ["refunds", "support"]
    assert list(archive.by_year()) == ["2026"]
    categories = archive.items_by_category()
    assert list(categories)[:3] == ["prompt", "guardrail", "training"]
    assert [i.key for i in categories["retrieval"]] == ["X-0001/A1"]


def test_durations() -> None:
    incident = archive_of(published("X-0001")).by_id["X-0001"]
    assert incident.hours_to_detect == pytest.approx(2 + 25 / 60)  # 09:15 to 11:40
    assert incident.hours_to_resolve is not None and incident.hours_to_resolve > 36


def test_csv_cells_are_never_formulas() -> None:
    from mkdocs_postmortem.render.pages import _csv_safe

    assert _csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_safe("-1") == "'-1"
    assert _csv_safe("Safety team") == "Safety team"
