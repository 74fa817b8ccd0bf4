"""PM204 and PM205 read a date without a time as a day in UTC, as the statistics do
(issue 10, item 9): a time is compared with it by its own day in UTC."""

from __future__ import annotations

import datetime as dt

from cases import draft

from mkdocs_postmortem import Settings, check_archive, read
from mkdocs_postmortem.archive import incident_from
from mkdocs_postmortem.schema import SchemaInForce
from mkdocs_postmortem.validation.dates import parse_moment

TODAY = dt.date(2026, 11, 27)


def order_problems(occurred: str, detected: str) -> list[str]:
    text = draft("AIPM-2026-0001", f"detected: {detected}\n").replace(
        "occurred: 2026-01-01", f"occurred: {occurred}"
    )
    report = check_archive([("x.md", text.encode())], Settings.load(today=TODAY))
    return [f"{d.code} {d.field}: {d.message}" for d in report.diagnostics]


def test_a_time_late_in_a_western_zone_is_the_next_day_in_utc() -> None:
    late = parse_moment("2026-03-02T23:30-05:00")
    day = parse_moment("2026-03-02")
    assert late is not None and day is not None
    assert late.day == dt.date(2026, 3, 2)
    assert late.utc_day == dt.date(2026, 3, 3)
    assert day.before(late)
    assert not late.before(day)


def test_detected_on_the_utc_day_of_an_eastern_time_is_not_before_it() -> None:
    # 2026-03-03T01:00+05:00 is 2026-03-02T20:00Z: the same UTC day as the bare day.
    assert order_problems("2026-03-03T01:00+05:00", "2026-03-02") == []


def test_detected_the_day_before_in_utc_is_reported_with_the_reason() -> None:
    # 2026-03-02T23:30-05:00 is 2026-03-03T04:30Z, the day after the bare day.
    assert order_problems("2026-03-02T23:30-05:00", "2026-03-02") == [
        "PM204 detected: detected 2026-03-02 is before occurred 2026-03-02T23:30-05:00 "
        "(2026-03-02T23:30-05:00 is 2026-03-03 in UTC; a date without a time is a UTC day)"
    ]


def test_the_same_utc_day_is_in_order_as_the_statistics_read_it() -> None:
    assert order_problems("2026-03-02T23:30-05:00", "2026-03-03") == []
    text = draft("AIPM-2026-0001", "detected: 2026-03-03\n").replace(
        "occurred: 2026-01-01", "occurred: 2026-03-02T23:30-05:00"
    )
    incident = incident_from(read("x.md", text.encode()), TODAY, SchemaInForce.builtin())
    assert incident.hours_to_detect == 0.0  # the bare day's midnight UTC, clamped


def test_times_are_still_compared_as_instants() -> None:
    assert order_problems("2026-03-02T23:30-05:00", "2026-03-03T04:00Z") == [
        "PM204 detected: detected 2026-03-03T04:00Z is before occurred 2026-03-02T23:30-05:00"
    ]
    assert order_problems("2026-03-02", "2026-03-01") == [
        "PM204 detected: detected 2026-03-01 is before occurred 2026-03-02"
    ]


def test_the_timeline_reads_bare_days_in_utc_too() -> None:
    timeline = (
        "timeline:\n"
        "  - at: 2026-03-03T01:00+05:00\n"
        "    event: The assistant answered.\n"
        "  - at: 2026-03-02\n"
        "    event: A customer wrote in.\n"
    )
    text = draft("AIPM-2026-0001", timeline).replace("occurred: 2026-01-01", "occurred: 2026-03-02")
    report = check_archive([("x.md", text.encode())], Settings.load(today=TODAY))
    assert [d.code for d in report.diagnostics] == []
