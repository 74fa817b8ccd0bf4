"""Dates, durations and the timeline's milestones as a postmortem page shows them
(issue 12)."""

from __future__ import annotations

import pytest

from mkdocs_postmortem.render.moments import (
    count_of,
    duration,
    elapsed,
    moment_iso,
    moment_text,
    timeline_rows,
)


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("2026-03-02T09:15Z", "2026-03-02T10:00Z", "45 min"),
        ("2026-03-02T09:15Z", "2026-03-02T09:15Z", "0 min"),
        ("2026-03-02T09:15Z", "2026-03-02T09:15:59Z", "0 min"),
        ("2026-03-02T09:15Z", "2026-03-02T12:25Z", "3 h 10 min"),
        ("2026-03-02T09:15Z", "2026-03-02T11:15Z", "2 h"),
        (
            "2026-03-02T09:15Z",
            "2026-03-03T09:15Z",
            "24 h",
        ),  # under two days: hours, as in the statistics
        ("2026-03-02T09:15Z", "2026-03-04T13:40Z", "2 days 4 h"),
        ("2026-03-02T09:15Z", "2026-03-29T20:00Z", "27 days"),
        ("2026-03-02T09:15Z", "2026-03-29T22:00Z", "28 days"),
        # Zones: one instant, written twice.
        ("2026-03-02T10:15+01:00", "2026-03-02T09:45Z", "30 min"),
        # A bare date on either side: days between UTC days.
        ("2023-12-17", "2024-01-13", "27 days"),
        ("2023-12-17", "2023-12-18", "1 day"),
        ("2023-12-17", "2023-12-17", "same day"),
        ("2026-03-02T09:15Z", "2026-03-04", "2 days"),
        ("2026-03-02T23:30-05:00", "2026-03-03", "same day"),
        ("2022-01-01", "2026-01-01", "1,461 days"),
        # Nothing to say: a missing or broken date, or an end before the start.
        ("2026-03-02", "", ""),
        ("", "2026-03-02", ""),
        ("2026-03-02", "2026-02-30", ""),
        ("2026-03-02", "soon", ""),
        ("2026-03-03", "2026-03-02", ""),
    ],
)
def test_duration_in_human_units(start: str, end: str, said: str) -> None:
    assert duration(start, end) == said


@pytest.mark.parametrize(
    ("start", "at", "said"),
    [
        ("2026-03-02T09:15Z", "2026-03-02T11:20Z", "+2 h 5 min"),
        ("2026-03-02T09:15Z", "2026-03-02T09:15Z", "+0 min"),
        ("2023-12-17", "2023-12-17", "+0 days"),
        ("2023-12-17", "2023-12-19", "+2 days"),
        ("2023-12-17", "2023-12-05", "\u221212 days"),
        ("2026-03-02T09:15Z", "2026-03-02T08:15Z", "\u22121 h"),
        ("", "2023-12-05", ""),
    ],
)
def test_elapsed_since_the_incident_began(start: str, at: str, said: str) -> None:
    assert elapsed(start, at) == said


@pytest.mark.parametrize(
    ("written", "text", "machine"),
    [
        ("2026-03-02", "2026-03-02", "2026-03-02"),
        ("2026-03-02T14:10Z", "2026-03-02 14:10 UTC", "2026-03-02T14:10Z"),
        ("2026-03-02T15:10+01:00", "2026-03-02 14:10 UTC", "2026-03-02T14:10Z"),
        ("2026-03-02 14:10", "2026-03-02 14:10 UTC", "2026-03-02T14:10Z"),
        ("2026-03-02T14:10:05Z", "2026-03-02 14:10:05 UTC", "2026-03-02T14:10:05Z"),
        ("2026-03-02T23:30-05:00", "2026-03-03 04:30 UTC", "2026-03-03T04:30Z"),
        ("2026-02-30", "2026-02-30", ""),
        ("last week", "last week", ""),
    ],
)
def test_one_form_for_every_date_and_time(written: str, text: str, machine: str) -> None:
    assert moment_text(written) == text
    assert moment_iso(written) == machine


def test_counts_say_one_and_many_with_thousands_separators() -> None:
    assert count_of(1, "user", "users") == "1 user"
    assert count_of(0, "user", "users") == "0 users"
    assert count_of(12400, "user", "users") == "12,400 users"


def test_milestones_mark_entries_at_their_moment_and_get_rows_otherwise() -> None:
    entries = [
        ("2026-03-02T09:15Z", "First wrong answer."),
        ("2026-03-02T11:40Z", "A report reaches support."),
        ("2026-03-02T13:00Z", "Questions go to people."),
        ("2026-03-05T10:00Z", "Review."),
    ]
    milestones = {
        "occurred": "2026-03-02T09:15Z",
        "detected": "2026-03-02T11:40Z",
        "mitigated": "2026-03-02T12:30Z",
        "resolved": "2026-03-04",
    }
    rows = timeline_rows(entries, milestones)
    assert [(row.at, row.event, row.marks, row.elapsed) for row in rows] == [
        ("2026-03-02T09:15Z", "First wrong answer.", ["Began"], "+0 min"),
        ("2026-03-02T11:40Z", "A report reaches support.", ["Detected"], "+2 h 25 min"),
        ("2026-03-02T12:30Z", "", ["Mitigated"], "+3 h 15 min"),
        ("2026-03-02T13:00Z", "Questions go to people.", [], "+3 h 45 min"),
        ("2026-03-04", "", ["Resolved"], "+2 days"),
        ("2026-03-05T10:00Z", "Review.", [], "+3 days 1 h"),  # 72 h 45 min, to the nearest hour
    ]
    assert [row.inserted for row in rows] == [False, False, True, False, True, False]


def test_bare_dates_mark_the_first_entry_of_their_day() -> None:
    entries = [
        ("2023-12-05", "Prompt v12 rolls out."),
        ("2023-12-17", "The assistant agrees to a $1 sale."),
        ("2023-12-18", "Screenshots spread."),
        ("2023-12-18", "Traffic rises."),
    ]
    rows = timeline_rows(entries, {"occurred": "2023-12-17", "detected": "2023-12-18"})
    assert [row.marks for row in rows] == [[], ["Began"], ["Detected"], []]
    assert [row.elapsed for row in rows] == ["\u221212 days", "+0 days", "+1 day", "+1 day"]
